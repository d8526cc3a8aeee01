/* Reports pages: restore a paragraph's suggested text, and show the date fields of a new
   report only for an "other period". Without JavaScript every field is simply shown. */
(function () {
  "use strict";

  function restoreButtons() {
    document.querySelectorAll("[data-restore]").forEach(function (button) {
      var area = document.getElementById(button.dataset.restore);
      if (!area) {
        return;
      }
      function sync() {
        button.hidden = area.value === button.dataset.text;
      }
      button.addEventListener("click", function () {
        area.value = button.dataset.text;
        area.dispatchEvent(new Event("input"));
        area.focus();
      });
      area.addEventListener("input", sync);
      sync();
    });
  }

  function adhocDates() {
    var kind = document.getElementById("id_kind");
    var dates = document.querySelector("[data-adhoc-dates]");
    if (!kind || !dates) {
      return;
    }
    function sync() {
      dates.hidden = kind.value !== "adhoc";
    }
    kind.addEventListener("change", sync);
    sync();
  }

  document.addEventListener("DOMContentLoaded", function () {
    restoreButtons();
    adhocDates();
  });
})();

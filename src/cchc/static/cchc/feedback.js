/* cchc — citizens' feedback pages: a "copy" button for the tracking code. Without JavaScript
   the code is still selectable with one tap (user-select: all). No inline scripts (CSP). */
(function () {
  "use strict";

  function setUp(button) {
    var target = document.querySelector(button.dataset.copy);
    if (!target || !navigator.clipboard) return;
    button.classList.remove("d-none");
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(target.textContent.trim()).then(function () {
        var label = button.dataset.copied;
        if (label) button.textContent = label;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button[data-copy]").forEach(setUp);
  });
})();

/* cchc — the survey pages: a kiosk goes back to an empty form after each answer, a survey form
   restored from the browser's back-forward cache is emptied, and the QR page prints.
   Behaviour is attached through data-* attributes (no inline scripts, CSP-friendly); without
   JavaScript the thank-you page's meta refresh still resets the kiosk. */
(function () {
  "use strict";

  function startKioskReset() {
    var again = document.querySelector("[data-kiosk-again]");
    var countdown = document.querySelector("[data-kiosk-countdown]");
    if (!again || !countdown) return;
    var seconds = parseInt(countdown.getAttribute("data-kiosk-countdown"), 10) || 8;
    window.setTimeout(function () {
      // replace(): the back button must not lead to this page or to the answers before it.
      window.location.replace(again.href);
    }, seconds * 1000);
  }

  function emptyRestoredForms(event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-survey-form]").forEach(function (form) {
      form.reset();
    });
  }

  function bindPrint() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  window.addEventListener("pageshow", emptyRestoredForms);
  document.addEventListener("DOMContentLoaded", function () {
    startKioskReset();
    bindPrint();
  });
})();

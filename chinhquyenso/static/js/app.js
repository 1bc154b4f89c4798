/* Chính quyền số: the one script every page loads. Keep it tiny (phones on slow links).
   Pages that need Bootstrap's components load its bundle themselves (includes/bootstrap_js.html). */
(function () {
  "use strict";
  // Without JavaScript the menu is simply shown open (app.css): nothing is ever out of reach.
  document.documentElement.classList.add("js");

  function setOpen(button, open) {
    var target = document.getElementById(button.getAttribute("aria-controls"));
    if (!target) return;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    target.classList.toggle("show", open);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-cqs-toggle]");
    if (button) setOpen(button, button.getAttribute("aria-expanded") !== "true");
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("[data-cqs-toggle][aria-expanded=true]").forEach(function (button) {
      setOpen(button, false);
      button.focus();
    });
  });
})();

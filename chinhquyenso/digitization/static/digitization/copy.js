/* "Sao chép văn bản": copy the recognised text of a scan. Without JavaScript the button stays hidden
   and the text box (read-only, selectable) and the .txt download remain. */
(function () {
  "use strict";
  function reveal(root) {
    (root || document).querySelectorAll("[data-copy-target][hidden]").forEach(function (b) { b.hidden = false; });
  }
  function say(button, text) {
    var status = button.parentNode.querySelector("[data-copy-status]");
    if (status) status.textContent = text;
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy-target]");
    if (!button) return;
    var box = document.getElementById(button.getAttribute("data-copy-target"));
    if (!box) return;
    var done = function () { say(button, button.getAttribute("data-copied-label")); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(box.value).then(done, function () { box.select(); });
    } else {
      box.select();
      try { if (document.execCommand("copy")) done(); } catch (e) { /* the text stays selected */ }
    }
  });
  document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  document.addEventListener("htmx:load", function (event) { reveal(event.target); });
})();

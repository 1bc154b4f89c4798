/* E-form page: when an answer changes which questions are shown, htmx posts the form and the server
   re-renders its body. Anything typed into a text box while that request was on its way would be
   overwritten by the server's copy; this keeps it. Without JavaScript none of this runs: the
   "Cập nhật" buttons post the whole page instead. */
(function () {
  "use strict";
  var TEXT = "input[type=text], input[type=tel], input[type=email], textarea";
  var sent = null;
  var typed = null;

  function isFormBody(target) {
    return target && target.id === "eform-body";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    if (isFormBody(event.detail.target)) sent = event.detail.parameters;
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!sent || !isFormBody(event.detail.target)) return;
    typed = {};
    event.detail.target.querySelectorAll(TEXT).forEach(function (input) {
      var before = sent[input.name];
      if (input.name && input.value !== (before === undefined ? "" : String(before))) typed[input.name] = input.value;
    });
  });

  document.addEventListener("htmx:afterSwap", function () {
    var body = document.getElementById("eform-body");
    if (typed && body) {
      Object.keys(typed).forEach(function (name) {
        var input = body.querySelector('[name="' + CSS.escape(name) + '"]');
        if (input) input.value = typed[name];
      });
    }
    typed = null;
    sent = null;
  });
})();

/* E-form page: when an answer changes which questions are shown, htmx posts the form and the server
   re-renders its body. Whatever the citizen typed, ticked or chose while that request was on its
   way would be overwritten by the server's copy of the page; this keeps it. Without JavaScript
   none of this runs: the "Cập nhật" buttons post the whole page instead. */
(function () {
  "use strict";
  var sent = null;
  var changes = null;

  function isFormBody(target) {
    return target && target.id === "eform-body";
  }

  function sentValues(name) {
    var values = sent.getAll(name);
    return values.map(String);
  }

  document.addEventListener("htmx:configRequest", function (event) {
    if (isFormBody(event.detail.target)) sent = event.detail.parameters;
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!sent || !isFormBody(event.detail.target)) return;
    changes = [];
    event.detail.target.querySelectorAll("input[name], textarea[name], select[name]").forEach(function (el) {
      if (el.type === "hidden" || el.type === "submit" || el.type === "button") return;
      var values = sentValues(el.name);
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked !== (values.indexOf(el.value) !== -1)) {
          changes.push({name: el.name, value: el.value, checked: el.checked});
        }
      } else if (el.value !== (values.length ? values[0] : "")) {
        changes.push({name: el.name, value: el.value});
      }
    });
  });

  document.addEventListener("htmx:afterSwap", function () {
    var body = document.getElementById("eform-body");
    if (changes && body) {
      changes.forEach(function (change) {
        var selector = '[name="' + CSS.escape(change.name) + '"]';
        if ("checked" in change) {
          var box = body.querySelector(selector + '[value="' + CSS.escape(change.value) + '"]');
          if (box) box.checked = change.checked;
        } else {
          var input = body.querySelector(selector);
          if (input) input.value = change.value;
        }
      });
    }
    changes = null;
    sent = null;
  });
})();

// Coordinator's photo redaction: drag on the photo to draw the boxes to pixelate. The boxes are
// written into the text field (x,y,width,height in percent; the field alone works without this
// script, for keyboard and screen-reader users) and drawn back over the photo from it.
(function () {
  "use strict";

  function parse(text) {
    return text.split(";").map(function (chunk) {
      var v = chunk.split(",").map(function (n) { return parseFloat(n); });
      return v.length === 4 && v.every(function (n) { return isFinite(n); }) ? v : null;
    }).filter(Boolean);
  }

  function format(areas) {
    return areas.map(function (a) {
      return a.map(function (n) { return Math.round(n * 10) / 10; }).join(",");
    }).join("; ");
  }

  function clamp(n) { return Math.max(0, Math.min(100, n)); }

  function setUp(fieldset) {
    var stage = fieldset.querySelector(".redact-stage");
    var image = fieldset.querySelector(".redact-image");
    var input = fieldset.querySelector(".redact-areas");
    var clear = fieldset.querySelector(".redact-clear");
    var areasChoice = fieldset.querySelector('input[type=radio][value="areas"]');
    if (!stage || !image || !input) return;
    stage.hidden = false;
    clear.hidden = false;

    function draw() {
      stage.querySelectorAll(".redact-box").forEach(function (box) { box.remove(); });
      parse(input.value).forEach(function (a) {
        var box = document.createElement("div");
        box.className = "redact-box";
        box.style.left = a[0] + "%";
        box.style.top = a[1] + "%";
        box.style.width = a[2] + "%";
        box.style.height = a[3] + "%";
        stage.appendChild(box);
      });
    }

    function point(event) {
      var rect = image.getBoundingClientRect();
      return [clamp(100 * (event.clientX - rect.left) / rect.width),
              clamp(100 * (event.clientY - rect.top) / rect.height)];
    }

    var start = null;
    var live = null;
    stage.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      start = point(event);
      live = document.createElement("div");
      live.className = "redact-box redact-live";
      stage.appendChild(live);
      stage.setPointerCapture(event.pointerId);
    });
    stage.addEventListener("pointermove", function (event) {
      if (!start) return;
      var p = point(event);
      live.style.left = Math.min(start[0], p[0]) + "%";
      live.style.top = Math.min(start[1], p[1]) + "%";
      live.style.width = Math.abs(p[0] - start[0]) + "%";
      live.style.height = Math.abs(p[1] - start[1]) + "%";
    });
    stage.addEventListener("pointerup", function (event) {
      if (!start) return;
      var p = point(event);
      var box = [Math.min(start[0], p[0]), Math.min(start[1], p[1]),
                 Math.abs(p[0] - start[0]), Math.abs(p[1] - start[1])];
      start = null;
      live.remove();
      if (box[2] < 1 || box[3] < 1) return; // a tap, not a box
      var areas = parse(input.value);
      areas.push(box);
      input.value = format(areas);
      if (areasChoice) areasChoice.checked = true;
      draw();
    });
    input.addEventListener("input", draw);
    clear.addEventListener("click", function () {
      input.value = "";
      draw();
      input.focus();
    });
    draw();
  }

  function init() {
    document.querySelectorAll("[data-redact]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
  document.addEventListener("htmx:afterSwap", init);
})();

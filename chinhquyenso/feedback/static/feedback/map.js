/* Maps of citizen feedback (Leaflet from the xstatic-leaflet package; no CDN, no default tiles).
 * Every map is optional: the lists and the typed address work without it (keyboard, screen reader,
 * no JavaScript). Modes (data-mode): public | pick | point | heat. */
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }
  var DISTRICT_CENTER = [16.58, 107.50];

  function esc(text) {
    var div = document.createElement("div");
    div.textContent = text || "";
    return div.innerHTML;
  }

  function getJSON(url) {
    return fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
  }

  function makeMap(el) {
    var map = L.map(el, {center: DISTRICT_CENTER, zoom: 11, scrollWheelZoom: false});
    map.attributionControl.setPrefix(false);
    var license = el.dataset.licenseUrl;
    // Short credit inside the map (the full notice and the licence link sit under it).
    var credit = esc((el.dataset.boundariesAttribution || "").split(/\s*\(https?:/)[0]);
    map.attributionControl.addAttribution(license ? '<a href="' + esc(license) + '">' + credit + "</a>" : credit);
    if (el.dataset.tilesUrl) {
      L.tileLayer(el.dataset.tilesUrl, {maxZoom: 19, attribution: esc(el.dataset.tilesAttribution)}).addTo(map);
    } else {
      el.classList.add("fb-map-blank");  // no tile server configured: our boundaries on a plain background
    }
    return map;
  }

  function drawBoundaries(map, el, fit) {
    if (!el.dataset.boundariesUrl) { return Promise.resolve(null); }
    return getJSON(el.dataset.boundariesUrl).then(function (data) {
      var layer = L.geoJSON(data, {
        style: function (f) {
          var district = f.properties.level !== "commune";
          return {color: district ? "#7a1f1f" : "#1d4e89", weight: district ? 2 : 1, fillOpacity: district ? 0 : 0.04};
        },
        onEachFeature: function (f, lyr) { lyr.bindTooltip(esc(f.properties.name), {sticky: true}); },
        interactive: el.dataset.mode !== "pick"
      }).addTo(map);
      if (fit && layer.getLayers().length) { map.fitBounds(layer.getBounds(), {padding: [8, 8]}); }
      return layer;
    }).catch(function () { return null; });
  }

  function pointMarker(latlng) {
    return L.circleMarker(latlng, {radius: 9, color: "#b3261e", weight: 3, fillColor: "#ff6f61", fillOpacity: 0.8});
  }

  function initPublic(map, el) {
    drawBoundaries(map, el, true);
    if (!el.dataset.pointsUrl) { return; }
    getJSON(el.dataset.pointsUrl).then(function (data) {
      L.geoJSON(data, {
        pointToLayer: function (f, latlng) {
          var closed = f.properties.status === "closed";
          return L.circleMarker(latlng, {radius: 7, weight: 2, color: closed ? "#1e7b34" : "#9a6700",
                                         fillColor: closed ? "#4caf50" : "#ffc107", fillOpacity: 0.9});
        },
        onEachFeature: function (f, lyr) {
          lyr.bindPopup('<a href="' + esc(f.properties.url) + '">' + esc(f.properties.title) + "</a><br>" +
                        esc(f.properties.category) + " · " + esc(f.properties.code));
        }
      }).addTo(map);
    }).catch(function () {});
  }

  function initPoint(map, el) {
    var lat = parseFloat(el.dataset.lat), lng = parseFloat(el.dataset.lng);
    drawBoundaries(map, el, false);
    if (!isNaN(lat) && !isNaN(lng)) { map.setView([lat, lng], 15); pointMarker([lat, lng]).addTo(map); }
  }

  function initPick(map, el) {
    var form = el.closest("form");
    var lat = form.querySelector("[name=latitude]"), lng = form.querySelector("[name=longitude]");
    var source = form.querySelector("[name=location_source]");
    var status = document.getElementById("fb-point-status");
    var gps = document.getElementById("fb-gps"), clear = document.getElementById("fb-clear-point");
    var marker = null;
    drawBoundaries(map, el, !lat.value);

    function setPoint(latlng, how, pan) {
      lat.value = latlng.lat.toFixed(6);
      lng.value = latlng.lng.toFixed(6);
      source.value = how;
      if (marker) { marker.setLatLng(latlng); } else { marker = pointMarker(latlng).addTo(map); }
      if (pan) { map.setView(latlng, Math.max(map.getZoom(), 15)); }
      status.textContent = (how === "gps" ? "Đã lấy vị trí hiện tại: " : "Đã chọn vị trí trên bản đồ: ") +
        lat.value + ", " + lng.value;
      clear.hidden = false;
      document.body.dispatchEvent(new CustomEvent("fb-location"));
    }

    if (lat.value && lng.value) { setPoint(L.latLng(parseFloat(lat.value), parseFloat(lng.value)), source.value || "map", true); }
    map.on("click", function (e) { setPoint(e.latlng, "map", false); });
    if (navigator.geolocation && gps) {
      gps.hidden = false;
      gps.addEventListener("click", function () {
        status.textContent = "Đang lấy vị trí…";
        navigator.geolocation.getCurrentPosition(function (pos) {
          setPoint(L.latLng(pos.coords.latitude, pos.coords.longitude), "gps", true);
        }, function () {
          status.textContent = "Không lấy được vị trí. Hãy chọn xã, phường ở trên hoặc chọn trên bản đồ.";
        }, {enableHighAccuracy: true, timeout: 15000});
      });
    }
    clear.addEventListener("click", function () {
      lat.value = ""; lng.value = ""; source.value = "typed";
      if (marker) { map.removeLayer(marker); marker = null; }
      status.textContent = "Chưa chọn vị trí trên bản đồ (không bắt buộc).";
      clear.hidden = true;
    });
  }

  function initHeat(map, el) {
    drawBoundaries(map, el, true);
    if (!el.dataset.heatUrl) { return; }
    getJSON(el.dataset.heatUrl).then(function (data) {
      var max = 1;
      data.cells.forEach(function (c) { max = Math.max(max, c.count); });
      data.cells.forEach(function (c) {
        var t = c.count / max;
        L.rectangle([[c.south, c.west], [c.north, c.east]], {
          weight: 0, fillOpacity: 0.25 + 0.55 * t, fillColor: t > 0.66 ? "#b3261e" : (t > 0.33 ? "#f57c00" : "#ffca28")
        }).bindTooltip(c.count + " phản ánh").addTo(map);
      });
    }).catch(function () {});
  }

  var INIT = {public: initPublic, pick: initPick, point: initPoint, heat: initHeat};
  document.querySelectorAll(".fb-map").forEach(function (el) {
    var init = INIT[el.dataset.mode];
    if (init) { init(makeMap(el), el); }
  });
})();

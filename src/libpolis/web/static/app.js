/* libpolis web: the maps (vendored Leaflet, no tile server: districts are the base layer). */
(function () {
  "use strict";

  // tooltips as text, never as HTML: names come from imported data
  function tip(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function valueColour(v, breaks) {
    if (v === null || v === undefined || breaks.length < 2) { return "#d73027"; }
    if (v <= breaks[0]) { return "#1a9850"; }
    if (v <= breaks[1]) { return "#fdae61"; }
    return "#d73027";
  }

  function dashboardMap(el) {
    var map = L.map(el, { preferCanvas: true, attributionControl: true });
    map.attributionControl.setPrefix(false);
    fetch(el.dataset.layers, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (layers) {
        var legend = layers.legend || { breaks: [], unit: "m" };
        var districts = L.geoJSON(layers.districts, {
          style: { color: "#555", weight: 1, fillColor: "#f4f1ea", fillOpacity: 1 },
          onEachFeature: function (f, layer) {
            var p = f.properties, txt = p.name;
            if (p.within_main !== null && p.within_main !== undefined) {
              txt += ": " + (100 * p.within_main).toFixed(1) + " % within " + legend.main + " " +
                legend.unit;
            }
            layer.bindTooltip(tip(txt));
          }
        }).addTo(map);
        var units = L.geoJSON(layers.units, {
          pointToLayer: function (f, ll) {
            return L.circleMarker(ll, { radius: 2.5, stroke: false, fillOpacity: 0.7,
              fillColor: valueColour(f.properties.value, legend.breaks) });
          },
          style: function (f) {  // cells with a shape (H3 hexagons)
            return { stroke: false, fillOpacity: 0.7,
              fillColor: valueColour(f.properties.value, legend.breaks) };
          }
        });
        var venues = L.geoJSON(layers.venues, {
          pointToLayer: function (f, ll) {
            return L.circleMarker(ll, { radius: 3, color: "#6a3d9a", weight: 1, fillOpacity: 0.6 })
              .bindTooltip(tip(f.properties.name + " (" + f.properties.kind + ")"));
          }
        });
        var libs = L.geoJSON(layers.libraries, {
          pointToLayer: function (f, ll) {
            return L.circleMarker(ll, { radius: 6, color: "#08306b", weight: 2, fillColor: "#4292c6",
              fillOpacity: 0.9 }).bindTooltip(tip(f.properties.name));
          },
          onEachFeature: function (f, layer) {
            layer.on("click", function () { window.location.href = "/libraries/" + f.properties.id; });
          }
        });
        units.addTo(map); venues.addTo(map); libs.addTo(map);
        L.control.layers(null, { "Residents' access": units, "Cultural venues": venues,
          "Libraries": libs, "Districts": districts }, { collapsed: false }).addTo(map);
        var b = units.getBounds();
        if (!b.isValid()) { b = districts.getBounds(); }
        if (!b.isValid()) { b = L.featureGroup([libs, venues]).getBounds(); }
        if (b.isValid()) { map.fitBounds(b); } else { map.setView([0, 0], 2); }
        map.attributionControl.addAttribution("Districts, population: workspace sources; © OpenStreetMap contributors where cited");
      })
      .catch(function () { el.textContent = "The map could not be loaded."; });
  }

  function pointMap(el) {
    var ll = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)];
    var map = L.map(el, { attributionControl: false }).setView(ll, 14);
    fetch("/api/map", { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (layers) {
        L.geoJSON(layers.districts, { style: { color: "#555", weight: 1, fillColor: "#f4f1ea",
          fillOpacity: 1 } }).addTo(map).bringToBack();
        L.geoJSON(layers.libraries, { pointToLayer: function (f, p) {
          return L.circleMarker(p, { radius: 4, color: "#08306b", weight: 1, fillColor: "#9ecae1",
            fillOpacity: 0.8 }).bindTooltip(tip(f.properties.name));
        } }).addTo(map);
      })
      .catch(function () { /* the point and its circles are enough */ });
    L.circleMarker(ll, { radius: 8, color: "#08306b", fillColor: "#4292c6", fillOpacity: 0.9 })
      .addTo(map).bindTooltip(tip(el.dataset.name));
    L.circle(ll, { radius: 500, color: "#1a9850", weight: 1, fill: false }).addTo(map);
    L.circle(ll, { radius: 1000, color: "#fdae61", weight: 1, fill: false }).addTo(map);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("map");
    if (!el || typeof L === "undefined") { return; }
    if (el.dataset.layers) { dashboardMap(el); } else if (el.dataset.lat) { pointMap(el); }
  });
})();

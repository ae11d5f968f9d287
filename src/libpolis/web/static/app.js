/* libpolis web: the maps (vendored Leaflet, no tile server: the basemap is the workspace's own
   streets and water, drawn as vectors under the data). Colours are colour-blind safe: viridis
   steps for access (light = near, dark = far), Okabe-Ito for libraries and venues. */
(function () {
  "use strict";

  var NEAR = "#fde725", MID = "#21918c", FAR = "#440154";
  var LIBRARY = "#0072b2", VENUE = "#cc79a7";
  var BASE = {
    water: { stroke: false, fillColor: "#86b6d8", fillOpacity: 0.6 },
    waterway: { color: "#5b9bd5", weight: 2, opacity: 0.8 },
    minor: { color: "#4d4d4d", weight: 1, opacity: 0.35 },
    major: { color: "#333333", weight: 1.8, opacity: 0.55 }
  };

  // tooltips as text, never as HTML: names come from imported data
  function tip(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function labels(el) {
    try { return JSON.parse(el.dataset.labels || "{}"); } catch (e) { return {}; }
  }

  function valueColour(v, breaks) {
    if (v === null || v === undefined || breaks.length < 2) { return FAR; }
    if (v <= breaks[0]) { return NEAR; }
    if (v <= breaks[1]) { return MID; }
    return FAR;
  }

  // the streets and water, thin and half transparent over the cells and under the markers
  // (their own pane: not clickable, not in the tab order)
  function basemap(map, fc) {
    map.createPane("basemap");
    map.getPane("basemap").style.zIndex = 450;
    map.getPane("basemap").style.pointerEvents = "none";
    return L.geoJSON(fc || { type: "FeatureCollection", features: [] }, {
      pane: "basemap", interactive: false,
      style: function (f) { return BASE[f.properties.layer] || BASE.minor; }
    }).addTo(map);
  }

  function dashboardMap(el) {
    var words = labels(el);
    var map = L.map(el, { preferCanvas: true, attributionControl: true });
    map.attributionControl.setPrefix(false);
    fetch(el.dataset.layers, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (layers) {
        var legend = layers.legend || { breaks: [], unit: "m" };
        var streets = basemap(map, layers.basemap);
        var districts = L.geoJSON(layers.districts, {
          style: { color: "#555", weight: 1, fillOpacity: 0 },  // a fill to hover, unseen
          onEachFeature: function (f, layer) {
            var p = f.properties, txt = p.name;
            if (p.within_main !== null && p.within_main !== undefined) {
              txt += ": " + (100 * p.within_main).toFixed(1) + " % " + (words.within || "within") +
                " " + legend.main + " " + legend.unit;
            }
            layer.bindTooltip(tip(txt));
          }
        }).addTo(map);
        var units = L.geoJSON(layers.units, {
          pointToLayer: function (f, ll) {
            return L.circleMarker(ll, { radius: 2.5, stroke: false, fillOpacity: 0.75,
              fillColor: valueColour(f.properties.value, legend.breaks) });
          },
          style: function (f) {  // cells with a shape (H3 hexagons) are drawn as that shape
            return { stroke: false, fillOpacity: 0.6,
              fillColor: valueColour(f.properties.value, legend.breaks) };
          }
        });
        var venues = L.geoJSON(layers.venues, {
          pointToLayer: function (f, ll) {
            return L.circleMarker(ll, { radius: 4, color: "#000", weight: 1, fillColor: VENUE,
              fillOpacity: 0.9 }).bindTooltip(tip(f.properties.name + " (" + f.properties.kind + ")"));
          }
        });
        var libs = L.geoJSON(layers.libraries, {
          pointToLayer: function (f, ll) {
            return L.circleMarker(ll, { radius: 6, color: "#fff", weight: 2, fillColor: LIBRARY,
              fillOpacity: 1 }).bindTooltip(tip(f.properties.name));
          },
          onEachFeature: function (f, layer) {
            layer.on("click", function () { window.location.href = "/libraries/" + f.properties.id; });
          }
        });
        units.addTo(map); venues.addTo(map); libs.addTo(map);
        var overlays = {};
        overlays[words.access || "Residents' access"] = units;
        overlays[words.venues || "Cultural venues"] = venues;
        overlays[words.libraries || "Libraries"] = libs;
        overlays[words.districts || "Districts"] = districts;
        overlays[words.streets || "Streets and water"] = streets;
        L.control.layers(null, overlays, { collapsed: false }).addTo(map);
        var b = units.getBounds();
        if (!b.isValid()) { b = districts.getBounds(); }
        if (!b.isValid()) { b = L.featureGroup([libs, venues]).getBounds(); }
        if (b.isValid()) { map.fitBounds(b); } else { map.setView([0, 0], 2); }
        map.attributionControl.addAttribution((words.attribution || "Districts, population: workspace sources") +
          "; © OpenStreetMap contributors");
      })
      .catch(function () { el.textContent = words.failed || "The map could not be loaded."; });
  }

  function pointMap(el) {
    var ll = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)];
    var map = L.map(el, { attributionControl: true }).setView(ll, 15);
    map.attributionControl.setPrefix(false);
    fetch("/api/map", { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (layers) {
        basemap(map, layers.basemap);
        L.geoJSON(layers.districts, { style: { color: "#555", weight: 1, fill: false } }).addTo(map);
        L.geoJSON(layers.libraries, { pointToLayer: function (f, p) {
          return L.circleMarker(p, { radius: 4, color: "#fff", weight: 1, fillColor: LIBRARY,
            fillOpacity: 0.8 }).bindTooltip(tip(f.properties.name));
        } }).addTo(map);
        if (layers.basemap && layers.basemap.features.length) {
          map.attributionControl.addAttribution("© OpenStreetMap contributors");
        }
      })
      .catch(function () { /* the point and its circles are enough */ });
    L.circleMarker(ll, { radius: 8, color: "#fff", weight: 2, fillColor: LIBRARY, fillOpacity: 1 })
      .addTo(map).bindTooltip(tip(el.dataset.name));
    L.circle(ll, { radius: 500, color: MID, weight: 2, fill: false }).addTo(map);
    L.circle(ll, { radius: 1000, color: FAR, weight: 2, dashArray: "6 4", fill: false }).addTo(map);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("map");
    if (!el || typeof L === "undefined") { return; }
    if (el.dataset.layers) { dashboardMap(el); } else if (el.dataset.lat) { pointMap(el); }
  });
})();

/* The directory map: Leaflet + marker clustering, markers from the GeoJSON endpoint.
 * The tiles are decoration: if they fail to load, the markers, the clusters and the list
 * below keep working. */
(function () {
  "use strict";
  var element = document.getElementById("carte");
  if (!element || !window.L) { return; }
  var status = document.getElementById("carte-statut");
  var map = L.map(element, { center: [50.49, 2.55], zoom: 9, scrollWheelZoom: false, keyboard: true });
  var tiles = L.tileLayer(element.dataset.tiles, { attribution: element.dataset.attribution, maxZoom: 18 });
  var tileErrors = 0;
  tiles.on("tileerror", function () {
    tileErrors += 1;
    if (tileErrors === 1) { element.classList.add("directory-map__canvas--no-tiles"); }
  });
  tiles.addTo(map);
  var finish = null;
  // chunkedLoading: 10,000 markers are added in slices without freezing the page; the map is
  // "ready" once the last slice is in.
  var clusters = L.markerClusterGroup({
    chunkedLoading: true, showCoverageOnHover: false,
    chunkProgress: function (processed, total) { if (processed === total && finish) { finish(); } }
  });
  map.addLayer(clusters);

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function popup(properties) {
    return '<p class="map-popup__title"><a href="' + escapeHtml(properties.url) + '">' + escapeHtml(properties.name) +
      "</a></p><p class=\"map-popup__meta\">" + escapeHtml(properties.commune) + "</p>";
  }

  var started = performance.now();
  fetch(element.dataset.geojson, { headers: { Accept: "application/geo+json" } })
    .then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.json();
    })
    .then(function (data) {
      var markers = data.features.map(function (feature) {
        var coordinates = feature.geometry.coordinates;
        var marker = L.marker([coordinates[1], coordinates[0]], {
          title: feature.properties.name, alt: feature.properties.name, keyboard: true
        });
        marker.bindPopup(popup(feature.properties));
        return marker;
      });
      var count = markers.length;
      finish = function () {
        finish = null;
        status.textContent = count === 0 ? element.dataset.msgNone :
          (count === 1 ? element.dataset.msgOne : element.dataset.msgMany.replace("%s", count.toLocaleString("fr-FR")));
        element.dataset.markers = String(count);
        element.dataset.loadMs = String(Math.round(performance.now() - started));
        element.dataset.ready = "1";
      };
      if (count) {
        map.fitBounds(L.latLngBounds(markers.map(function (marker) { return marker.getLatLng(); })),
          { padding: [20, 20], maxZoom: 13 });
        clusters.addLayers(markers);
      } else {
        finish();
      }
    })
    .catch(function () {
      status.textContent = element.dataset.msgError;
      element.dataset.ready = "error";
    });
  window.kollektifMap = { map: map, clusters: clusters };
})();

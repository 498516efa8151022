/* The directory map: Leaflet + marker clustering, markers from the GeoJSON endpoint.
 * The tiles are decoration: if they fail to load, the markers, the clusters and the list
 * below keep working. */
(function () {
  "use strict";
  var element = document.getElementById("carte");
  if (!element || !window.L) { return; }
  var status = document.getElementById("carte-statut");
  var map = L.map(element, { center: [50.49, 2.3], zoom: 8, scrollWheelZoom: false, keyboard: true, zoomControl: false });
  // Leaflet's controls speak English by default: their names come from the page, in French.
  L.control.zoom({
    zoomInTitle: element.dataset.msgZoomIn || "Zoom in",
    zoomOutTitle: element.dataset.msgZoomOut || "Zoom out"
  }).addTo(map);
  // Leaflet's credit without its flag (an inline SVG inside the link's text).
  map.attributionControl.setPrefix('<a href="https://leafletjs.com" hreflang="en">Leaflet</a>');
  // The department and its EPCI, served by the platform itself: drawn under the markers, and
  // above the tiles, so the map still shows where things are when no tile can be loaded.
  map.createPane("territoires");
  map.getPane("territoires").style.zIndex = 350;
  var outlines = null;
  var noTiles = false;
  // Without tiles, the EPCI are filled with a land colour so the department stands out.
  function landFill() {
    if (outlines && noTiles) {
      outlines.setStyle(function (feature) {
        return feature.properties.kind === "epci" ? { fillColor: "#f7f4ea", fillOpacity: 0.95 } : {};
      });
    }
  }
  if (element.dataset.outlines) {
    fetch(element.dataset.outlines)
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
      .then(function (data) {
        outlines = L.geoJSON(data, {
          pane: "territoires",
          interactive: false,
          attribution: element.dataset.outlinesAttribution,
          style: function (feature) {
            var department = feature.properties.kind === "departement";
            return {
              color: department ? "#1f2937" : "#4b5563", weight: department ? 2.5 : 1.2,
              fill: !department, fillColor: "#ffffff", fillOpacity: 0.1, opacity: 0.9,
              className: "map-outline map-outline--" + feature.properties.kind
            };
          }
        }).addTo(map);
        landFill();
        element.dataset.outlinesReady = "1";
      })
      .catch(function () { element.dataset.outlinesReady = "error"; });
  }
  var tiles = L.tileLayer(element.dataset.tiles, { attribution: element.dataset.attribution, maxZoom: 18 });
  var tileErrors = 0;
  tiles.on("tileerror", function () {
    tileErrors += 1;
    if (tileErrors === 1) {
      element.classList.add("directory-map__canvas--no-tiles");
      noTiles = true;
      landFill();
    }
  });
  tiles.addTo(map);
  var finish = null;
  // chunkedLoading: 10,000 markers are added in slices without freezing the page; the map is
  // "ready" once the last slice is in.
  // A cluster is a button named after what it holds ("13 acteurs, zoomer pour les voir"), not
  // a bare number.
  function clusterIcon(cluster) {
    var count = cluster.getChildCount();
    var size = count < 10 ? "small" : (count < 100 ? "medium" : "large");
    var icon = L.divIcon({
      html: "<div><span aria-hidden=\"true\">" + count + "</span></div>",
      className: "marker-cluster marker-cluster-" + size, iconSize: L.point(40, 40)
    });
    var create = icon.createIcon;
    icon.createIcon = function (old) {
      var div = create.call(icon, old);
      div.setAttribute("aria-label", (element.dataset.msgCluster || "%s").replace("%s", count.toLocaleString("fr-FR")));
      return div;
    };
    return icon;
  }
  var clusters = L.markerClusterGroup({
    chunkedLoading: true, showCoverageOnHover: false, iconCreateFunction: clusterIcon,
    chunkProgress: function (processed, total) { if (processed === total && finish) { finish(); } }
  });
  map.addLayer(clusters);

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function list(label, values) {
    if (!values || !values.length) { return ""; }
    return '<p class="map-popup__list"><strong>' + escapeHtml(label) + " :</strong> " +
      values.map(escapeHtml).join(", ") + "</p>";
  }

  function popup(properties) {
    var html = '<div class="map-popup">';
    if (properties.logo) {
      html += '<img class="map-popup__logo" src="' + escapeHtml(properties.logo) + '" alt="" loading="lazy">';
    }
    // One link per popup (at the end, named after the actor): the title is plain text.
    html += '<p class="map-popup__title">' + escapeHtml(properties.name) +
      '</p><p class="map-popup__meta">' + escapeHtml(properties.category_label) + " · " +
      escapeHtml(properties.commune) + "</p>";
    if (properties.approximate) {
      html += '<p class="map-popup__approximate">' + escapeHtml(element.dataset.msgApproximate) + "</p>";
    }
    html += list(element.dataset.msgSectors, properties.sectors);
    html += list(element.dataset.msgHelp, properties.can_help);
    html += '<p class="map-popup__link"><a href="' + escapeHtml(properties.url) + '">' +
      escapeHtml(element.dataset.msgLink) + '<span class="visually-hidden"> : ' + escapeHtml(properties.name) +
      "</span></a></p></div>";
    return html;
  }

  function icon(properties) {
    return L.divIcon({
      className: "map-marker map-marker--" + properties.category + (properties.approximate ? " map-marker--approximate" : ""),
      html: "", iconSize: [18, 18], iconAnchor: [9, 9], popupAnchor: [0, -9]
    });
  }

  /* A popup opened from the keyboard takes the focus (its text is read, its link is the next
   * Tab), Escape closes it from anywhere inside, and on close the focus goes back to the marker
   * that opened it (WCAG 2.4.3, RGAA 7.1 and 12.8). */
  var opener = null;
  var opened = null;
  map.on("popupopen", function (event) {
    var container = event.popup.getElement();
    var source = event.popup._source;
    opener = source && source._icon ? source._icon : null;
    opened = container;
    var close = container.querySelector(".leaflet-popup-close-button");
    if (close && element.dataset.msgClose) {
      close.setAttribute("aria-label", element.dataset.msgClose);
      close.setAttribute("title", element.dataset.msgClose);
    }
    var content = container.querySelector(".leaflet-popup-content");
    if (content) {
      content.setAttribute("tabindex", "-1");
      content.focus({ preventScroll: true });
    }
    container.addEventListener("keydown", function (keyEvent) {
      if (keyEvent.key === "Escape") {
        keyEvent.preventDefault();
        keyEvent.stopPropagation();
        map.closePopup();
      }
    });
  });
  map.on("popupclose", function () {
    var active = document.activeElement;
    var focusWasInside = !active || active === document.body || (opened && opened.contains(active));
    if (opener && focusWasInside && document.body.contains(opener)) { opener.focus({ preventScroll: true }); }
    opener = null;
    opened = null;
  });

  var started = performance.now();
  fetch(element.dataset.geojson, { headers: { Accept: "application/geo+json" } })
    .then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.json();
    })
    .then(function (data) {
      var markers = data.features.map(function (feature) {
        var coordinates = feature.geometry.coordinates;
        var properties = feature.properties;
        var marker = L.marker([coordinates[1], coordinates[0]], {
          icon: icon(properties), title: properties.name, alt: properties.name, keyboard: true
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
  window.kollektifMap = { map: map, clusters: clusters, outlines: function () { return outlines; } };
})();

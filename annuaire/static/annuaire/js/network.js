/* The network graph (cytoscape.js, served locally): actors as nodes coloured by sector or
 * kind and sized by their number of links, links as edges styled by type. Keyboard: arrows
 * pan, + and − zoom, N and P go from one actor to the next and show its card.
 * Above 600 actors the layout is force-directed, computed in a Web Worker (d3-force, vendored)
 * so that communities show as clusters. At rest, labels are shown for the larger actors only,
 * never overlapping (greedy placement by number of links); the others show theirs on hover,
 * on selection and with N/P. The current view can be downloaded as SVG or PNG, with its legend. */
(function () {
  "use strict";
  var element = document.getElementById("reseau-graphe");
  if (!element || !window.cytoscape) { return; }
  var status = document.getElementById("reseau-statut");
  var info = document.getElementById("reseau-fiche");
  var colourSelect = document.getElementById("couleur");
  var focusId = element.dataset.focus ? String(element.dataset.focus) : null;
  var LARGE = 600;
  var LABEL_PX = 12;
  var MAX_LABELS = 120;
  var PALETTE = ["#1f6f8b", "#c0392b", "#2e7d32", "#8e44ad", "#d35400", "#00796b", "#5d4037", "#ad1457", "#283593", "#827717"];
  var EDGE_STYLES = {
    mutualisation: { color: "#1f6f8b", style: "solid" },
    partenariat: { color: "#2e7d32", style: "solid" },
    collectif: { color: "#8e44ad", style: "dashed" },
    regroupement: { color: "#d35400", style: "dashed" },
    marrainage: { color: "#c0392b", style: "solid" },
    rencontre: { color: "#6b6b6b", style: "dotted" }
  };

  function colourMap(nodes, key) {
    var values = Array.from(new Set(nodes.map(function (n) { return n[key] || ""; }))).sort();
    var map = {};
    values.forEach(function (value, index) { map[value] = PALETTE[index % PALETTE.length]; });
    return map;
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  fetch(element.dataset.url, { headers: { Accept: "application/json" } })
    .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
    .then(function (data) {
      var colours = { sector: colourMap(data.nodes, "sector"), kind: colourMap(data.nodes, "kind") };
      var maxDegree = Math.max(1, Math.max.apply(null, data.nodes.map(function (n) { return n.degree; }).concat([1])));
      var elements = data.nodes.map(function (node) {
        return { group: "nodes", data: {
          id: String(node.id), label: node.label, url: node.url, kind: node.kind, sector: node.sector,
          commune: node.commune, degree: node.degree, colour: colours.sector[node.sector || ""],
          size: 14 + 36 * Math.sqrt(node.degree / maxDegree)
        } };
      }).concat(data.edges.map(function (edge) {
        var style = EDGE_STYLES[edge.kind] || EDGE_STYLES.rencontre;
        return { group: "edges", data: {
          id: "e" + edge.id, source: String(edge.source), target: String(edge.target), kind: edge.kind,
          colour: style.color, lineStyle: style.style, arrow: edge.kind === "marrainage" ? "triangle" : "none"
        } };
      }));
      var large = data.nodes.length > LARGE;
      var useWorker = large && !focusId && window.Worker && element.dataset.worker;
      var layout = focusId ? { name: "concentric", concentric: function (node) { return node.id() === focusId ? 10 : (node.degree() > 0 ? 5 : 1); }, levelWidth: function () { return 2; }, animate: false }
        : (useWorker ? { name: "preset" } : (large ? { name: "cose", animate: false, randomize: true, nodeRepulsion: 8000, numIter: 300 } : { name: "cose", animate: false, randomize: false, nodeRepulsion: 8000 }));
      var cy = cytoscape({
        container: element,
        elements: elements,
        wheelSensitivity: 0.3,
        hideEdgesOnViewport: large,
        textureOnViewport: large,
        style: [
          { selector: "node", style: {
            "background-color": "data(colour)", width: "data(size)", height: "data(size)",
            label: "", "font-size": 10, "text-valign": "bottom", "text-margin-y": 3,
            color: "#1a1a1a", "text-background-color": "#ffffff", "text-background-opacity": 0.85, "text-background-padding": 1
          } },
          { selector: "node.labelled", style: { label: "data(label)" } },
          { selector: "node.hover", style: { label: "data(label)", "z-index": 20 } },
          { selector: "node:selected", style: { "border-width": 4, "border-color": "#111111", label: "data(label)", "z-index": 30 } },
          { selector: "node.focus", style: { "border-width": 4, "border-color": "#000000", label: "data(label)" } },
          { selector: "edge", style: {
            width: 2, "line-color": "data(colour)", "line-style": "data(lineStyle)", "curve-style": "haystack",
            opacity: large ? 0.45 : 0.7
          } },
          { selector: "edge[kind = 'marrainage']", style: {
            "curve-style": "straight", "target-arrow-shape": "triangle", "target-arrow-color": "data(colour)"
          } }
        ],
        layout: layout
      });
      if (focusId) { cy.getElementById(focusId).addClass("focus"); }
      element.dataset.nodes = String(data.nodes.length);
      element.dataset.edges = String(data.edges.length);
      function ready() {
        if (status) status.textContent = status.dataset.msg.replace("%n", data.nodes.length.toLocaleString("fr-FR")).replace("%e", data.edges.length.toLocaleString("fr-FR"));
        placeLabels();
        element.dataset.layoutMs = String(Math.round(performance.now() - layoutStarted));
        element.dataset.ready = "1";
      }

      /* Labels at rest: the actors with the most links first, each label kept only if its box
       * (as drawn) overlaps no label already kept; font size constant on screen. */
      function placeLabels() {
        var zoom = cy.zoom();
        var extent = cy.extent();
        var margin = 3 / zoom;
        cy.style().selector("node.labelled, node.hover, node:selected, node.focus").style({
          "font-size": LABEL_PX / zoom, "text-margin-y": 3 / zoom, "text-background-padding": 1 / zoom
        }).update();
        var candidates = cy.nodes().filter(function (node) {
          var p = node.position();
          return p.x >= extent.x1 && p.x <= extent.x2 && p.y >= extent.y1 && p.y <= extent.y2;
        }).sort(function (a, b) { return (b.data("degree") - a.data("degree")) || a.data("label").localeCompare(b.data("label"), "fr"); });
        candidates = candidates.slice(0, MAX_LABELS * 3);
        cy.batch(function () {
          cy.nodes(".labelled").removeClass("labelled");
          candidates.addClass("labelled");
        });
        var kept = [];
        var rejected = [];
        candidates.forEach(function (node) {
          var box = node.boundingBox({ includeNodes: false, includeEdges: false, includeLabels: true });
          var ok = kept.length < MAX_LABELS && box.w > 0 && box.x1 >= extent.x1 && box.x2 <= extent.x2 && box.y2 <= extent.y2;
          for (var i = 0; ok && i < kept.length; i++) {
            var other = kept[i];
            if (box.x1 - margin < other.x2 && box.x2 + margin > other.x1 && box.y1 - margin < other.y2 && box.y2 + margin > other.y1) { ok = false; }
          }
          if (ok) { kept.push(box); } else { rejected.push(node); }
        });
        cy.batch(function () { cy.collection(rejected).removeClass("labelled"); });
        element.dataset.labels = String(kept.length);
      }
      var labelTimer = null;
      cy.on("viewport", function () {
        if (element.dataset.ready !== "1") { return; }
        clearTimeout(labelTimer);
        labelTimer = setTimeout(placeLabels, 250);
      });
      cy.on("mouseover", "node", function (event) { event.target.addClass("hover"); });
      cy.on("mouseout", "node", function (event) { event.target.removeClass("hover"); });

      var layoutStarted = performance.now();
      if (useWorker) {
        if (status && status.dataset.msgLayout) { status.textContent = status.dataset.msgLayout; }
        element.classList.add("network-canvas--computing");
        var index = {};
        data.nodes.forEach(function (node, i) { index[node.id] = i; });
        var pairs = new Int32Array(data.edges.length * 2);
        data.edges.forEach(function (edge, i) { pairs[2 * i] = index[edge.source]; pairs[2 * i + 1] = index[edge.target]; });
        var sizes = new Float32Array(data.nodes.length);
        for (var k = 0; k < data.nodes.length; k++) { sizes[k] = elements[k].data.size; }
        var worker = new Worker(element.dataset.worker);
        worker.onmessage = function (message) {
          if (message.data.type !== "done") { return; }
          var positions = message.data.positions;
          var nodes = cy.nodes();
          cy.batch(function () {
            for (var i = 0; i < data.nodes.length; i++) {
              cy.getElementById(String(data.nodes[i].id)).position({ x: positions[2 * i], y: positions[2 * i + 1] });
            }
          });
          nodes.length && cy.fit(undefined, 20);
          element.classList.remove("network-canvas--computing");
          element.dataset.layout = "force";
          element.dataset.workerMs = String(message.data.ms);
          worker.terminate();
          ready();
        };
        worker.onerror = function () {
          worker.terminate();
          cy.layout({ name: "cose", animate: false, randomize: true, numIter: 300 }).run();
          element.classList.remove("network-canvas--computing");
          element.dataset.layout = "cose";
          ready();
        };
        worker.postMessage({ scripts: JSON.parse(element.dataset.workerScripts || "[]"), count: data.nodes.length, edges: pairs, sizes: sizes }, [pairs.buffer, sizes.buffer]);
      } else {
        element.dataset.layout = focusId ? "concentric" : "cose";
        ready();
      }

      function show(node) {
        if (!info) { return; }
        cy.$(":selected").unselect();
        node.select();
        info.innerHTML = '<p><a href="' + escapeHtml(node.data("url")) + '">' + escapeHtml(node.data("label")) + "</a> — " +
          escapeHtml(node.data("commune")) + " (" + node.data("degree") + ")</p>";
      }
      cy.on("tap", "node", function (event) { show(event.target); });

      var order = cy.nodes().sort(function (a, b) { return a.data("label").localeCompare(b.data("label"), "fr"); });
      var position = -1;
      element.addEventListener("keydown", function (event) {
        var step = 60;
        var handled = true;
        switch (event.key) {
          case "ArrowLeft": cy.panBy({ x: step, y: 0 }); break;
          case "ArrowRight": cy.panBy({ x: -step, y: 0 }); break;
          case "ArrowUp": cy.panBy({ x: 0, y: step }); break;
          case "ArrowDown": cy.panBy({ x: 0, y: -step }); break;
          case "+": case "=": cy.zoom({ level: cy.zoom() * 1.25, renderedPosition: { x: element.clientWidth / 2, y: element.clientHeight / 2 } }); break;
          case "-": cy.zoom({ level: cy.zoom() / 1.25, renderedPosition: { x: element.clientWidth / 2, y: element.clientHeight / 2 } }); break;
          case "n": case "N": case "p": case "P":
            if (order.length) {
              position = (position + ((event.key === "n" || event.key === "N") ? 1 : order.length - 1)) % order.length;
              show(order[position]);
              cy.center(order[position]);
            }
            break;
          default: handled = false;
        }
        if (handled) { event.preventDefault(); }
      });
      document.querySelectorAll("[data-action]").forEach(function (button) {
        button.addEventListener("click", function () {
          var action = button.dataset.action;
          var centre = { x: element.clientWidth / 2, y: element.clientHeight / 2 };
          if (action === "zoom-in") { cy.zoom({ level: cy.zoom() * 1.25, renderedPosition: centre }); }
          if (action === "zoom-out") { cy.zoom({ level: cy.zoom() / 1.25, renderedPosition: centre }); }
          if (action === "fit") { cy.fit(undefined, 20); }
          if (action === "export-svg") { download(new Blob([toSvg()], { type: "image/svg+xml" }), "svg"); }
          if (action === "export-png") { toPng(function (blob) { download(blob, "png"); }); }
        });
      });
      if (colourSelect) {
        colourSelect.addEventListener("change", function () {
          var key = colourSelect.value;
          cy.batch(function () {
            cy.nodes().forEach(function (node) { node.data("colour", colours[key][node.data(key) || ""]); });
          });
        });
      }
      /* Export of the current view (what is on screen, labels included) with a title and the
       * legend of link types underneath, to print and hang. Built from the graph's data, not a
       * screenshot, so the SVG stays sharp at any size; the PNG is that SVG drawn at 2x. */
      function legendItems() {
        return Array.prototype.map.call(document.querySelectorAll(".network-legend [data-kind]"), function (item) {
          return { kind: item.dataset.kind, text: item.textContent.trim() };
        });
      }
      function attr(text) { return escapeHtml(text).replace(/"/g, "&quot;"); }
      var DASH = { solid: "", dashed: "8 5", dotted: "2 4" };
      function toSvg() {
        var width = element.clientWidth;
        var height = element.clientHeight;
        var legend = legendItems();
        var columns = width < 600 ? 2 : 3;
        var legendHeight = 56 + Math.ceil(legend.length / columns) * 24;
        var out = [];
        out.push('<svg xmlns="http://www.w3.org/2000/svg" width="' + width + '" height="' + (height + legendHeight) +
          '" viewBox="0 0 ' + width + " " + (height + legendHeight) + '" font-family="Arial, Helvetica, sans-serif">');
        out.push("<title>" + escapeHtml(document.title) + "</title>");
        out.push('<defs><marker id="fleche" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="' + EDGE_STYLES.marrainage.color + '"/></marker></defs>');
        out.push('<rect width="100%" height="100%" fill="#ffffff"/>');
        out.push('<g class="liens">');
        var inside = function (p) { return p.x >= -50 && p.x <= width + 50 && p.y >= -50 && p.y <= height + 50; };
        cy.edges().forEach(function (edge) {
          var a = edge.source().renderedPosition();
          var b = edge.target().renderedPosition();
          if (!inside(a) && !inside(b)) { return; }
          var style = EDGE_STYLES[edge.data("kind")] || EDGE_STYLES.rencontre;
          out.push('<line x1="' + a.x.toFixed(1) + '" y1="' + a.y.toFixed(1) + '" x2="' + b.x.toFixed(1) + '" y2="' + b.y.toFixed(1) +
            '" stroke="' + style.color + '" stroke-width="1.5" stroke-opacity="0.6"' + (DASH[style.style] ? ' stroke-dasharray="' + DASH[style.style] + '"' : "") +
            (edge.data("kind") === "marrainage" ? ' marker-end="url(#fleche)"' : "") + "/>");
        });
        out.push("</g>");
        var labels = [];
        out.push('<g class="acteurs">');
        cy.nodes().forEach(function (node) {
          var p = node.renderedPosition();
          if (!inside(p)) { return; }
          var r = node.renderedWidth() / 2;
          out.push('<circle class="acteur" cx="' + p.x.toFixed(1) + '" cy="' + p.y.toFixed(1) + '" r="' + r.toFixed(1) + '" fill="' + node.data("colour") +
            '" stroke="#ffffff" stroke-width="1"><title>' + escapeHtml(node.data("label")) + "</title></circle>");
          if (node.hasClass("labelled") || node.selected() || node.hasClass("focus")) { labels.push({ p: p, r: r, text: node.data("label") }); }
        });
        out.push("</g>");
        out.push('<g class="etiquettes" font-size="' + LABEL_PX + '" fill="#1a1a1a" text-anchor="middle" paint-order="stroke" stroke="#ffffff" stroke-width="3" stroke-linejoin="round">');
        labels.forEach(function (label) {
          out.push('<text x="' + label.p.x.toFixed(1) + '" y="' + (label.p.y + label.r + 3 + LABEL_PX).toFixed(1) + '">' + escapeHtml(label.text) + "</text>");
        });
        out.push("</g>");
        var top = height + 8;
        out.push('<g class="legende" font-size="13" fill="#1a1a1a">');
        out.push('<line x1="0" y1="' + height + '" x2="' + width + '" y2="' + height + '" stroke="#888888"/>');
        out.push('<text x="12" y="' + (top + 18) + '" font-weight="bold" font-size="15">' + escapeHtml(element.dataset.title || document.title) + "</text>");
        var columnWidth = (width - 24) / columns;
        legend.forEach(function (item, i) {
          var style = EDGE_STYLES[item.kind] || EDGE_STYLES.rencontre;
          var x = 12 + (i % columns) * columnWidth;
          var y = top + 44 + Math.floor(i / columns) * 24;
          out.push('<line x1="' + x + '" y1="' + (y - 4) + '" x2="' + (x + 36) + '" y2="' + (y - 4) + '" stroke="' + style.color + '" stroke-width="3"' +
            (DASH[style.style] ? ' stroke-dasharray="' + DASH[style.style] + '"' : "") + (item.kind === "marrainage" ? ' marker-end="url(#fleche)"' : "") + "/>");
          out.push('<text x="' + (x + 44) + '" y="' + y + '">' + escapeHtml(item.text) + "</text>");
        });
        out.push("</g></svg>");
        return out.join("\n");
      }
      function toPng(callback) {
        var svg = toSvg();
        var image = new Image();
        var url = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
        image.onload = function () {
          var canvas = document.createElement("canvas");
          canvas.width = image.width * 2;
          canvas.height = image.height * 2;
          var context = canvas.getContext("2d");
          context.scale(2, 2);
          context.drawImage(image, 0, 0);
          URL.revokeObjectURL(url);
          canvas.toBlob(callback, "image/png");
        };
        image.src = url;
      }
      function download(blob, extension) {
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = (element.dataset.filename || "reseau") + "." + extension;
        document.body.appendChild(link);
        link.click();
        setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
      }

      window.kollektifNetwork = cy;
      window.kollektifNetworkSvg = toSvg;
    })
    .catch(function () {
      if (status) { status.textContent = status.dataset.msgError || ""; }
      element.dataset.ready = "error";
    });
})();

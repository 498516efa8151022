/* The network graph (cytoscape.js, served locally): actors as nodes coloured by sector or
 * kind and sized by their number of links, links as edges styled by type. Keyboard: arrows
 * pan, + and − zoom, N and P go from one actor to the next and show its card. */
(function () {
  "use strict";
  var element = document.getElementById("reseau-graphe");
  if (!element || !window.cytoscape) { return; }
  var status = document.getElementById("reseau-statut");
  var info = document.getElementById("reseau-fiche");
  var colourSelect = document.getElementById("couleur");
  var focusId = element.dataset.focus ? String(element.dataset.focus) : null;
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
      var large = data.nodes.length > 600;
      var cy = cytoscape({
        container: element,
        elements: elements,
        wheelSensitivity: 0.3,
        hideEdgesOnViewport: large,
        textureOnViewport: large,
        style: [
          { selector: "node", style: {
            "background-color": "data(colour)", width: "data(size)", height: "data(size)",
            label: large ? "" : "data(label)", "font-size": 10, "text-valign": "bottom", "text-margin-y": 3,
            color: "#1a1a1a", "text-background-color": "#ffffff", "text-background-opacity": 0.8, "text-background-padding": 1
          } },
          { selector: "node:selected", style: { "border-width": 4, "border-color": "#111111", label: "data(label)" } },
          { selector: "node.focus", style: { "border-width": 4, "border-color": "#000000", label: "data(label)" } },
          { selector: "edge", style: {
            width: 2, "line-color": "data(colour)", "line-style": "data(lineStyle)", "curve-style": "haystack",
            opacity: 0.7
          } },
          { selector: "edge[kind = 'marrainage']", style: {
            "curve-style": "straight", "target-arrow-shape": "triangle", "target-arrow-color": "data(colour)"
          } }
        ],
        layout: focusId ? { name: "concentric", concentric: function (node) { return node.id() === focusId ? 10 : (node.degree() > 0 ? 5 : 1); }, levelWidth: function () { return 2; }, animate: false }
          : (large ? { name: "grid", animate: false } : { name: "cose", animate: false, randomize: false, nodeRepulsion: 8000 })
      });
      if (focusId) { cy.getElementById(focusId).addClass("focus"); }
      if (status) status.textContent = status.dataset.msg.replace("%n", data.nodes.length.toLocaleString("fr-FR")).replace("%e", data.edges.length.toLocaleString("fr-FR"));
      element.dataset.ready = "1";
      element.dataset.nodes = String(data.nodes.length);
      element.dataset.edges = String(data.edges.length);

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
      window.kollektifNetwork = cy;
    })
    .catch(function () {
      if (status) { status.textContent = status.dataset.msgError || ""; }
      element.dataset.ready = "error";
    });
})();

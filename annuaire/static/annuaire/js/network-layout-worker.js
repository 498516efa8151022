/* Force-directed layout of the network graph, computed off the main thread (d3-force, vendored).
 * In:  { scripts: [d3-dispatch, d3-quadtree, d3-timer, d3-force URLs], count: number of nodes, edges: Int32Array [source index, target index, ...], weights: Float32Array sizes }
 * Out: { type: "progress", done: 0..1 } a few times, then
 *      { type: "done", positions: Float32Array [x0, y0, x1, y1, ...], ticks, ms }.
 * Linked actors pull each other together and every actor repels the others, so groups that
 * work together end up as visible clusters (communities), unlike a grid. */
/* global importScripts, d3 */
self.onmessage = function (event) {
  "use strict";
  var started = Date.now();
  // The page passes the vendored scripts' URLs ({% static %}, so hashed names work too).
  if (!self.d3 || !self.d3.forceSimulation) { importScripts.apply(self, event.data.scripts); }
  var count = event.data.count;
  var pairs = event.data.edges;
  var sizes = event.data.sizes;
  var nodes = new Array(count);
  var i;
  for (i = 0; i < count; i++) { nodes[i] = { index: i, r: sizes ? sizes[i] / 2 : 8 }; }
  var links = new Array(pairs.length / 2);
  for (i = 0; i < links.length; i++) { links[i] = { source: pairs[2 * i], target: pairs[2 * i + 1] }; }
  // Fewer iterations on very large graphs: the layout stays readable and the wait bounded.
  var ticks = count > 5000 ? 160 : (count > 2000 ? 220 : 300);
  var simulation = d3.forceSimulation(nodes)
    .alphaDecay(1 - Math.pow(0.001, 1 / ticks))
    .force("link", d3.forceLink(links).distance(40).iterations(1))
    .force("charge", d3.forceManyBody().strength(-60).theta(0.9).distanceMax(600))
    .force("collide", d3.forceCollide(function (node) { return node.r + 2; }).iterations(1))
    .force("x", d3.forceX(0).strength(0.04))
    .force("y", d3.forceY(0).strength(0.04))
    .stop();
  var step = Math.max(1, Math.round(ticks / 10));
  for (i = 0; i < ticks; i++) {
    simulation.tick();
    if (i % step === 0) { self.postMessage({ type: "progress", done: i / ticks }); }
  }
  var positions = new Float32Array(count * 2);
  for (i = 0; i < count; i++) { positions[2 * i] = nodes[i].x; positions[2 * i + 1] = nodes[i].y; }
  self.postMessage({ type: "done", positions: positions, ticks: ticks, ms: Date.now() - started }, [positions.buffer]);
};

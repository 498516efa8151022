// Kollektif: the resizing script of a campaign embedded on another site (served at
// /integrer/integration.js, next to the <iframe data-kollektif-campagne> of the snippet).
// It listens for the height the embedded page posts, accepts it only from Kollektif's own
// origin (this script's) and from one of the page's Kollektif frames, and sizes that frame.
(function () {
  "use strict";
  if (window.kollektifIntegration) { return; }  // the snippet pasted twice: one listener
  var script = document.currentScript;
  var origin;
  try { origin = new URL(script.src).origin; } catch (error) { return; }
  window.kollektifIntegration = { origin: origin };

  function frameOf(source) {
    var frames = document.querySelectorAll("iframe[data-kollektif-campagne]");
    for (var i = 0; i < frames.length; i += 1) {
      if (frames[i].contentWindow === source) { return frames[i]; }
    }
    return null;
  }

  // Frames that loaded before this script missed their first height: ask them again, now and
  // whenever one (re)loads.
  function ask(frame) {
    try { frame.contentWindow.postMessage({ kollektif: "hauteur?" }, origin); } catch (error) { /* gone */ }
  }
  document.querySelectorAll("iframe[data-kollektif-campagne]").forEach(function (frame) {
    frame.addEventListener("load", function () { ask(frame); });
    ask(frame);
  });

  window.addEventListener("message", function (event) {
    if (event.origin !== origin) { return; }
    var data = event.data;
    if (!data || data.kollektif !== "hauteur" || typeof data.height !== "number" || !isFinite(data.height)) { return; }
    var frame = frameOf(event.source);
    if (!frame) { return; }
    var height = Math.max(150, Math.min(Math.ceil(data.height), 20000));
    frame.style.height = height + "px";
    frame.setAttribute("scrolling", "no");
    // a new step (card, thank-you page) starts at the top of the frame: bring it into view
    if (data.nouvellePage && frame.getBoundingClientRect().top < 0) {
      frame.scrollIntoView({ block: "start" });
    }
  });
}());

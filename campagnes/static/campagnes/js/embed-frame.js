// Inside the iframe of a campaign shown on another site (campagnes/embed.py): tell the host page
// how tall this page is, so that its resizing script (embed-host.js) sizes the frame to it.
// The message goes only to the origins allowed to frame this campaign (the association's
// listed sites): postMessage drops it for any other parent. It carries a height, nothing else.
(function () {
  "use strict";
  if (window.parent === window) { return; }
  var data = document.getElementById("kollektif-embed-parents");
  var parents = [];
  try { parents = data ? JSON.parse(data.textContent) : []; } catch (error) { parents = []; }
  var last = 0;
  var first = true;

  function send() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last && !first) { return; }
    last = height;
    var message = { kollektif: "hauteur", height: height, nouvellePage: first };
    first = false;
    parents.forEach(function (origin) {
      try { window.parent.postMessage(message, origin); } catch (error) { /* not an origin */ }
    });
  }

  // The host's script may start after this page has loaded (it is fetched after the frame, or
  // late on a slow connection) and then missed the first heights: it asks, this page answers.
  window.addEventListener("message", function (event) {
    if (parents.indexOf(event.origin) === -1 || !event.data || event.data.kollektif !== "hauteur?") { return; }
    last = 0;
    send();
  });

  if (typeof ResizeObserver !== "undefined") {
    new ResizeObserver(send).observe(document.documentElement);
  }
  window.addEventListener("load", send);
  send();
}());

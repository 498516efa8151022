// Campaign progress on cached pages (issue #16, item 4), progressive enhancement: the page as
// served already shows each campaign's figures, as they were when the page was cached (at most a
// few minutes). This script asks the association's progress feed (campagnes/progress_feed.py, a
// few seconds old at most) and swaps in each campaign's block, rendered by the same template.
// It runs when the page loads and again when the visitor comes back to the tab, never more than
// once a minute. No aria-live region: a silent update while the visitor reads, never an
// announcement; whoever reaches the figures hears the current ones.
(function () {
  "use strict";
  var list = document.querySelector("[data-progress-feed]");
  if (!list || !window.fetch) { return; }
  var url = list.getAttribute("data-progress-feed");
  var last = 0;

  function apply(data) {
    var campaigns = (data && data.campaigns) || {};
    list.querySelectorAll("[data-progress-campaign]").forEach(function (block) {
      var html = campaigns[block.getAttribute("data-progress-campaign")];
      if (!html) { return; }
      var template = document.createElement("template");
      template.innerHTML = html;
      var fresh = template.content.firstElementChild;
      if (fresh && fresh.outerHTML !== block.outerHTML) { block.replaceWith(fresh); }
    });
  }

  function refresh() {
    var now = Date.now();
    if (now - last < 60000) { return; }
    last = now;
    fetch(url, { credentials: "omit", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(apply)
      .catch(function () { /* the figures already shown stay */ });
  }

  refresh();
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { refresh(); }
  });
})();

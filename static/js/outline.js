// The outline beside a page of indicator blocks (the dimension page, the review page).
// An indicator reached by its link (the outline, a list of what was sent back, the page after
// a save without script) opens its folded details; when a save replaces or updates a block,
// the outline follows the block's new state and the count of finished ones. Without this script the
// outline still links to each indicator and <details> still opens on a click.
(function () {
  "use strict";
  var SYMBOLS = { complete: "\u2713", checked: "\u2713", returned: "\u21a9", recheck: "\u21a9", missing: "\u2022", unchecked: "\u2022" };
  var DONE = "[data-indicator-block][data-state=complete], [data-indicator-block][data-state=checked]";

  function openTarget() {
    var id = location.hash && decodeURIComponent(location.hash.slice(1));
    // A comment thread lives in its indicator's editor, which opens (and loads) on demand.
    var thread = /^thread-(\d+)$/.exec(id || "");
    var target = id && document.getElementById(thread ? "ind-" + thread[1] : id);
    var details = target && target.querySelector("details.indicator-editor");
    if (details) details.open = true;
    if (details && thread && target.scrollIntoView) target.scrollIntoView();
  }

  function follow(block) {
    var state = block.getAttribute("data-state");
    if (!state) return;
    document.querySelectorAll(".dimension-outline a[href='#" + block.id + "']").forEach(function (link) {
      var mark = link.querySelector(".outline-state");
      mark.className = "outline-state outline-" + state;
      mark.textContent = SYMBOLS[state] || "";
      link.querySelector(".outline-label").textContent = " (" + block.getAttribute("data-state-label") + ")";
    });
    var done = document.querySelectorAll(DONE).length;
    document.querySelectorAll("[data-complete-count]").forEach(function (count) { count.textContent = done; });
  }

  new MutationObserver(function (records) {
    records.forEach(function (record) {
      record.addedNodes.forEach(function (node) {
        if (node.nodeType === 1 && node.matches("[data-indicator-block]")) follow(node);
      });
    });
  }).observe(document.querySelector("main") || document.body, { childList: true, subtree: true });
  // A save answered with JSON updates the block in place (assessments/self_assessment.js).
  document.addEventListener("lpa:block-saved", function (event) { follow(event.target); });
  window.addEventListener("hashchange", openTarget);
  openTarget();
})();

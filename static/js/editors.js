// Editors on demand, for the pages of indicator blocks (the dimension page, the review page).
// A block's <details data-editor-url> opened for the first time fetches the indicator's
// editor into its [data-editor] slot; the server marks what it sends with the X-LPA-Editor
// header, so a sign-in page or an error is never put in its place. The page's live region
// (#save-status, with its data-loading and data-load-failed texts) says what happens, and
// "lpa:editor-loaded" tells the page's own script. Without this script the block's link
// opens the editor as a page of its own.
(function () {
  "use strict";
  var live = document.getElementById("save-status");
  if (!live || !window.fetch) return;

  function say(text) { live.textContent = text || ""; }

  function load(details) {
    if (details.hasAttribute("data-editor-loaded") || details.hasAttribute("aria-busy")) return;
    var slot = details.querySelector("[data-editor]");
    if (!slot) return;
    details.setAttribute("aria-busy", "true");
    say(live.dataset.loading);
    fetch(details.dataset.editorUrl, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok || !response.headers.get("X-LPA-Editor")) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        slot.innerHTML = html;
        details.setAttribute("data-editor-loaded", "");
        say("");
        details.dispatchEvent(new CustomEvent("lpa:editor-loaded", { bubbles: true }));
      })
      // The block's link to the editor page stays: the way in without script.
      .catch(function () { say(live.dataset.loadFailed || live.dataset.failed); })
      .then(function () { details.removeAttribute("aria-busy"); });
  }

  // "toggle" does not bubble: listen while it goes down to the details.
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (details.matches && details.matches("details[data-editor-url]") && details.open) load(details);
  }, true);
  document.querySelectorAll("details[data-editor-url][open]").forEach(load);
})();

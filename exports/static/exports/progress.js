// Follows a background export: polls its status and reloads the page when it is done or
// failed (the page then offers the file or says what went wrong). Without JavaScript the
// page has a reload link.
(function () {
  "use strict";
  var box = document.getElementById("export-progress");
  if (!box || box.dataset.pending !== "1") return;
  var label = box.querySelector("[data-export-label]");
  var count = box.querySelector("[data-export-count]");
  var bar = box.querySelector("[data-export-bar]");
  var percent = box.querySelector("[data-export-percent]");
  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (state) {
        if (state.status === "done" || state.status === "failed") { window.location.reload(); return; }
        label.textContent = state.label;
        if (count && state.total) count.textContent = "(" + state.done + " / " + state.total + ")";
        if (bar) { bar.value = state.percent; bar.textContent = state.percent + "%"; }
        if (percent) percent.textContent = state.percent + "%";
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1500);
})();

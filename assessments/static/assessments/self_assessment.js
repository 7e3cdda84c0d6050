// The dimension page, progressively enhanced: each indicator's forms (answer, files, links,
// removal) are sent with fetch and the server answers with that indicator's block alone,
// which replaces the old one; other blocks, and whatever is typed in them, stay as they
// are. A comment gets back its thread alone, so an answer being typed in the same block
// stays too. The result is read out in the page's live region. Without this script the same
// forms post normally and the server redirects back (or shows the page with the errors).
(function () {
  "use strict";
  // "ไม่มีภารกิจนี้" (not applicable) ticked: the answer's own fields (level, ticked items,
  // figure) do not count, so they are disabled until it is unticked. The server drops them
  // too (selfassessment.clean_answer), so this only saves typing into a box that is ignored.
  function applyNotApplicable(box) {
    var form = box.form;
    if (!form) return;
    form.querySelectorAll("[data-answer-values] input, [data-answer-values] select, [data-answer-values] textarea")
      .forEach(function (field) { field.disabled = box.checked; });
  }
  function applyAll(root) {
    root.querySelectorAll("input[data-not-applicable]").forEach(applyNotApplicable);
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("input[data-not-applicable]")) applyNotApplicable(event.target);
  });
  applyAll(document);
  // A block sent back by the server after a save replaces the old one: apply it there too.
  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      change.addedNodes.forEach(function (node) { if (node.querySelectorAll) applyAll(node); });
    });
  }).observe(document.body, { childList: true, subtree: true });
})();

(function () {
  "use strict";
  var live = document.getElementById("save-status");
  if (!live || !window.fetch || !window.FormData) return;

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var block = form.closest("[data-comment-thread]") || form.closest("[data-indicator-block]");
    if (!block || !form.hasAttribute("data-block-form")) return;
    event.preventDefault();
    var data = new FormData(form);
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (button) { button.disabled = true; });
    block.setAttribute("aria-busy", "true");
    live.textContent = live.dataset.saving;
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    })
      .then(function (response) {
        // 200 saved, 422 refused, 409 someone saved first: all come back as the block.
        if (!response.headers.get("X-LPA-Block")) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        var id = block.id;
        block.outerHTML = html;
        var fresh = document.getElementById(id);
        var message = fresh.querySelector("[data-block-message]");
        var invalid = fresh.querySelector("[aria-invalid=true]");
        var errors = fresh.querySelectorAll(".invalid-feedback, .alert-danger");
        var text = message ? message.textContent.trim() : "";
        errors.forEach(function (error) { text += " " + error.textContent.trim(); });
        live.textContent = text.trim();
        (invalid || (message && message.textContent.trim() ? message : fresh.querySelector("h3, h4"))).focus();
      })
      .catch(function () {
        live.textContent = live.dataset.failed;
        block.removeAttribute("aria-busy");
        buttons.forEach(function (button) { button.disabled = false; });
      });
  });
})();


// The review page, progressively enhanced: an indicator's verified result and its comments
// are sent with fetch. The server answers a result with the indicator's block (and the
// dimension's new totals beside it), a comment with the thread alone; either replaces the
// old one, so whatever is typed elsewhere on the page stays. The result is read out in the
// page's live region. Without this script the same forms post normally and the server
// redirects back (or shows the page with the errors).
(function () {
  "use strict";
  var live = document.getElementById("save-status");
  if (!live || !window.fetch || !window.FormData || !("content" in document.createElement("template"))) return;

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-block-form")) return;
    var target = form.closest("[data-comment-thread]") || form.closest("[data-indicator-block]");
    if (!target) return;
    event.preventDefault();
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (button) { button.disabled = true; });
    target.setAttribute("aria-busy", "true");
    live.textContent = live.dataset.saving;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    })
      .then(function (response) {
        // 200 saved, 422 refused, 409 another assessor saved first: all come back as HTML.
        if (!response.headers.get("X-LPA-Block")) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        var parsed = document.createElement("template");
        parsed.innerHTML = html;
        var fresh = parsed.content.querySelector("#" + CSS.escape(target.id));
        if (!fresh) throw new Error("no block in the answer");
        target.replaceWith(fresh);
        // The dimension's totals travel beside a saved block.
        var totals = parsed.content.querySelector("[data-out-of-band] > [id]");
        var old = totals && document.getElementById(totals.id);
        if (old) old.replaceWith(totals);
        var message = fresh.querySelector("[data-block-message]");
        var invalid = fresh.querySelector("[aria-invalid=true]");
        var text = message ? message.textContent.trim() : "";
        fresh.querySelectorAll(".invalid-feedback, .alert-danger").forEach(function (error) {
          text += " " + error.textContent.trim();
        });
        live.textContent = text.trim();
        (invalid || (message && message.textContent.trim() ? message : fresh.querySelector("h3, h4"))).focus();
      })
      .catch(function () {
        live.textContent = live.dataset.failed;
        target.removeAttribute("aria-busy");
        buttons.forEach(function (button) { button.disabled = false; });
      });
  });
})();

// The review page, progressively enhanced. Each indicator is shown compactly; opening its
// block fetches the indicator's editor (evidence, both sides, the result's form, the thread)
// into it (static/js/editors.js). A verified result is saved with fetch and answered with
// JSON: the block, the outline and the dimension's totals and counters follow in place, and a
// refusal brings the editor back with its errors beside the fields, nothing typed lost. A
// comment comes back as its thread. Each outcome is read out in the page's live region.
// Without this script the block links to the editor's own page, whose forms post normally.
(function () {
  "use strict";
  var live = document.getElementById("save-status");
  if (!live || !window.fetch || !window.FormData || !("content" in document.createElement("template"))) return;
  var SYMBOLS = { checked: "\u2713", recheck: "\u21a9", unchecked: "\u2022" };
  var BADGES = { checked: "text-bg-success", recheck: "text-bg-danger", unchecked: "text-bg-warning" };

  function say(text) { live.textContent = text || ""; }

  function follow(block, state, label) {
    block.setAttribute("data-state", state);
    block.setAttribute("data-state-label", label);
    var badge = block.querySelector("[data-state-badge]");
    if (badge) {
      badge.className = "badge " + BADGES[state];
      badge.textContent = label;
    }
    // The outline beside the blocks (templates/snippets/indicator_outline.html).
    document.querySelectorAll(".dimension-outline a[href='#" + block.id + "']").forEach(function (link) {
      var mark = link.querySelector(".outline-state");
      if (mark) {
        mark.className = "outline-state outline-" + state;
        mark.textContent = SYMBOLS[state] || "";
      }
      var hidden = link.querySelector(".outline-label");
      if (hidden) hidden.textContent = " (" + label + ")";
    });
  }

  function showMessage(block, text, level) {
    var box = block.querySelector("[data-block-message]");
    if (!box) return null;
    box.textContent = "";
    if (text) {
      var alert = document.createElement("div");
      alert.className = "alert alert-" + level + " py-2 mb-2";
      alert.textContent = text;
      box.appendChild(alert);
    }
    return box;
  }

  function saved(block, form, data) {
    var version = form.querySelector("input[name$='-version']");
    if (version) version.value = data.version;
    var points = block.querySelector("[data-verified-points]");
    if (points) points.textContent = data.points_text;
    follow(block, data.state, data.state_label);
    if (data.state === "checked") {
      block.querySelectorAll("[data-recheck], [data-recheck-note]").forEach(function (node) { node.remove(); });
    }
    var lines = block.querySelector("[data-verified-lines]");
    if (lines) {
      lines.textContent = "";
      lines.className = "small mb-1";
      data.lines.forEach(function (line) {
        var item = document.createElement("li");
        item.textContent = line;
        lines.appendChild(item);
      });
    }
    var reason = block.querySelector("[data-verified-reason]");
    if (reason) {
      reason.querySelector("span").textContent = data.reason;
      reason.hidden = !data.reason;
    }
    var updated = block.querySelector("[data-verified-updated]");
    if (updated) updated.hidden = true;  // the time and name of the earlier save
    var totals = document.querySelector("[data-verified-total]");
    if (totals) {
      var parsed = document.createElement("template");
      parsed.innerHTML = data.totals;
      totals.replaceChildren(parsed.content);
    }
    document.querySelectorAll("[data-complete-count]").forEach(function (count) { count.textContent = data.checked; });
    var box = showMessage(block, data.message, "success");
    say(data.message);
    if (box) box.focus();
  }

  function refused(block, data) {
    // Only the team's side is replaced: a comment being typed in the thread stays.
    var parsed = document.createElement("template");
    parsed.innerHTML = data.editor || "";
    var fresh = parsed.content.querySelector("[data-verified-side]");
    var side = block.querySelector("[data-verified-side]");
    if (fresh && side) side.replaceWith(fresh);
    var box = showMessage(block, data.message, data.level === "warning" ? "warning" : "danger");
    say(data.message);
    var invalid = block.querySelector("[aria-invalid=true]");
    (invalid || box).focus();
  }

  function saveResult(form, block) {
    return fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
    }).then(function (response) {
      // 200 saved, 422 refused, 409 another assessor saved first: all come back as JSON.
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") !== 0) throw new Error("HTTP " + response.status);
      return response.json().then(function (data) {
        if (data.saved) saved(block, form, data);
        else refused(block, data);
      });
    });
  }

  function saveComment(form, thread) {
    return fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    })
      .then(function (response) {
        if (!response.headers.get("X-LPA-Block")) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        var parsed = document.createElement("template");
        parsed.innerHTML = html;
        var fresh = parsed.content.querySelector("#" + CSS.escape(thread.id));
        if (!fresh) throw new Error("no thread in the answer");
        thread.replaceWith(fresh);
        var message = fresh.querySelector("[data-block-message]");
        var invalid = fresh.querySelector("[aria-invalid=true]");
        var text = message ? message.textContent.trim() : "";
        fresh.querySelectorAll(".invalid-feedback, .alert-danger").forEach(function (error) {
          text += " " + error.textContent.trim();
        });
        say(text.trim());
        (invalid || (message && message.textContent.trim() ? message : fresh.querySelector("h4"))).focus();
      });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var block = form.closest("[data-indicator-block]");
    var thread = form.hasAttribute("data-block-form") && form.closest("[data-comment-thread]");
    if (!(form.hasAttribute("data-verified-form") && block) && !thread) return;
    event.preventDefault();
    var buttons = form.querySelectorAll("button");
    var busy = thread || block;
    buttons.forEach(function (button) { button.disabled = true; });
    busy.setAttribute("aria-busy", "true");
    say(live.dataset.saving);
    (thread ? saveComment(form, thread) : saveResult(form, block))
      .catch(function () { say(live.dataset.failed); })
      .then(function () {
        busy.removeAttribute("aria-busy");
        buttons.forEach(function (button) { button.disabled = false; });
      });
  });
})();

// The dimension page, progressively enhanced.
// - Blocks are compact; opening one ("แก้ไขคำตอบและหลักฐาน") fetches its editor (criteria,
//   forms, evidence, comments) into the block (static/js/editors.js).
// - Saving an answer sends the form with fetch and gets JSON back: the new version, the
//   block's summary and state, the dimension's counters and a message; a refusal comes back
//   as messages by field, shown beside each field with nothing typed lost. A conflict (409),
//   and the evidence forms, get the indicator's whole block back, which replaces the old one.
//   A comment gets back its thread alone. Other blocks, and whatever is typed in them, stay.
// Results are read out in the page's live region. Without script the same forms post
// normally and the server redirects back (or shows the editor page with the messages).
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
  // A block or an editor sent back by the server: apply it there too.
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
  var HEADERS = { "X-Requested-With": "fetch" };

  function clearErrors(form) {
    form.querySelectorAll("[data-js-error]").forEach(function (node) { node.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (node) { node.removeAttribute("aria-invalid"); });
    var box = form.querySelector("[data-form-errors]");
    if (box) box.textContent = "";
  }

  function showErrors(form, data) {
    var first = null;
    (data.errors || []).forEach(function (error) {
      var field = form.elements[error.name];
      if (!field) return;
      var fields = field.length !== undefined && !field.tagName ? Array.prototype.slice.call(field) : [field];
      var group = fields.length > 1 || (fields[0].type === "radio" || fields[0].type === "checkbox") && fields[0].closest("fieldset");
      var anchor = group ? fields[0].closest("fieldset") : fields[0];
      var note = document.createElement("div");
      note.className = "invalid-feedback d-block";
      note.id = error.id + "_errors";
      note.setAttribute("data-js-error", "");
      note.textContent = error.messages.join(" ");
      if (group) anchor.appendChild(note); else anchor.insertAdjacentElement("afterend", note);
      fields.forEach(function (input) {
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", note.id);
      });
      if (!first) first = fields[0];
    });
    var box = form.querySelector("[data-form-errors]");
    if (box && data.message) {
      var alert = document.createElement("div");
      alert.className = "alert alert-danger py-2";
      alert.setAttribute("role", "alert");
      alert.textContent = data.message;
      box.appendChild(alert);
    }
    return first;
  }

  function showMessage(block, text, level) {
    var holder = block.querySelector("[data-block-message]");
    if (!holder) return;
    holder.textContent = "";
    if (!text) return;
    var alert = document.createElement("div");
    alert.className = "alert alert-" + level + " py-2 mb-2";
    alert.textContent = text;
    holder.appendChild(alert);
  }

  // A saved answer: the block's summary, state and version, the page's counters.
  function applySaved(form, block, data) {
    form.querySelector("input[name$='-version']").value = data.version;
    // Saved as not applicable: the server dropped the values beside it; so does the form.
    var notApplicable = form.querySelector("input[data-not-applicable]");
    if (notApplicable && notApplicable.checked) {
      form.querySelectorAll("[data-answer-values] input").forEach(function (field) {
        if (field.type === "radio" || field.type === "checkbox") field.checked = false; else field.value = "";
      });
    }
    block.querySelector("[data-block-summary]").innerHTML = data.summary;
    block.setAttribute("data-state", data.state);
    block.setAttribute("data-state-label", data.state_label);
    showMessage(block, data.message, "success");
    document.querySelectorAll("[data-complete-count]").forEach(function (count) { count.textContent = data.done; });
    document.querySelectorAll("[data-indicator-count]").forEach(function (count) { count.textContent = data.count; });
    block.dispatchEvent(new CustomEvent("lpa:block-saved", { bubbles: true, detail: data }));
  }

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
    function done() {
      block.removeAttribute("aria-busy");
      buttons.forEach(function (button) { button.disabled = false; });
    }
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin", headers: HEADERS })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === 0 && (response.ok || response.status === 422)) {
          return response.json().then(function (json) { return { json: json, status: response.status }; });
        }
        // 200 saved, 422 refused, 409 someone saved first: the block (or the thread) comes back.
        if (!response.headers.get("X-LPA-Block")) throw new Error("HTTP " + response.status);
        return response.text().then(function (html) { return { html: html }; });
      })
      .then(function (result) {
        if (result.json) {
          done();
          clearErrors(form);
          if (result.status === 200) {
            applySaved(form, block, result.json);
            live.textContent = result.json.message;
            block.querySelector("[data-block-message]").focus();
          } else {
            var first = showErrors(form, result.json);
            live.textContent = Array.prototype.map.call(
              form.querySelectorAll("[data-js-error], [data-form-errors] .alert"), function (node) { return node.textContent; }
            ).join(" ");
            (first || form.querySelector("[data-form-errors]")).focus();
          }
          return;
        }
        var id = block.id;
        block.outerHTML = result.html;
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
        done();
      });
  });
})();

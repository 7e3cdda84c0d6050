// The indicator form, progressively enhanced: show only the columns and fields the chosen
// scoring kind uses (hidden ones are disabled, so they are not sent), and add option rows
// without a reload. Without this script every field shows and the server checks them all.
(function () {
  "use strict";
  var form = document.querySelector("[data-indicator-form]");
  if (!form) return;
  var kind = form.querySelector("select[name=kind]");
  var table = form.querySelector("[data-options] tbody");
  var template = form.querySelector("template[data-empty-option]");
  var addButton = form.querySelector("[data-add-option]");
  var total = form.querySelector("input[name=options-TOTAL_FORMS]");

  function showKind() {
    form.querySelectorAll("[data-kinds]").forEach(function (element) {
      var shown = element.dataset.kinds.split(" ").indexOf(kind.value) !== -1;
      element.hidden = !shown;
      element.querySelectorAll("input, textarea, select").forEach(function (input) {
        input.disabled = !shown;
      });
    });
  }

  function addRow() {
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, index).replace(/__num__/g, index + 1);
    table.insertAdjacentHTML("beforeend", html);
    total.value = index + 1;
    showKind();
    table.lastElementChild.querySelector("input[type=text]").focus();
  }

  if (kind) {
    kind.addEventListener("change", showKind);
    showKind();
  }
  if (addButton && table && template && total) {
    addButton.hidden = false;
    addButton.addEventListener("click", addRow);
    form.querySelectorAll("[data-no-script]").forEach(function (element) {
      element.hidden = true;
    });
  }
})();

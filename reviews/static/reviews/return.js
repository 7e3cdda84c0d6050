// The return form, progressively enhanced: each indicator's reason box opens when its tick is
// ticked (and stays open while it holds text or an error, so nothing typed is hidden), and a
// count of the ticked indicators sits beside the button at the foot of the screen. Without
// this script every reason box shows and the server checks the same rules.
(function () {
  "use strict";
  var form = document.querySelector("[data-return-form]");
  if (!form) return;
  var count = form.querySelector("[data-flag-count]");
  var flags = form.querySelectorAll("[data-return-flag]");

  function sync(flag, focus) {
    var box = document.getElementById(flag.getAttribute("aria-controls"));
    if (!box) return;
    var text = box.querySelector("textarea");
    var open = flag.checked || (text && text.value.trim() !== "") || box.querySelector(".invalid-feedback") !== null;
    box.hidden = !open;
    if (focus && flag.checked && text) text.focus();
  }

  function recount() {
    if (!count) return;
    var ticked = form.querySelectorAll("[data-return-flag]:checked").length;
    count.textContent = count.dataset.template.replace("{n}", ticked);
    count.hidden = false;
  }

  flags.forEach(function (flag) {
    sync(flag, false);
    flag.addEventListener("change", function () {
      sync(flag, true);
      recount();
    });
  });
  recount();
})();

/* Small page behaviours: add formset rows, and keyboard shortcuts shown in the UI. No inline scripts anywhere. */
(function () {
  "use strict";

  function addFormsetRow(button) {
    var table = document.getElementById(button.dataset.formsetAdd);
    var prefix = button.dataset.formsetPrefix;
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById("arrangement-template");
    if (!table || !total || !template) { return; }
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    table.querySelector("tbody").insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var rows = table.querySelectorAll("tbody tr");
    var first = rows[rows.length - 1].querySelector("input");
    if (first) { first.focus(); }
  }

  // On a phone the menu starts folded under one "菜单" line, so the page's own content is on the first screen;
  // without JS it stays open, as on a desktop.
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.matchMedia("(max-width: 760px)").matches) { return; }
    document.querySelectorAll("details[data-fold-on-phone]").forEach(function (fold) { fold.open = false; });
  });

  // A refused step (or any form returned with an error block marked data-focus-on-load): show the error where the
  // user is looking, and let a screen reader read it.
  document.addEventListener("DOMContentLoaded", function () {
    var refused = document.querySelector("[data-focus-on-load]");
    if (!refused) { return; }
    refused.focus({ preventScroll: true });
    refused.scrollIntoView({ block: "center" });
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target instanceof HTMLElement && target.dataset.formsetAdd) {
      event.preventDefault();
      addFormsetRow(target);
    }
    if (target instanceof HTMLElement && target.hasAttribute("data-print")) {
      window.print();
    }
    if (target instanceof HTMLElement && target.dataset.confirm) {
      if (!window.confirm(target.dataset.confirm)) { event.preventDefault(); }
    }
  });
})();

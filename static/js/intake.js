/* Intake page: Ctrl+Enter submits, Alt+N adds a petitioner, Alt+S jumps to the repeat suggestions. */
(function () {
  "use strict";

  var form = document.getElementById("intake-form");
  if (!form) { return; }
  var suggestions = document.getElementById("suggestions");
  var timer = null;

  function field(name) { return form.querySelector('[name="' + name + '"]'); }

  function focusable(element) {
    return !element.disabled && element.tabIndex >= 0 && element.type !== "hidden" &&
      element.getClientRects().length > 0;
  }

  // Keyboard-first: the clerk types at once, on the first field, or after a refusal on the first field in
  // error. Runs after DOMContentLoaded so the searchable boxes (searchable.js) already replaced their selects.
  document.addEventListener("DOMContentLoaded", function () {
    var controls = "input, select, textarea";
    var start = null;
    Array.prototype.some.call(form.querySelectorAll(".has-error"), function (box) {
      start = Array.prototype.filter.call(box.querySelectorAll(controls), focusable)[0] || null;
      return start !== null;
    });
    start = start || Array.prototype.filter.call(form.querySelectorAll(controls), focusable)[0];
    if (start) { start.focus(); }
  });

  function refreshSuggestions() {
    var params = new URLSearchParams();
    ["petitioners-0-id_number", "petitioners-0-phone", "petitioners-0-name",
     "petitioners-0-address_division", "summary"].forEach(function (name) {
      var input = field(name);
      if (input && input.value) { params.set(name, input.value); }
    });
    if (!params.toString()) { return; }
    window.htmx.ajax("GET", form.dataset.suggestUrl + "?" + params.toString(),
                     { target: suggestions, swap: "innerHTML" });
  }

  // A refresh landing while the clerk has tabbed into the panel must not drop the focus on <body>: put it back
  // on the same control in the new list, or on the submit button just before the panel when that item is gone.
  var refocus = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    refocus = null;
    var active = document.activeElement;
    if (event.detail.target !== suggestions || !active || !suggestions.contains(active)) { return; }
    var pk = active.getAttribute("data-link-repeat");
    var href = active.getAttribute("href");
    refocus = pk ? '[data-link-repeat="' + pk + '"]' : (href ? 'a[href="' + href + '"]' : "");
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target !== suggestions || refocus === null) { return; }
    var again = refocus ? suggestions.querySelector(refocus) : null;
    refocus = null;
    (again || form.querySelector('button[type="submit"]')).focus();
  });

  form.addEventListener("input", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLElement)) { return; }
    var name = target.getAttribute("name") || "";
    if (target.dataset.suggest || name === "petitioners-0-name" || name === "summary") {
      window.clearTimeout(timer);
      timer = window.setTimeout(refreshSuggestions, 400);
    }
  });
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLElement && (target.getAttribute("name") || "") === "petitioners-0-address_division") {
      refreshSuggestions();
    }
  });

  form.addEventListener("keydown", function (event) {
    if (event.altKey && (event.key === "s" || event.key === "S")) {
      event.preventDefault();  // Alt+S: jump to the repeat suggestions (first link, or the panel itself)
      var first = suggestions.querySelector("[data-link-repeat]") || suggestions.querySelector("a");
      (first || suggestions).focus();
      return;
    }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  function addPetitioner() {
    var total = field("petitioners-TOTAL_FORMS");
    var template = document.getElementById("petitioner-template");
    var rows = document.getElementById("petitioner-rows");
    if (!total || !template || !rows) { return; }
    var index = parseInt(total.value, 10);
    rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
    total.value = String(index + 1);
    var added = rows.lastElementChild;
    if (added && window.htmx) { window.htmx.process(added); }
    var first = added ? added.querySelector("input") : null;
    if (first) { first.focus(); }
  }

  var repeatBox = document.getElementById("repeat-link");
  function setOriginal(id, number) {
    field("original").value = id;
    document.getElementById("repeat-link-number").textContent = number;
    repeatBox.hidden = !id;
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLElement)) { return; }
    if (target.hasAttribute("data-add-petitioner")) { event.preventDefault(); addPetitioner(); }
    if (target.dataset.linkRepeat) { event.preventDefault(); setOriginal(target.dataset.linkRepeat, target.dataset.number); }
    if (target.hasAttribute("data-unlink-repeat")) { event.preventDefault(); setOriginal("", ""); }
  });
})();

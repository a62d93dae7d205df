/* Intake page: Ctrl+Enter submits, Alt+N adds a petitioner, Alt+↑ / Alt+↓ move the petitioner row the cursor is in,
   Alt+S jumps to the repeat suggestions. Without this script the row buttons submit the form and the server
   changes the rows (petitions/views/intake.py). */
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

  // Keyboard-first: the clerk types at once, on the first petitioner's name (the date defaults to today), or
  // after a refusal on the first field in error. Runs after DOMContentLoaded so the searchable boxes (searchable.js) already replaced their selects.
  document.addEventListener("DOMContentLoaded", function () {
    var controls = "input, select, textarea";
    var start = null;
    Array.prototype.some.call(form.querySelectorAll(".has-error"), function (box) {
      start = Array.prototype.filter.call(box.querySelectorAll(controls), focusable)[0] || null;
      return start !== null;
    });
    var name = field("petitioners-0-name");
    var wanted = form.querySelector("[autofocus]");  // the row just added or moved when the server changed the rows
    start = start || (wanted && focusable(wanted) ? wanted : null) || (name && focusable(name) ? name : null) ||
      Array.prototype.filter.call(form.querySelectorAll(controls), focusable)[0];
    if (start) { start.focus(); }
  });

  var ROW_FIELDS = '#petitioner-rows [name$="-id_number"], #petitioner-rows [name$="-phone"], ' +
    '#petitioner-rows [name$="-name"], #petitioner-rows [name$="-address_division"]';
  var ROW_NAME = /^petitioners-\d+-(name|address_division)$/;

  // The error summary's links: jump to the field and put the cursor in it (a searchable box's own input when the
  // select is replaced by one).
  var summary = form.querySelector(".error-summary");
  if (summary) {
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var id = link.getAttribute("href").slice(1);
      var target = document.getElementById(id + "-ts-control") || document.getElementById(id);
      if (target && focusable(target)) {
        event.preventDefault();
        target.focus();
        target.scrollIntoView({ block: "center" });
      }
    });
  }

  function refreshSuggestions() {
    var params = new URLSearchParams();
    // Every petitioner row (each representative of a collective visit), not only the first.
    Array.prototype.forEach.call(form.querySelectorAll(ROW_FIELDS), function (input) {
      if (input.value && !/__prefix__/.test(input.name)) { params.set(input.name, input.value); }
    });
    var summary = field("summary");
    if (summary && summary.value) { params.set("summary", summary.value); }
    if (!params.toString()) { return; }
    window.htmx.ajax("GET", form.dataset.suggestUrl + "?" + params.toString(),
                     { target: suggestions, swap: "innerHTML" });
  }

  // A form opened prefilled (from an earlier item or a known person) shows its possible repeats at once.
  document.addEventListener("DOMContentLoaded", function () {
    if (form.querySelector('#petitioner-rows [name$="-name"]:not([value=""])[value]')) { refreshSuggestions(); }
  });

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
    if (target.dataset.suggest || ROW_NAME.test(name) || name === "summary") {
      window.clearTimeout(timer);
      timer = window.setTimeout(refreshSuggestions, 400);
    }
  });
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLElement && ROW_NAME.test(target.getAttribute("name") || "")) {
      refreshSuggestions();
    }
  });

  form.addEventListener("keydown", function (event) {
    if (event.altKey && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
      var row = event.target instanceof HTMLElement ? event.target.closest("#petitioner-rows [data-row]") : null;
      if (row) {
        event.preventDefault();  // Alt+↑ / Alt+↓: move the row the cursor is in
        moveRow(row, event.key === "ArrowUp" ? "up" : "down");
        return;
      }
    }
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
    var first = added ? added.querySelector('input:not([type="hidden"])') : null;
    if (first) { first.focus(); }
    showRowActions();
  }

  // The people as a compact list: each row can move up or be removed; the rows are then numbered again in
  // order (names, ids, labels, picker targets), as the formset and the item's positions expect.
  var ROW_ATTRIBUTES = ["name", "id", "for", "hx-target", "data-testid"];
  function renumberRows() {
    var rows = document.querySelectorAll("#petitioner-rows [data-row]");
    Array.prototype.forEach.call(rows, function (row, index) {
      Array.prototype.forEach.call(row.querySelectorAll("*"), function (element) {
        ROW_ATTRIBUTES.forEach(function (attribute) {
          var value = element.getAttribute(attribute);
          if (value && /petitioners-\d+-/.test(value)) {
            element.setAttribute(attribute, value.replace(/petitioners-\d+-/g, "petitioners-" + index + "-"));
          }
        });
      });
    });
    field("petitioners-TOTAL_FORMS").value = String(rows.length);
    var initial = field("petitioners-INITIAL_FORMS");
    if (initial) { initial.value = String(Math.min(parseInt(initial.value, 10) || 0, rows.length)); }
    showRowActions();
  }

  function showRowActions() {
    var rows = document.querySelectorAll("#petitioner-rows [data-row]");
    Array.prototype.forEach.call(rows, function (row, index) {
      var actions = row.querySelector("[data-row-actions]");
      if (!actions) { return; }
      actions.hidden = false;
      actions.querySelector("[data-move-up]").disabled = index === 0;
      actions.querySelector("[data-move-down]").disabled = index === rows.length - 1;
      actions.querySelector("[data-remove-row]").disabled = rows.length === 1;
    });
  }
  showRowActions();

  // Move a row up or down, or remove it ("up", "down", "remove"); the cursor stays on what it was on (a button
  // that became disabled hands it to the row's name), or after a removal goes to the row now in that place.
  function moveRow(row, how) {
    var list = document.getElementById("petitioner-rows");
    var active = document.activeElement;
    var next = row.nextElementSibling || row.previousElementSibling;
    if (how === "remove") {
      list.removeChild(row);
    } else if (how === "up" && row.previousElementSibling) {
      list.insertBefore(row, row.previousElementSibling);
    } else if (how === "down" && row.nextElementSibling) {
      list.insertBefore(row.nextElementSibling, row);
    }
    renumberRows();
    checkRepresentatives();
    refreshSuggestions();
    if (how === "remove") {
      var name = next ? next.querySelector('[name$="-name"]') : null;
      (name || form.querySelector("[data-add-petitioner]")).focus();
    } else if (active && row.contains(active)) {
      (active.disabled ? row.querySelector('[name$="-name"]') : active).focus();
    }
  }

  // 集体访: at most five representatives (第二十条). The server refuses more; the message shows at the row as soon as
  // the box is ticked.
  var CLIENT_ERROR = "data-representative-error";
  function checkRepresentatives() {
    var list = document.getElementById("petitioner-rows");
    if (!list) { return; }
    var most = parseInt(list.dataset.maxRepresentatives || "5", 10);
    Array.prototype.forEach.call(list.querySelectorAll("[" + CLIENT_ERROR + "]"), function (old) {
      old.parentNode.classList.remove("has-error");
      old.parentNode.removeChild(old);
    });
    var ticked = Array.prototype.filter.call(
      list.querySelectorAll('input[name$="-is_representative"]'), function (box) { return box.checked; });
    ticked.slice(most).forEach(function (box) {
      var message = document.createElement("div");
      message.className = "field-error";
      message.setAttribute("role", "alert");
      message.setAttribute(CLIENT_ERROR, "");
      message.setAttribute("data-testid", "error-" + box.name);
      message.textContent = "集体访推选的代表不得超过" + most + "人（《信访工作条例》第二十条），当前" + ticked.length + "人。";
      box.parentNode.classList.add("has-error");
      box.parentNode.appendChild(message);
    });
  }
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLInputElement && /-is_representative$/.test(target.name)) { checkRepresentatives(); }
  });

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
    if (target.hasAttribute("data-move-up") || target.hasAttribute("data-move-down") ||
        target.hasAttribute("data-remove-row")) {
      event.preventDefault();
      var how = target.hasAttribute("data-remove-row") ? "remove" : (target.hasAttribute("data-move-up") ? "up" : "down");
      moveRow(target.closest("[data-row]"), how);
    }
  });
})();

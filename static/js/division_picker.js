/* The cascading 省/市/县/乡 picker (templates/core/includes/division_picker.html).
   Choosing a level clears the levels below it; htmx then loads the next level's <option>s. When the answer
   belongs to a deeper level (a 直辖市 has no 地级), the options go to that level's select and the skipped
   select is hidden, so Tab moves 省 → 县 directly. The hidden input always holds the deepest chosen code. */
(function () {
  "use strict";
  if (window.xfDivisionPicker) { return; }  // the include may appear more than once on a page
  window.xfDivisionPicker = true;

  function isPickerSelect(element) {
    return element instanceof HTMLSelectElement && element.hasAttribute("data-division-level") &&
      element.closest("[data-division-picker]") !== null;
  }

  function levelOf(select) {
    return parseInt(select.getAttribute("data-division-level"), 10);
  }

  function selectsOf(picker) {
    return Array.prototype.slice.call(picker.querySelectorAll("select[data-division-level]"));
  }

  function selectAt(picker, level) {
    return picker.querySelector('select[data-division-level="' + level + '"]');
  }

  function slotOf(select) {
    return select.closest(".division-slot") || select;
  }

  function clear(select) {
    select.innerHTML = "";
    select.disabled = true;
    slotOf(select).hidden = false;
  }

  function syncValue(picker) {
    var value = "";
    selectsOf(picker).forEach(function (select) {
      if (!slotOf(select).hidden && !select.disabled && select.value) { value = select.value; }
    });
    var input = picker.querySelector("input[data-division-value]");
    if (input && input.value !== value) {
      input.value = value;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  function responseLevel(html) {
    var match = /data-division-level="(\d+)"/.exec(html || "");
    return match ? parseInt(match[1], 10) : 0;
  }

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!isPickerSelect(select)) { return; }
    var picker = select.closest("[data-division-picker]");
    var level = levelOf(select);
    selectsOf(picker).forEach(function (other) {
      if (levelOf(other) > level) { clear(other); }
    });
    syncValue(picker);
  });

  document.addEventListener("htmx:configRequest", function (event) {
    var select = event.detail.elt;
    if (!isPickerSelect(select)) { return; }
    if (!select.value) {  // back to 请选择: nothing below to load
      event.preventDefault();
      return;
    }
    event.detail.parameters.parent = select.value;
    event.detail.parameters.level = String(levelOf(select) + 1);
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var select = event.detail.requestConfig ? event.detail.requestConfig.elt : null;  // the select that asked
    if (!isPickerSelect(select)) { return; }
    var picker = select.closest("[data-division-picker]");
    var requested = levelOf(select) + 1;
    var level = responseLevel(event.detail.serverResponse);
    if (!level || level === requested) { return; }
    var target = selectAt(picker, level);
    if (!target) { return; }
    for (var skipped = requested; skipped < level; skipped += 1) {
      var empty = selectAt(picker, skipped);
      if (empty) {
        clear(empty);
        slotOf(empty).hidden = true;
      }
    }
    event.detail.target = target;
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!isPickerSelect(target)) { return; }
    target.disabled = target.options.length === 0;
    syncValue(target.closest("[data-division-picker]"));
  });
})();

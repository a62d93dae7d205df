/* Searchable dropdowns: every <select data-searchable> becomes a Tom Select box (type to filter, Enter to pick). */
(function () {
  "use strict";

  function enhance(root) {
    if (typeof window.TomSelect === "undefined") { return; }
    root.querySelectorAll("select[data-searchable]").forEach(function (select) {
      if (select.tomselect) { return; }
      var multiple = select.multiple;
      new window.TomSelect(select, {
        create: false,
        allowEmptyOption: !multiple,
        maxOptions: 1000,
        hidePlaceholder: true,
        placeholder: multiple ? "可多选，输入文字筛选" : "输入文字筛选",
        plugins: multiple ? ["remove_button"] : [],
        render: { no_results: function () { return '<div class="no-results">无匹配项</div>'; } },
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });
  window.xfSearchable = enhance;
})();

/* Searchable dropdowns: every <select data-searchable> becomes a Tom Select box (type to filter, Enter to pick). */
(function () {
  "use strict";

  // Labels here are Chinese: every typed word must occur in the label as it is. Tom Select's own matcher folds
  // accents of Latin scripts, which Chinese does not need, and debounces typing, which a fast clerk notices.
  function wordsInLabel(query) {
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    return function (option) {
      var label = String(option.text || "").toLowerCase();
      return words.every(function (word) { return label.indexOf(word) !== -1; }) ? 1 : 0;
    };
  }

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
        diacritics: false,
        refreshThrottle: 0,
        score: wordsInLabel,
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

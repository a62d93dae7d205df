/* Keyboard-first forms: focus the first field in error (or the first field), Ctrl+Enter submits. */
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-keyboard-form]").forEach(function (form) {
    var controls = "input:not([type=hidden]), select, textarea";
    var box = form.querySelector(".has-error");
    var start = (box && box.querySelector(controls)) || form.querySelector(controls);
    if (start && start.getClientRects().length) { start.focus(); }
    form.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); form.requestSubmit(); }
    });
  });
});

/* Add a findings row from the template (Alt+A); ticking 零报告 clears nothing but is checked by the service. */
document.addEventListener("click", function (event) {
  var target = event.target;
  if (!(target instanceof HTMLElement)) { return; }
  var form = document.getElementById("report-form");
  if (target.hasAttribute("data-add-finding")) {
    event.preventDefault();
    var total = form.querySelector('[name="findings-TOTAL_FORMS"]');
    var rows = document.getElementById("finding-rows");
    var index = parseInt(total.value, 10);
    rows.insertAdjacentHTML("beforeend", document.getElementById("finding-template").innerHTML.replace(/__prefix__/g, String(index)));
    total.value = String(index + 1);
    var added = rows.lastElementChild;
    if (window.htmx) { window.htmx.process(added); }
    if (window.xfSearchable) { window.xfSearchable(added); }
    var first = added.querySelector("textarea, input, select");
    if (first) { first.focus(); }
    form.querySelector('[name="is_zero"]').checked = false;
  }
  if (target.hasAttribute("data-remove-finding")) {
    event.preventDefault();
    var row = target.closest("[data-finding-row]");
    var box = row.querySelector('input[name$="-DELETE"]');
    if (box) { box.checked = true; }
    row.hidden = true;
  }
});

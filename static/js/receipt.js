/* Registration receipt: the print button opens the browser's print dialog. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector("[data-print]");
    if (button) { button.addEventListener("click", function () { window.print(); }); }
  });
})();

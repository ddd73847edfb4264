// Certificate page: a print button (the page has a print stylesheet that shows only the certificate).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
})();

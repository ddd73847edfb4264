// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  // Copy-to-clipboard buttons: <button data-copy="#input-id">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) return;
    navigator.clipboard.writeText(source.value || source.textContent).then(function () {
      var label = button.textContent;
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = label; }, 1500);
    });
  });
  // Forms marked data-once disable their submit button after the first submit (the server
  // still dedupes; this only spares the learner a confusing double click).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-once")) return;
    if (form.dataset.sent === "1") { event.preventDefault(); return; }
    form.dataset.sent = "1";
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.setAttribute("aria-disabled", "true"); });
  });
  // --header-height follows the header's real height (a long name, a zoomed page), so the
  // sticky quiz bar sits right under the header; the CSS holds a good guess until then.
  var header = document.querySelector(".site-header");
  if (header && window.ResizeObserver) {
    new ResizeObserver(function () {
      document.documentElement.style.setProperty("--header-height", header.getBoundingClientRect().height + "px");
    }).observe(header);
  }
  // The header's menus close when a link in it is followed or the page is clicked elsewhere.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.nav-menu[open], details.nav-group[open]").forEach(function (menu) {
      if (!menu.contains(event.target) || event.target.closest("a")) menu.removeAttribute("open");
    });
  });
})();

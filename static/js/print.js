// Progressive enhancement: a "Print this page" button where JavaScript runs (the browser's own
// Print works everywhere; the print styles in app.css hide the site's navigation).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});

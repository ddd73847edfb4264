// Module page: mark the "On this page" entry of the section being read. The page works without it.
(function () {
  "use strict";
  var links = document.querySelectorAll(".toc a[href^='#']");
  if (!links.length || !("IntersectionObserver" in window)) return;
  var byId = {};
  links.forEach(function (link) { byId[decodeURIComponent(link.getAttribute("href").slice(1))] = link; });
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      var link = byId[entry.target.id];
      if (!entry.isIntersecting || !link) return;
      links.forEach(function (other) { other.removeAttribute("aria-current"); });
      link.setAttribute("aria-current", "location");
    });
  }, { rootMargin: "-80px 0px -70% 0px" });
  Object.keys(byId).forEach(function (id) {
    var heading = document.getElementById(id);
    if (heading) observer.observe(heading);
  });
})();

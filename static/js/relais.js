// Small, optional enhancements. Every page works without this file.
(function () {
  "use strict";

  // Show <time data-local> in the reader's own time zone and language.
  function localiseTimes(root) {
    var lang = document.documentElement.lang || undefined;
    root.querySelectorAll("time[data-local]").forEach(function (el) {
      var when = new Date(el.getAttribute("datetime"));
      if (isNaN(when)) return;
      var style = el.dataset.local === "date" ? { dateStyle: "medium" } : { dateStyle: "medium", timeStyle: "short" };
      try {
        el.textContent = new Intl.DateTimeFormat(lang, style).format(when);
      } catch (e) { /* keep the server's rendering */ }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { localiseTimes(document); });
  document.addEventListener("htmx:afterSwap", function (event) { localiseTimes(event.target); });
})();

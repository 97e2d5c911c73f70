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

// The site header's menus. Each works without this: a <details> opens and closes on
// its own, the bell is a link to the notifications page, the search icon a link to
// the search page. Here: Escape or a click elsewhere closes them, one at a time is
// open, the bell opens the latest notifications in place (htmx fetches them on
// "bell-open"), and on a phone the search icon opens the field in the header.
(function () {
  "use strict";

  function bellPanel(bell) { return document.getElementById(bell.dataset.bell); }

  function prepareBell(root) {
    root.querySelectorAll("[data-bell]").forEach(function (bell) {
      if (!window.htmx || !bellPanel(bell)) return;
      bell.setAttribute("aria-expanded", bellPanel(bell).hidden ? "false" : "true");
      bell.setAttribute("aria-controls", bell.dataset.bell);
    });
  }

  function setBell(bell, open) {
    var panel = bellPanel(bell);
    panel.hidden = !open;
    bell.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) window.htmx.trigger(bell, "bell-open");
  }

  function openBell() { return document.querySelector('[data-bell][aria-expanded="true"]'); }

  function setSearch(header, open) {
    header.classList.toggle("is-search-open", open);
    var toggle = header.querySelector("[data-search-toggle]");
    if (toggle) toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) document.getElementById("site-search-q").focus();
  }

  // Close everything open in the header but `keep`; gives focus back to the opener
  // of what was closed when asked (Escape).
  function closeAll(keep, refocus) {
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      if (menu === keep) return;
      menu.open = false;
      if (refocus) menu.querySelector("summary").focus();
    });
    var bell = openBell();
    if (bell && bell !== keep) {
      setBell(bell, false);
      if (refocus) bell.focus();
    }
    var header = document.querySelector("[data-site-header].is-search-open");
    if (header && keep !== header) {
      setSearch(header, false);
      if (refocus) header.querySelector("[data-search-toggle]").focus();
    }
  }

  document.addEventListener("DOMContentLoaded", function () { prepareBell(document); });
  document.addEventListener("htmx:afterSwap", function (event) { prepareBell(event.target); });

  document.addEventListener("toggle", function (event) {
    var menu = event.target;
    if (menu.matches && menu.matches("details[data-menu]") && menu.open) closeAll(menu, false);
  }, true);

  document.addEventListener("click", function (event) {
    var bell = event.target.closest("[data-bell]");
    if (bell && window.htmx && bellPanel(bell)) {
      event.preventDefault();
      var opening = bell.getAttribute("aria-expanded") !== "true";
      closeAll(bell, false);
      setBell(bell, opening);
      return;
    }
    var toggle = event.target.closest("[data-search-toggle]");
    if (toggle) {
      var header = toggle.closest("[data-site-header]");
      var form = document.getElementById(toggle.getAttribute("aria-controls"));
      // Only where the form is folded away (a phone); elsewhere the link stays a link.
      if (header && form && window.getComputedStyle(form).display === "none") {
        event.preventDefault();
        closeAll(header, false);
        setSearch(header, true);
        return;
      }
      if (header && header.classList.contains("is-search-open")) {
        event.preventDefault();
        setSearch(header, false);
        return;
      }
    }
    var inside = event.target.closest("details[data-menu], .bell-wrap, [data-site-header].is-search-open");
    closeAll(inside, false);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeAll(null, true);
  });
})();

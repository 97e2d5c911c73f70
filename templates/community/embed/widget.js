/* The community's help widget, for the brand's own pages and app web views.

   <script src="https://community.example.com/embed/widget.js" async
           data-category="coffee-machines" data-lang="fr" data-label="Need help?"
           data-handoff-url="/support/relais-token"></script>

   It adds a launcher button; the panel it opens is the community's own page in an
   iframe, which only the sites listed in the community's settings may show. Both
   sides of the postMessage conversation check who is speaking: this script listens
   to the panel's origin alone, the panel to this page's origin alone. The launcher
   lives in a shadow root of its own: the page's styles do not reach it, its own do not
   leak out. data-handoff-url (on this page's own site) answers with a token signed
   by the brand's backend, to sign the customer in inside the panel. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.RelaisHelpWidget) {
    return;
  }
  var LABELS = {{ labels }};
  var DEFAULT_LANGUAGE = {{ default_language }};
  var community = new URL(script.src, location.href).origin;
  var options = script.dataset;
  var language = (options.lang || document.documentElement.lang || DEFAULT_LANGUAGE).toLowerCase().split("-")[0];
  if (!LABELS[language]) {
    language = DEFAULT_LANGUAGE;
  }
  var labels = LABELS[language];
  var handoffUrl = null;
  if (options.handoffUrl) {
    handoffUrl = new URL(options.handoffUrl, location.href);
    // The token comes from the brand's own backend, with this page's cookies.
    if (handoffUrl.origin !== location.origin) {
      handoffUrl = null;
    }
  }
  var colour = /^#[0-9a-fA-F]{6}$/.test(options.colour || "") ? options.colour : "#1d5a85";

  var css =
    ":host { all: initial; }" +
    ".launcher { position: fixed; right: 16px; bottom: 16px; z-index: 2147483000; min-height: 48px; min-width: 48px;" +
    " padding: 0 20px; border: 0; border-radius: 24px; background: " + colour + "; color: #fff;" +
    " font: 600 16px/1.2 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; cursor: pointer;" +
    " box-shadow: 0 4px 14px rgba(0, 0, 0, .25); }" +
    ".launcher:focus-visible { outline: 3px solid #111; outline-offset: 3px; box-shadow: 0 0 0 6px #fff; }" +
    ".panel { position: fixed; right: 16px; bottom: 80px; z-index: 2147483000; width: 380px; height: 600px;" +
    " max-height: calc(100vh - 104px); background: #fff; border-radius: 12px; overflow: hidden;" +
    " box-shadow: 0 8px 32px rgba(0, 0, 0, .3); }" +
    ".panel[hidden] { display: none; }" +
    "iframe { display: block; width: 100%; height: 100%; border: 0; }" +
    "@media (max-width: 480px) { .panel { inset: 0; width: auto; height: auto; max-height: none; border-radius: 0; }" +
    " .panel:not([hidden]) + .launcher { display: none; } }";

  var host = document.createElement("div");
  host.setAttribute("data-relais-help-widget", "");
  var root = host.attachShadow({ mode: "open" });
  if (root.adoptedStyleSheets !== undefined && typeof CSSStyleSheet === "function") {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } else {
    var style = document.createElement("style");
    style.textContent = css;
    root.appendChild(style);
  }
  var panel = document.createElement("div");
  panel.className = "panel";
  panel.id = "relais-help-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", labels.panel);
  var launcher = document.createElement("button");
  launcher.type = "button";
  launcher.className = "launcher";
  launcher.textContent = options.label || labels.launcher;
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", panel.id);
  root.appendChild(panel);
  root.appendChild(launcher);
  var frame = null;

  function panelAddress() {
    var params = new URLSearchParams({ origin: location.origin, lang: language });
    if (options.category) {
      params.set("category", options.category);
    }
    if (options.tag) {
      params.set("tag", options.tag);
    }
    // The page's address without its query: suggestions read its words, and a query
    // may hold what is nobody else's business.
    params.set("page", location.origin + location.pathname);
    if (handoffUrl) {
      params.set("handoff", "1");
    }
    return community + "/embed/panel/?" + params.toString();
  }

  function tell(message) {
    if (frame && frame.contentWindow) {
      frame.contentWindow.postMessage(message, community);
    }
  }

  function open() {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.title = labels.panel;
      frame.src = panelAddress();
      frame.addEventListener("load", function () {
        if (!panel.hidden) {
          tell({ type: "relais:open" });
        }
      });
      panel.appendChild(frame);
    }
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    frame.focus();
    tell({ type: "relais:open" });
  }

  function close() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  function handOff() {
    if (!handoffUrl) {
      tell({ type: "relais:handoff", token: "" });
      return;
    }
    fetch(handoffUrl.href, { credentials: "same-origin", headers: { Accept: "application/jwt, text/plain" } })
      .then(function (response) {
        return response.ok ? response.text() : "";
      })
      .then(function (token) {
        tell({ type: "relais:handoff", token: token.trim() });
      })
      .catch(function () {
        tell({ type: "relais:handoff", token: "" });
      });
  }

  launcher.addEventListener("click", function () {
    if (panel.hidden) {
      open();
    } else {
      close();
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panel.hidden) {
      close();
    }
  });
  window.addEventListener("message", function (event) {
    // Only our own panel speaks to us: any other window or origin is ignored.
    if (!frame || event.source !== frame.contentWindow || event.origin !== community) {
      return;
    }
    var message = event.data || {};
    if (message.type === "relais:close") {
      close();
    } else if (message.type === "relais:handoff-request") {
      handOff();
    }
  });

  window.RelaisHelpWidget = { open: open, close: close };
  function mount() {
    document.body.appendChild(host);
  }
  if (document.body) {
    mount();
  } else {
    document.addEventListener("DOMContentLoaded", mount);
  }
})();

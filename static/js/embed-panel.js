/* The help widget's panel, inside the brand's page (community/embed).

   It speaks with the page that framed it only: messages go to that page's origin
   (the one the panel was opened for, which the server checked is listed and the
   browser checked is the real ancestor through frame-ancestors), and messages from
   any other window or origin are ignored. */
(function () {
  "use strict";
  var parentOrigin = document.body.dataset.parentOrigin;
  var framed = window.parent !== window;

  function tell(message) {
    if (framed) {
      window.parent.postMessage(message, parentOrigin);
    }
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.dataset.hxHeaders)["X-CSRFToken"];
    } catch (error) {
      return "";
    }
  }

  function handoffStatus(text) {
    var status = document.querySelector("[data-embed-handoff-status]");
    if (status) {
      status.textContent = text;
    }
  }

  function signIn(token) {
    var button = document.querySelector("[data-embed-handoff]");
    if (!button) {
      return;
    }
    if (!token) {
      handoffStatus(button.dataset.failed);
      button.disabled = false;
      return;
    }
    var body = new FormData();
    body.append("token", token);
    fetch(button.dataset.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    })
      .then(function (response) {
        return response.json();
      })
      .then(function (answer) {
        if (answer.signed_in) {
          window.location.reload();
        } else {
          handoffStatus(answer.message || button.dataset.failed);
          button.disabled = false;
        }
      })
      .catch(function () {
        handoffStatus(button.dataset.failed);
        button.disabled = false;
      });
  }

  function focusSearch() {
    var field = document.getElementById("embed-q") || document.querySelector("main h1");
    if (field) {
      if (!field.hasAttribute("tabindex") && field.tagName === "H1") {
        field.setAttribute("tabindex", "-1");
      }
      field.focus();
    }
  }

  if (!framed) {
    // Opened on its own (a new tab, a test): there is no widget to close.
    document.querySelectorAll("[data-embed-close]").forEach(function (button) {
      button.hidden = true;
    });
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-embed-close]")) {
      tell({ type: "relais:close" });
    }
    var handoff = event.target.closest("[data-embed-handoff]");
    if (handoff) {
      handoff.disabled = true;
      handoffStatus("");
      tell({ type: "relais:handoff-request" });
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      tell({ type: "relais:close" });
    }
  });

  // "Ask the community" carries what was typed so far, before the results catch up.
  var search = document.getElementById("embed-q");
  if (search) {
    search.addEventListener("input", function () {
      document.querySelectorAll("a[data-embed-ask]").forEach(function (link) {
        var address = new URL(link.href);
        address.searchParams.set("title", search.value.trim());
        link.href = address.href;
      });
    });
  }

  window.addEventListener("message", function (event) {
    // Only the page that framed us, from the origin we were opened for.
    if (!framed || event.source !== window.parent || event.origin !== parentOrigin) {
      return;
    }
    var message = event.data || {};
    if (message.type === "relais:open") {
      focusSearch();
    } else if (message.type === "relais:handoff") {
      signIn(typeof message.token === "string" ? message.token : "");
    }
  });
})();

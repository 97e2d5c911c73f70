"""A pretend brand site that embeds the help widget, for the local run and the tests.

It plays the brand's two parts: a page with the widget's script tag pasted in as
the README shows, and the brand's backend endpoint that signs the hand-off token
(accounts.handoff) for the customer signed in at the brand, here always the same
demo customer. It is served on a port of its own, so that it is another origin
than the community, as a brand's site is; never in production.
"""

import html
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from django.conf import settings

DEMO_CUSTOMER = {
    "sub": "brio-customer-1001",
    "email": "alex.martin@example.com",
    "name": "Alex Martin",
    "locale": "en",
}
TOKEN_SECONDS = 120
TOKEN_PATH = "/account/relais-token"  # noqa: S105 - an address, not a secret


def handoff_token(*, audience: str, secret: str, customer: dict, now: float | None = None) -> str:
    """The token the brand's backend signs for its signed-in `customer` (HS256)."""
    now = time.time() if now is None else now
    claims = {
        **customer,
        "aud": audience,
        "iat": int(now),
        "exp": int(now) + TOKEN_SECONDS,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def host_page(*, community: str, category: str = "", language: str = "en") -> str:
    community = html.escape(community, quote=True)
    customer_name = html.escape(DEMO_CUSTOMER["name"])
    category_attribute = f' data-category="{html.escape(category, quote=True)}"' if category else ""
    return f"""<!DOCTYPE html>
<html lang="{html.escape(language, quote=True)}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Maison Brio: your coffee machine</title>
  <style>
    body {{ margin: 0; font: 17px/1.5 Georgia, serif; color: #2b1d14; background: #fbf6ef; }}
    header {{ padding: 16px 24px; background: #3b2416; color: #fbe9d0; }}
    main {{ max-width: 40rem; margin: 0 auto; padding: 24px; }}
    button {{ font: inherit; }}
  </style>
</head>
<body>
  <header><strong>Maison Brio</strong> · signed in as {customer_name}</header>
  <main>
    <h1>Your coffee machine</h1>
    <p>This page stands for the brand's own site or app. It embeds the community's
    help widget with the one script tag below; "Help" opens it.</p>
    <pre>&lt;script src="{community}/embed/widget.js" async{category_attribute}
        data-handoff-url="{TOKEN_PATH}"&gt;&lt;/script&gt;</pre>
  </main>
  <script src="{community}/embed/widget.js" async{category_attribute}
          data-handoff-url="{TOKEN_PATH}"></script>
</body>
</html>
"""


def make_server(*, port: int, community: str, category: str = "", host: str = "127.0.0.1"):
    """The demo brand site on `host`:`port`, embedding the community at `community`."""
    secret = settings.EMBED_HANDOFF_SECRET

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            path, _, query = self.path.partition("?")
            # The brand's page in French (?lang=fr): the widget follows the page's language.
            language = "fr" if "lang=fr" in query.split("&") else "en"
            if path == TOKEN_PATH and secret:
                body = handoff_token(audience=community, secret=secret, customer=DEMO_CUSTOMER)
                self._answer(200, "application/jwt", body)
            elif path in ("/", "/coffee-machine"):
                self._answer(
                    200,
                    "text/html; charset=utf-8",
                    host_page(community=community, category=category, language=language),
                )
            else:
                self._answer(404, "application/json", json.dumps({"error": "not found"}))

        def _answer(self, status: int, content_type: str, body: str):
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format, *args):
            pass

    return ThreadingHTTPServer((host, port), Handler)


def serve_in_thread(**kwargs):
    """Start make_server(**kwargs) in a daemon thread; returns the server (shutdown())."""
    server = make_server(**kwargs)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server

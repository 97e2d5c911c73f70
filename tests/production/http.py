"""A browser's worth of HTTP for the production-path tests: cookies, CSRF, forms.

Both gunicorn processes answer on 127.0.0.1, so one cookie jar carries a member's
session and CSRF cookie to either of them: a request names the server it goes to.
"""

from __future__ import annotations

import re

import requests

TIMEOUT = 15
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# Every request names the same host, as behind a load balancer: the pages cached for
# visitors are keyed by host, so both processes share them.
HOST = "127.0.0.1"


class Browser:
    def __init__(self, session_key: str | None = None):
        self.http = requests.Session()
        self.http.headers["Host"] = HOST
        if session_key:
            self.http.cookies.set("sessionid", session_key, domain="127.0.0.1", path="/")

    def get(self, server: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", TIMEOUT)
        kwargs.setdefault("allow_redirects", False)
        return self.http.get(f"{server}{path}", **kwargs)

    def csrf_token(self, server: str, form_path: str) -> str:
        """GET the page with the form; the token its hidden input carries."""
        page = self.get(server, form_path, allow_redirects=True)
        found = _CSRF_INPUT.search(page.text)
        assert found, f"no CSRF token in {form_path} ({page.status_code})"
        return found.group(1)

    def post(
        self, server: str, path: str, data: dict, *, token: str | None = None, **kwargs
    ) -> requests.Response:
        """POST a form the way a browser does: with the CSRF cookie set by an earlier
        page and the token from that page (or the cookie's, as htmx sends it)."""
        token = token or self.http.cookies.get("csrftoken")
        assert token, "no CSRF cookie yet: GET a page with a form first"
        kwargs.setdefault("timeout", TIMEOUT)
        kwargs.setdefault("allow_redirects", False)
        return self.http.post(
            f"{server}{path}", data={"csrfmiddlewaretoken": token, **data}, **kwargs
        )

    def sign_in(self, server: str, login: str, password: str) -> requests.Response:
        token = self.csrf_token(server, "/accounts/login/")
        return self.post(
            server, "/accounts/login/", {"login": login, "password": password}, token=token
        )

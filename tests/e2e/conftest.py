"""Browser tests: Chromium driven by Playwright against pytest-django's live server.

Every test here is marked ``e2e``. Tests take the ``page`` (1280 px) or
``mobile_page`` (360 px) fixture and mark themselves with
``@pytest.mark.django_db(transaction=True, serialized_rollback=True)``: the live
server answers from another thread, so the data must be committed, and the
serialized rollback restores what the migrations created (home page, groups)
after each test's flush. A failed test leaves a full-page screenshot in
test-artifacts/e2e/.

Every HTML page the browser loads from the site (each main-frame document, not
the htmx fragments nor the Wagtail admin's own pages) is kept, once per distinct
content, and a last item, tests/e2e::valid_markup, checks them all with the Nu
HTML Checker (tests/markup.py) in one run: any error fails it, with the page,
line and message; warnings do not.
"""

import contextlib
import hashlib
import os
import re
import shutil
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from playwright.sync_api import Browser, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from tests import markup

E2E_DIR = Path(__file__).resolve().parent
REPO_ROOT = E2E_DIR.parent.parent
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts" / "e2e"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP_VIEWPORT = {"width": 1280, "height": 900}
MOBILE_VIEWPORT = {"width": 360, "height": 740}
LOCALE = "en-US"
# Generous for a cold first request, short enough that a hung page fails quickly.
DEFAULT_TIMEOUT_MS = 10_000


# Pages under these paths are Wagtail's and Django's admin: their markup is not the site's.
NOT_OURS = ("/admin/", "/django-admin/")
# The pages the browser loaded: key of their content -> (name in the report, HTML).
VISITED_PAGES = pytest.StashKey[dict[str, tuple[str, bytes]]]()
MARKUP_SUMMARY = pytest.StashKey[str]()
# Django's masked CSRF tokens: a page loaded twice differs by them alone.
CSRF_TOKEN = re.compile(rb"[A-Za-z0-9]{64}")


def _is_e2e(item) -> bool:
    return E2E_DIR in Path(str(item.path)).resolve().parents


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _is_e2e(item):
            item.add_marker(pytest.mark.e2e)


def pytest_configure(config):
    if not config.pluginmanager.has_plugin(ValidMarkup.name):
        config.pluginmanager.register(ValidMarkup(), ValidMarkup.name)


class ValidMarkup:
    """Adds the markup check after the browser tests, when any of them is selected."""

    name = "relais-e2e-valid-markup"

    @pytest.hookimpl(trylast=True)  # after -m and -k have deselected what they deselect
    def pytest_collection_modifyitems(self, session, config, items):
        e2e = [item for item in items if _is_e2e(item)]
        if not e2e:
            return
        package = next(node for node in e2e[0].listchain() if node.path == E2E_DIR)
        items.append(MarkupCheck.from_parent(package, name="valid_markup"))

    def pytest_terminal_summary(self, terminalreporter, config):
        summary = config.stash.get(MARKUP_SUMMARY, None)
        if summary:
            terminalreporter.section("markup (Nu HTML Checker)")
            terminalreporter.write_line(summary)


class MarkupErrors(Exception):
    pass


class MarkupCheck(pytest.Item):
    """The Nu HTML Checker on every page the browser tests loaded, in one run."""

    def runtest(self):
        pages = self.config.stash.get(VISITED_PAGES, {})
        if not pages:
            pytest.skip("no browser test loaded a page")
        reason = markup.unavailable_reason()
        if reason:
            pytest.skip(reason)
        documents = dict(pages.values())
        started = time.monotonic()
        problems = markup.validate(documents)
        self.config.stash[MARKUP_SUMMARY] = (
            f"{len(documents)} page(s) the browser loaded checked in "
            f"{time.monotonic() - started:.1f} s: {len(problems)} error(s)"
        )
        if problems:
            raise MarkupErrors(markup.report(problems, len(documents)))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, MarkupErrors):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, "markup of the pages the browser tests loaded"


def _keep_page(request, base_url: str, response) -> None:
    """Keeps the HTML of a page the site served to the main frame (see the docstring above)."""
    if response.request.resource_type != "document" or response.frame.parent_frame:
        return
    if not response.url.startswith(f"{base_url}/") or 300 <= response.status < 400:
        return
    path = urlsplit(response.url).path
    if path.startswith(NOT_OURS):
        return
    if not response.headers.get("content-type", "").startswith("text/html"):
        return
    try:
        html = response.body()
    except PlaywrightError:  # gone: the browser left the page before it had loaded
        return
    key = hashlib.sha256(CSRF_TOKEN.sub(b"", html)).hexdigest()
    pages = request.config.stash.setdefault(VISITED_PAGES, {})
    if key in pages:
        return
    name = f"{response.url.removeprefix(base_url)} ({response.status}, {request.node.name})"
    taken = {taken for taken, _ in pages.values()}
    unique, number = name, 1
    while unique in taken:  # the same address, another content (after a post, say)
        number += 1
        unique = f"{name} #{number}"
    pages[key] = (unique, html)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the item, so fixtures can tell a failed test at teardown.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def chromium_path() -> str:
    candidates = [
        os.environ.get("CHROMIUM_PATH"),
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        "/usr/bin/chromium",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    pytest.fail(
        "No Chromium found for the browser tests. Install Debian's chromium "
        "(apt-get install -y chromium) or set CHROMIUM_PATH to a Chromium binary. "
        "Do not run `playwright install`.",
        pytrace=False,
    )


@pytest.fixture(scope="package")
def browser(django_db_setup, django_db_blocker):
    """One Chromium for all of tests/e2e.

    Playwright's sync API marks an asyncio loop as running in the main thread
    from start to stop. Two things follow for Django, both undone at teardown
    (package scope), so the rest of the suite runs as usual:

    - Django refuses ORM calls from the test bodies and fixtures
      (SynchronousOnlyOperation); the documented way out for Playwright with
      pytest-django is DJANGO_ALLOW_ASYNC_UNSAFE.
    - Django keeps its connections per context instead of per thread while a
      loop runs (asgiref's thread-critical Local), so the tests get new
      connection objects, which lack the copy of the migrated data that
      serialized_rollback restores after each flush; it is handed over to them.
    """
    path = chromium_path()
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    serialized = _serialized_test_contents()
    try:
        with sync_playwright() as playwright:
            for alias, contents in serialized.items():
                connections[alias]._test_serialized_contents = contents
            chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()
                with django_db_blocker.unblock():
                    connections.close_all()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _serialized_test_contents() -> dict[str, str]:
    contents = {}
    for alias in connections:
        data = getattr(connections[alias], "_test_serialized_contents", None)
        if data is not None:
            contents[alias] = data
    return contents


def _screenshot_on_failure(request, page, suffix: str = ""):
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name + suffix)
    path = ARTIFACTS_DIR / f"{name}.png"
    report = getattr(request.node, "rep_call", None)
    if report is None or not report.failed:
        path.unlink(missing_ok=True)  # a screenshot from an earlier failure is stale now
        return
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    try:
        page.screenshot(path=str(path), full_page=True)
    except Exception as error:  # a broken page must not hide the test's own failure
        print(f"Could not save a screenshot for {request.node.nodeid}: {error}")


def _new_page(request, browser, live_server, viewport, *, locale=LOCALE, suffix=""):
    context = browser.new_context(viewport=viewport, locale=locale, base_url=live_server.url)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    page.on("response", lambda response: _keep_page(request, live_server.url, response))
    yield page
    _screenshot_on_failure(request, page, suffix)
    context.close()


def watch_csp(context) -> list[str]:
    """What the Content-Security-Policy (community/security.py) blocks in every page of
    `context`, the tabs a link opens included: Chromium reports each blocked script,
    style or request on the page's console."""
    blocked: list[str] = []

    def watch(page) -> None:
        def seen(message) -> None:
            if "Content Security Policy" in message.text:
                blocked.append(f"{page.url}: {message.text}")

        page.on("console", seen)

    for page in context.pages:
        watch(page)
    context.on("page", watch)
    return blocked


@pytest.fixture(autouse=True)
def _csp_never_blocks(monkeypatch):
    """The policy must never stop anything a journey does, in any browser it opens:
    every context made during the test (by the page fixtures, or by a journey for
    another person's browser) is watched, and a blocked load fails the test."""
    opened: list[list[str]] = []
    new_context = Browser.new_context

    def watched_new_context(self, *args, **kwargs):
        context = new_context(self, *args, **kwargs)
        opened.append(watch_csp(context))
        return context

    monkeypatch.setattr(Browser, "new_context", watched_new_context)
    yield
    blocked = [text for texts in opened for text in texts]
    assert not blocked, f"The Content-Security-Policy blocked: {blocked[:3]}"


@pytest.fixture
def page(request, browser, live_server):
    """A fresh browser context and page, 1280 x 900, base URL the live server."""
    yield from _new_page(request, browser, live_server, DESKTOP_VIEWPORT)


@pytest.fixture
def mobile_page(request, browser, live_server):
    """A fresh browser context and page, 360 x 740 (a small phone)."""
    yield from _new_page(request, browser, live_server, MOBILE_VIEWPORT)


@pytest.fixture
def browser_page(request, browser, live_server):
    """Opens more browsers for one test (another device, another person, another
    language): `browser_page(mobile=False, locale="fr-FR")` gives a page in a context
    of its own, checked, screenshotted on failure (named after the locale) and closed
    like `page`."""
    with contextlib.ExitStack() as stack:

        def open_(*, mobile: bool = False, locale: str = LOCALE):
            viewport = MOBILE_VIEWPORT if mobile else DESKTOP_VIEWPORT
            pages = _new_page(
                request, browser, live_server, viewport, locale=locale, suffix=f"-{locale}"
            )
            opened = next(pages)
            stack.callback(next, pages, None)
            return opened

        yield open_


@pytest.fixture
def sign_in(live_server):
    """Signs a user in for a page's browser context, through a session made by the test client."""

    def sign_in_(page, user) -> None:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )

    return sign_in_

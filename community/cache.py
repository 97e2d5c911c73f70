"""The version that keys cached community pages and fragments.

Cached fragments (the home page's sections) and the pages cached for visitors
(`cache_page_for_visitors`) carry this version in their keys.
Any successful write by a signed-in person, on the site or in the admin, moves
it on, so whoever changed something sees the change on their next page, in
every process that shares the cache. Visitors cannot write content, and their
requests (sign-in forms aside, which sign them in) leave the cache alone: a
stranger cannot empty it by posting. Writes outside a request (management
commands) call ``content_changed()`` themselves.
"""

import hashlib
import threading
import time
from collections import OrderedDict
from contextvars import ContextVar
from functools import wraps
from typing import NamedTuple

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language

from community.cache_backend import CacheUnavailable

CONTENT_VERSION_KEY = "relais:content-version"
# Methods that change nothing: they keep the cached fragments.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


# The version as the current request first read it (community.cache's middleware
# holds one per request): a page is rendered from one version, read once, however
# many of its parts are keyed by it. None outside a request.
_request_version: ContextVar[list | None] = ContextVar("relais_request_version", default=None)


def content_version() -> int:
    held = _request_version.get()
    if held is not None and held[0] is not None:
        return held[0]
    version = _read_content_version()
    if held is not None:
        held[0] = version
    return version


def _read_content_version() -> int:
    version = cache.get(CONTENT_VERSION_KEY)
    if version is None:
        try:
            cache.add(CONTENT_VERSION_KEY, time.time_ns(), timeout=None)
        except CacheUnavailable:
            # The shared cache is down (community.cache_backend): a version of
            # this moment's matches nothing stored, so every page is rendered afresh.
            return time.time_ns()
        version = cache.get(CONTENT_VERSION_KEY, 0)
    return version


def shown_key(name: str, shown: tuple) -> str:
    """The cache key of what is rendered from `shown` (everything it depends on):
    a digest, so that keys stay short and need no escaping whatever they hold."""
    digest = hashlib.sha256(repr(shown).encode("utf-8", "surrogateescape")).hexdigest()
    return f"relais:{name}:{digest}"


def requested_page(value) -> int | None:
    """The page number asked for, as part of the key of what is kept for that page;
    None for anything that is not a number (the paginator answers it with a page
    of its own choosing, which is not kept under it)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def content_changed() -> None:
    # A clock reading, not a counter: no read-modify-write to race on, and a
    # cache that lost the key never goes back to a version it served before.
    version = time.time_ns()
    cache.set(CONTENT_VERSION_KEY, version, timeout=None)
    _visitor_version.remember(version)
    held = _request_version.get()
    if held is not None:
        # What the request renders after its own write is keyed by the new version.
        held[0] = version


def content_changed_on_recovery(sender, **kwargs) -> None:
    """The shared cache answers again after an outage (cache_recovered): writes made
    meanwhile could not move the version on, so it moves on now. Every process that
    wrote during the outage saw it fail, so at least one of them sends this. Pages
    stored before the outage also expire on their own (VISITOR_PAGE_SECONDS)."""
    content_changed()


class _RecentVersion:
    """The content version as this process last read it, for at most `seconds`.

    Only visitors' pages use it: they may be served a page up to a second older
    than a write made in another process (a write in this process is seen at
    once), and in exchange a cached page costs no round trip to a shared cache.
    Members' pages and counts always read the version itself, so whoever writes
    sees their change on their next page, whichever process serves it.
    """

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.version = None
        self.read_at = 0.0

    def get(self) -> int:
        if self.version is None or time.monotonic() - self.read_at > self.seconds:
            self.remember(content_version())
        return self.version

    def remember(self, version: int) -> None:
        self.version, self.read_at = version, time.monotonic()

    def forget(self) -> None:
        self.version = None


VISITOR_VERSION_SECONDS = 1.0
_visitor_version = _RecentVersion(VISITOR_VERSION_SECONDS)


class ContentVersionMiddleware:
    """Reads the content version at most once per request, and moves it on after
    every write request by a signed-in person that succeeded."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Read at the first use, so a page that keys nothing by it (the constant
        # page the benchmark compares with) pays nothing for it.
        held = _request_version.set([None])
        try:
            response = self.get_response(request)
        finally:
            _request_version.reset(held)
        if (
            request.method not in SAFE_METHODS
            and response.status_code < 400
            and request.user.is_authenticated
        ):
            content_changed()
        return response


class VersionMemo:
    """Values every viewer shares (the site settings, the logo's image tag), kept in
    this process's memory for the content version they were read at.

    Any write moves the version on, so a value is never served once something it
    was read from changed: the next read finds another version and starts afresh.
    Nothing crosses the network for a value held here but the version itself, which
    the request has usually read already.
    """

    def __init__(self):
        self.version = None
        self.values: dict = {}
        self.lock = threading.Lock()
        _memos.append(self)

    def get(self, key, compute):
        version = content_version()
        with self.lock:
            if self.version != version:
                self.version, self.values = version, {}
            if key in self.values:
                return self.values[key]
        value = compute()
        with self.lock:
            if self.version == version:
                self.values[key] = value
        return value

    def clear(self) -> None:
        with self.lock:
            self.version, self.values = None, {}


_memos: list[VersionMemo] = []


# Visitors' pages --------------------------------------------------------------

# Long enough to absorb a burst from a search engine or a shared link, short
# enough that "2 minutes ago" and a thread's age on a cached page stay true.
VISITOR_PAGE_SECONDS = 60
# Cached pages must not carry the CSRF token of the visitor they were rendered
# for: the token is rendered as this placeholder and swapped for the current
# visitor's own token on every response. It is derived from the secret key, so
# nobody can write it into a post to have other visitors' tokens put there.
_CSRF_PLACEHOLDER_SALT = "relais.cache.csrf-placeholder"


def csrf_placeholder() -> str:
    return salted_hmac(_CSRF_PLACEHOLDER_SALT, "csrf-token").hexdigest()


def renders_for_page_cache(request) -> bool:
    """True while a page that will be cached for every visitor is being rendered:
    the context processor then gives templates the placeholder as `csrf_token`."""
    return getattr(request, "_relais_cacheable_render", False)


def _is_cacheable_request(request) -> bool:
    # Only what every visitor sees alike: no member, no htmx fragment, and no
    # message waiting to be shown to this visitor alone ("You have signed out").
    return (
        request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
        and not request.headers.get("HX-Request")
        and len(messages.get_messages(request)) == 0
    )


# What a stored page holds; a new form gets a new name, so that no process ever
# reads a page stored in the form it replaced.
_VISITOR_PAGE_FORM = "split"


def visitor_page_key(request, language: str) -> str:
    address = f"{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(address.encode("utf-8", "surrogateescape")).hexdigest()
    return f"relais:visitor-page:{_VISITOR_PAGE_FORM}:{_visitor_version.get()}:{language}:{digest}"


class VisitorPage(NamedTuple):
    """A page as every visitor is served it: the body cut where each visitor's own
    CSRF token goes (so serving it costs a join, not a search through the page),
    and the headers the site's middleware gave it, cookies aside."""

    parts: tuple[bytes, ...]
    headers: tuple[tuple[str, str], ...]


class _ProcessPages:
    """The latest visitor pages this process served, in its own memory.

    A page's key holds the content version, so a copy can never be stale: once
    anything is written, the version read from the shared cache moves on and
    these copies are no longer asked for. Keeping them here saves fetching the
    whole page from a shared cache (Redis) on every request; only the small
    version key crosses the network.
    """

    def __init__(self, size: int = 256):
        self.size = size
        self.pages: OrderedDict[str, tuple[float, VisitorPage]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> VisitorPage | None:
        with self.lock:
            entry = self.pages.get(key)
            if entry is None:
                return None
            if entry[0] < time.monotonic():
                del self.pages[key]
                return None
            self.pages.move_to_end(key)
            return entry[1]

    def set(self, key: str, page: VisitorPage, seconds: float) -> None:
        with self.lock:
            self.pages[key] = (time.monotonic() + seconds, page)
            self.pages.move_to_end(key)
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()


process_pages = _ProcessPages()


def forget_process_state() -> None:
    """Drop what this process keeps of visitors' pages (tests, after clearing the cache)."""
    process_pages.clear()
    _visitor_version.forget()
    for memo in _memos:
        memo.clear()


def visitor_page_get(key: str) -> VisitorPage | None:
    page = process_pages.get(key)
    if page is None:
        page = cache.get(key)
        if isinstance(page, VisitorPage):
            # What is left of the page's life in the shared cache is not known
            # here: a local copy lives for at most a tenth of it.
            process_pages.set(key, page, VISITOR_PAGE_SECONDS / 10)
        else:
            page = None
    return page


def visitor_page_set(key: str, page: VisitorPage) -> None:
    cache.set(key, page, VISITOR_PAGE_SECONDS)
    process_pages.set(key, page, VISITOR_PAGE_SECONDS)


# Set per page by the answer itself, or by the server in front (CommonMiddleware).
_HEADERS_NOT_STORED = frozenset({"content-length"})


def stored_headers(response) -> tuple[tuple[str, str], ...]:
    return tuple(
        (name, value)
        for name, value in response.headers.items()
        if name.lower() not in _HEADERS_NOT_STORED
    )


def _with_visitor_token(request, parts: tuple[bytes, ...]) -> bytes:
    """The page with this visitor's own CSRF token where it goes (the CSRF
    middleware then sets or renews their cookie, as for any page that used it)."""
    if len(parts) == 1:
        return parts[0]
    return get_token(request).encode().join(parts)


def visitor_page_response(request, page: VisitorPage) -> HttpResponse:
    return HttpResponse(_with_visitor_token(request, page.parts), headers=dict(page.headers))


# Requests whose page the visitors' middleware (community.config.middleware) stores
# with the headers the whole stack gives it: the key the middleware computed, or None
# for a request it may not answer from the cache (a session, a message cookie...).
# Absent when that middleware is not installed: the decorator then stores the page.
VISITOR_PAGE_KEY_ATTRIBUTE = "_relais_visitor_page_key"
VISITOR_PAGE_PARTS_ATTRIBUTE = "_relais_visitor_page_parts"


def _keep_rendered_page(request, key: str, response, parts: tuple[bytes, ...]) -> None:
    if not hasattr(request, VISITOR_PAGE_KEY_ATTRIBUTE):
        visitor_page_set(key, VisitorPage(parts, stored_headers(response)))
    elif getattr(request, VISITOR_PAGE_KEY_ATTRIBUTE) == key:
        # The middleware stores it once the rest of the stack has added its headers.
        # Only such requests store: a page rendered for a visitor with a session
        # may have passed checks (a page's password) that the middleware, which
        # answers before sessions, could not repeat for the next visitor.
        setattr(request, VISITOR_PAGE_PARTS_ATTRIBUTE, parts)


def cache_page_for_visitors(view):
    """Serves signed-out visitors a page rendered once for all of them.

    The key holds the content version, the language and the address, so any
    write moves every visitor on to fresh pages at once, in every process that
    shares the cache. Members, htmx requests and visitors with a message waiting
    always get a page rendered for them; so do the people who just wrote, since
    they are signed in. Only complete 200 pages that set no cookie, changed no
    session and never read the visitor's own CSRF token are stored. Visitors
    without a session are served the stored page before most of the middleware
    runs (community.config.middleware.VisitorPageMiddleware).
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _is_cacheable_request(request):
            return view(request, *args, **kwargs)
        key = visitor_page_key(request, get_language())
        stored = visitor_page_get(key)
        if stored is not None:
            return visitor_page_response(request, stored)
        # The page is rendered while the flag is up, lazy responses too (a Wagtail
        # page's TemplateResponse): every `{% csrf_token %}` in it is the placeholder.
        # Should anything still read this visitor's real token while rendering,
        # the page is theirs alone and is not stored.
        token_was_due = request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False)
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False
        request._relais_cacheable_render = True
        try:
            response = view(request, *args, **kwargs)
            if (
                isinstance(response, HttpResponse)
                and hasattr(response, "render")
                and not response.is_rendered
            ):
                response.render()
        finally:
            request._relais_cacheable_render = False
            read_real_token = request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False)
            request.META["CSRF_COOKIE_NEEDS_UPDATE"] = token_was_due or read_real_token
        if not isinstance(response, HttpResponse) or response.streaming:
            return response
        parts = tuple(response.content.split(csrf_placeholder().encode()))
        session = getattr(request, "session", None)
        if (
            response.status_code == 200
            and not read_real_token
            and not response.cookies
            and not (session is not None and session.modified)
            and len(messages.get_messages(request)) == 0
        ):
            _keep_rendered_page(request, key, response, parts)
        response.content = _with_visitor_token(request, parts)
        return response

    return wrapper

"""The version that keys cached community fragments.

Cached fragments (the home page's sections) carry this version in their keys.
Any successful write by a signed-in person, on the site or in the admin, moves
it on, so whoever changed something sees the change on their next page, in
every process that shares the cache. Visitors cannot write content, and their
requests (sign-in forms aside, which sign them in) leave the cache alone: a
stranger cannot empty it by posting. Writes outside a request (management
commands) call ``content_changed()`` themselves.
"""

import time

from django.core.cache import cache

CONTENT_VERSION_KEY = "relais:content-version"
# Methods that change nothing: they keep the cached fragments.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def content_version() -> int:
    version = cache.get(CONTENT_VERSION_KEY)
    if version is None:
        cache.add(CONTENT_VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(CONTENT_VERSION_KEY, 0)
    return version


def content_changed() -> None:
    # A clock reading, not a counter: no read-modify-write to race on, and a
    # cache that lost the key never goes back to a version it served before.
    cache.set(CONTENT_VERSION_KEY, time.time_ns(), timeout=None)


class ContentVersionMiddleware:
    """Moves the content version on after every write request by a signed-in person
    that succeeded."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method not in SAFE_METHODS
            and response.status_code < 400
            and request.user.is_authenticated
        ):
            content_changed()
        return response

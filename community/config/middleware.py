"""Site-wide middleware: requests that no page of ours can answer, turned away before
any view reads them, and visitors answered from the cache before the rest of the stack."""

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import BadRequest
from django.http import JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext as _

from community.api.errors import error_body
from community.cache import (
    VISITOR_PAGE_KEY_ATTRIBUTE,
    VISITOR_PAGE_PARTS_ATTRIBUTE,
    VisitorPage,
    process_pages,
    stored_headers,
    visitor_page_key,
    visitor_page_response,
    visitor_page_set,
)
from community.config.language import reader_language

API_PREFIX = "/api/"


class RejectNulCharacterMiddleware:
    """A NUL character in the path or the query string is a 400 Bad Request.

    No link of ours holds one, and PostgreSQL cannot take one as a text parameter:
    psycopg raises DataError, so a lookup such as `?tag=%00` or `/u/%00/` would be a
    500 there (SQLite happens to accept it). Forms refuse NUL in what they post with
    a form error instead, so that the member keeps what they typed. The API answers
    the same refusal in its own JSON shape (community.api.errors).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path_info or "%00" in query or "\x00" in query:
            message = _("The address holds a character that is not allowed.")
            if request.path_info.startswith(API_PREFIX):
                return JsonResponse(error_body(400, message, code="bad_address"), status=400)
            raise BadRequest(message)
        return self.get_response(request)


class VisitorPageMiddleware:
    """Answers a visitor from the pages cached for visitors (community.cache) before
    sessions, authentication, messages and the view are reached.

    It sits after the middleware that adds the security headers, so a page served
    here gets them as any other does; the headers the rest of the stack gives a page
    (Vary, Content-Language, X-Frame-Options...) are stored with it. Only requests
    that cannot belong to anyone are answered here: a GET without a session cookie
    (so no member, and no password a page asked for), without a message waiting in
    a cookie, without credentials and not from htmx. The language is the one the
    site would choose for such a request (community.config.language). Every other
    request goes through the whole stack, and cache_page_for_visitors may still
    serve it a stored page once the checks have run.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        # Django's own CSRF cookie handling, for the pages answered here.
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request):
        if not _belongs_to_nobody(request):
            setattr(request, VISITOR_PAGE_KEY_ATTRIBUTE, None)
            return self.get_response(request)
        key = visitor_page_key(request, reader_language(request))
        if request.method == "GET":
            # Only this process's own copies: asking the shared cache here would cost
            # a round trip to every visitor's request for a page that is not cached
            # at all; the decorator asks it for the pages that may be.
            page = process_pages.get(key)
            if page is not None:
                self.csrf.process_request(request)
                response = visitor_page_response(request, page)
                response.headers["Content-Length"] = str(len(response.content))
                return self.csrf.process_response(request, response)
        setattr(request, VISITOR_PAGE_KEY_ATTRIBUTE, key)
        response = self.get_response(request)
        parts = getattr(request, VISITOR_PAGE_PARTS_ATTRIBUTE, None)
        if (
            parts is not None
            and response.status_code == 200
            and not response.streaming
            # The visitor's own CSRF cookie is set again for each one who is served it.
            and set(response.cookies) <= {settings.CSRF_COOKIE_NAME}
        ):
            visitor_page_set(key, VisitorPage(parts, stored_headers(response)))
        return response


def _belongs_to_nobody(request) -> bool:
    cookies = request.COOKIES
    meta = request.META
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in cookies
        and CookieStorage.cookie_name not in cookies
        and "HTTP_HX_REQUEST" not in meta
        and "HTTP_AUTHORIZATION" not in meta
        # A CSRF secret kept in the session would need the session read here.
        and not settings.CSRF_USE_SESSIONS
    )

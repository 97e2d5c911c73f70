"""Requests that no page of ours can answer, turned away before any view reads them."""

from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _


class RejectNulCharacterMiddleware:
    """A NUL character in the path or the query string is a 400 Bad Request.

    No link of ours holds one, and PostgreSQL cannot take one as a text parameter:
    psycopg raises DataError, so a lookup such as `?tag=%00` or `/u/%00/` would be a
    500 there (SQLite happens to accept it). Forms refuse NUL in what they post with
    a form error instead, so that the member keeps what they typed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path_info or "%00" in query or "\x00" in query:
            raise BadRequest(_("The address holds a character that is not allowed."))
        return self.get_response(request)

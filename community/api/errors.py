"""Every error the API answers has one shape, documented in the schema:

    {"error": {"status": 400, "code": "invalid", "message": "…", "fields": {"title": ["…"]}}}

`code` is stable (programs branch on it), `message` is written for a person, in
the request's language, and `fields` names what to fix in the body sent. The
services' refusals (django.core.exceptions) become the same answers as on the site:
PermissionDenied a 403, ValidationError a 400, a posting limit a 429 with
Retry-After."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from community.limits import PostingLimitReached

CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    415: "unsupported_media_type",
    429: "too_many_requests",
}


def error_body(status_code: int, message: str, *, code: str = "", fields=None) -> dict:
    error = {
        "status": status_code,
        "code": code or CODES.get(status_code, "error"),
        "message": str(message),
    }
    if fields:
        error["fields"] = fields
    return {"error": error}


def _messages(detail) -> list[str]:
    if isinstance(detail, list | tuple):
        return [str(item) for entry in detail for item in _messages(entry)]
    if isinstance(detail, dict):
        return [str(item) for entry in detail.values() for item in _messages(entry)]
    return [str(detail)]


def _from_django(exc):
    if isinstance(exc, PostingLimitReached):
        response = Response(
            error_body(429, " ".join(exc.messages), code="posting_limit"),
            status=status.HTTP_429_TOO_MANY_REQUESTS,
        )
        response["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            fields = {name: _messages(errors) for name, errors in exc.message_dict.items()}
            return Response(
                error_body(400, _("Some fields need fixing."), fields=fields),
                status=status.HTTP_400_BAD_REQUEST,
            )
        code = next((error.code for error in exc.error_list if error.code), "invalid")
        return Response(
            error_body(400, " ".join(exc.messages), code=code),
            status=status.HTTP_400_BAD_REQUEST,
        )
    return None


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        return _from_django(exc)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a server error: Django's handler500 answers it
    detail = getattr(exc, "detail", "")
    if isinstance(exc, exceptions.ValidationError):
        fields = detail if isinstance(detail, dict) else {"non_field_errors": _messages(detail)}
        fields = {name: _messages(errors) for name, errors in fields.items()}
        response.data = error_body(400, _("Some fields need fixing."), fields=fields)
    else:
        message = " ".join(_messages(detail)) or _("The request was refused.")
        code = getattr(detail, "code", "") if not isinstance(detail, list | dict) else ""
        if response.status_code in (401, 403, 404, 405, 406, 415, 429):
            code = CODES[response.status_code]
        response.data = error_body(response.status_code, message, code=code)
    return response

"""Site-wide endpoints that belong to no feature: the health check, the pages for a
failed request (server error, service unavailable) and a refused form (CSRF), and
the benchmark's constant page."""

import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from community.cache_backend import CacheUnavailable


@never_cache
@require_GET
def healthz(request):
    """200 when the app answers and its database completes a round trip, else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "error"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@never_cache
@require_GET
def benchmark_baseline(request):
    """A constant answer through the whole middleware stack: `manage.py benchmark`
    compares every page's throughput with this one's. Mounted only by
    `benchmark_urls`, which the benchmark's own server uses."""
    return HttpResponse("ok", content_type="text/plain")


def csrf_failure(request, reason=""):
    """A form sent without a valid token (an expired page, cookies off) gets the
    site's own page. Django's built-in one carries an inline <style>, which the
    Content-Security-Policy refuses, and speaks English only."""
    return render(request, "403_csrf.html", status=403)


# Seconds a client is asked to wait when a service is down (Retry-After).
RETRY_AFTER_SECONDS = 30


def _outage_reason(error: BaseException | None) -> str | None:
    """ "database" or "limits" when the error (or one it came from) means a service
    the site depends on is not answering, else None."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        # OperationalError: the connection failed or broke (and the transient
        # failures PostgreSQL reports the same way); InterfaceError: it is closed.
        if isinstance(error, OperationalError | InterfaceError):
            return "database"
        if isinstance(error, CacheUnavailable):
            return "limits"
        error = error.__cause__ or error.__context__
    return None


def service_unavailable(request, *, reason: str) -> HttpResponse:
    """The 503 page, rendered without the database or the cache: a plain template,
    no request context (so no context processor, site setting or menu), in the
    language the browser or the language cookie asks for."""
    language = translation.get_language_from_request(request, check_path=True)
    with translation.override(language):
        content = loader.render_to_string("503.html", {"reason": reason})
    response = HttpResponse(content, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request):
    """handler500: an unexpected error gets the site's 500 page; a service that is
    down (the database, or the store the sign-in and posting limits count in) gets
    the 503 page with Retry-After, never a traceback. It is called for errors raised
    in views and in middleware alike, while the error is being handled."""
    reason = _outage_reason(sys.exc_info()[1])
    if reason is not None:
        return service_unavailable(request, reason=reason)
    return HttpResponseServerError(loader.get_template("500.html").render())

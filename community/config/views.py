"""Site-wide endpoints that belong to no feature: the health check, the page for a
refused form (CSRF) and the benchmark's constant page."""

from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


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

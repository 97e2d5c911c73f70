from django.db import DatabaseError, connection
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from community import selectors


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


@require_GET
def thread_list(request):
    page = selectors.thread_list(page_number=request.GET.get("page", 1))
    return render(
        request,
        "community/thread_list.html",
        {"page": page, "categories": selectors.category_list(), "category": None},
    )


@require_GET
def category_detail(request, slug):
    category = selectors.category_get(slug=slug)
    page = selectors.thread_list(category=category, page_number=request.GET.get("page", 1))
    return render(
        request,
        "community/thread_list.html",
        {"page": page, "categories": selectors.category_list(), "category": category},
    )


@require_GET
def thread_detail(request, pk, slug=None):
    thread = selectors.thread_get(pk=pk)
    if slug != thread.slug:
        # One address per thread, so links and search engines agree.
        query = f"?{request.GET.urlencode()}" if request.GET else ""
        return HttpResponsePermanentRedirect(thread.get_absolute_url() + query)
    replies = selectors.reply_list(thread=thread, page_number=request.GET.get("page", 1))
    return render(request, "community/thread_detail.html", {"thread": thread, "replies": replies})

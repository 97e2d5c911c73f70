from urllib.parse import urlencode

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


def _render_thread_list(request, category=None):
    tag = selectors.tag_get(slug=request.GET.get("tag", "")[:100])
    page = selectors.thread_list(category=category, tag=tag, page_number=request.GET.get("page", 1))
    return render(
        request,
        "community/thread_list.html",
        {
            "page": page,
            "categories": selectors.category_list(),
            "category": category,
            "tag": tag,
            "query": urlencode({"tag": tag.slug}) if tag else "",
        },
    )


@require_GET
def thread_list(request):
    return _render_thread_list(request)


@require_GET
def category_detail(request, slug):
    return _render_thread_list(request, category=selectors.category_get(slug=slug))


SEARCH_QUERY_MAX_LENGTH = 200


@require_GET
def search(request):
    query = " ".join(request.GET.get("q", "").split())[:SEARCH_QUERY_MAX_LENGTH]
    terms = selectors.search_terms(query)
    context = {"query": query, "page": None, "pages": [], "query_string": ""}
    if terms:
        context["page"] = selectors.search_threads(
            query=terms, page_number=request.GET.get("page", 1)
        )
        context["pages"] = selectors.search_pages(query=terms)
        context["query_string"] = urlencode({"q": query})
    return render(request, "community/search.html", context)


@require_GET
def thread_detail(request, pk, slug=None):
    thread = selectors.thread_get(pk=pk)
    if slug != thread.slug:
        # One address per thread, so links and search engines agree.
        query = f"?{request.GET.urlencode()}" if request.GET else ""
        return HttpResponsePermanentRedirect(thread.get_absolute_url() + query)
    replies = selectors.reply_list(thread=thread, page_number=request.GET.get("page", 1))
    return render(request, "community/thread_detail.html", {"thread": thread, "replies": replies})

"""The official-reply queue: what waits for the brand, due first."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.views.decorators.http import require_GET

from community.models import Category
from moderation import permissions, queue_rows, selectors


@login_required
@require_GET
def queue(request):
    permissions.check_moderate(request.user)
    slug = request.GET.get("category", "")[:80]
    category = Category.objects.originals().filter(slug=slug).first() if slug else None
    language = request.GET.get("language", "")
    language = language if language in dict(settings.LANGUAGES) else ""
    filters = request.GET.getlist("filter")
    overdue = "overdue" in filters
    # "mine" and "unassigned" exclude each other: the first one given wins.
    assignment = next((f for f in filters if f in selectors.QUEUE_ASSIGNMENT_FILTERS), "")
    stage = request.GET.get("stage", "")
    stage = stage if stage in selectors.QUEUE_STAGES else ""
    sort = request.GET.get("sort", "due")
    sort = sort if sort in selectors.QUEUE_SORTS else "due"
    params = [
        ("category", category.slug if category else ""),
        ("language", language),
        ("filter", "overdue" if overdue else ""),
        ("filter", assignment),
        ("stage", stage),
        ("sort", sort if sort != "due" else ""),
    ]
    query = urlencode([(key, value) for key, value in params if value])
    section = queue_rows.queue_section(
        category=category,
        language=language,
        overdue=overdue,
        assignment=assignment,
        stage=stage,
        viewer=request.user,
        sort=sort,
        page_number=request.GET.get("page", 1),
        back=request.get_full_path(),
        query=query,
        csrf_token=get_token(request),
    )
    return render(
        request,
        "moderation/queue.html",
        {
            "section": section,
            "categories": Category.objects.originals(),
            "category": category,
            "languages": settings.LANGUAGES,
            "language": language,
            "overdue": overdue,
            "assignment": assignment,
            "stage": stage,
            "sort": sort,
        },
    )

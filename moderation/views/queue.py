"""The official-reply queue: what waits for the brand, due first."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from community.models import Category
from moderation import permissions, selectors


@login_required
@require_GET
def queue(request):
    permissions.check_moderate(request.user)
    category = Category.objects.filter(slug=request.GET.get("category", "")[:80]).first()
    overdue = request.GET.get("filter") == "overdue"
    sort = request.GET.get("sort", "due")
    sort = sort if sort in selectors.QUEUE_SORTS else "due"
    page = selectors.queue_list(
        category=category, overdue=overdue, sort=sort, page_number=request.GET.get("page", 1)
    )
    query = "&".join(
        part
        for part in (
            f"category={category.slug}" if category else "",
            "filter=overdue" if overdue else "",
            f"sort={sort}" if sort != "due" else "",
        )
        if part
    )
    return render(
        request,
        "moderation/queue.html",
        {
            "page": page,
            "categories": Category.objects.all(),
            "category": category,
            "overdue": overdue,
            "sort": sort,
            "query": query,
        },
    )

"""The list of the members' satisfaction answers (moderators only)."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from community.models import Category
from moderation import permissions
from moderation.satisfaction_selectors import clean_score_band, satisfaction_answers


@login_required
@require_GET
def satisfaction_list(request):
    permissions.check_moderate(request.user)
    band = clean_score_band(request.GET.get("score", ""))
    categories = Category.objects.originals()
    category = next((c for c in categories if c.slug == request.GET.get("category")), None)
    page = satisfaction_answers(
        band=band, category=category, page_number=request.GET.get("page", 1)
    )
    filters = {"score": band, "category": category.slug if category else ""}
    return render(
        request,
        "moderation/satisfaction.html",
        {
            "page": page,
            "band": band,
            "category": category,
            "categories": categories,
            "query": urlencode({key: value for key, value in filters.items() if value}),
        },
    )

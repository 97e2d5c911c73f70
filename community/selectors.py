"""What the community pages read, each in a fixed number of queries."""

import re

from django.core.paginator import Page, Paginator
from django.shortcuts import get_object_or_404
from taggit.models import Tag

from community.models import Category, Reply, Thread

THREADS_PER_PAGE = 30
REPLIES_PER_PAGE = 50


def category_list():
    return Category.objects.with_thread_counts()


def category_get(*, slug: str) -> Category:
    return get_object_or_404(Category, slug=slug)


def tag_get(*, slug: str) -> Tag | None:
    return Tag.objects.filter(slug=slug).first() if slug else None


def thread_list(*, category: Category | None = None, tag: Tag | None = None, page_number=1) -> Page:
    threads = Thread.objects.for_list()
    if category is not None:
        threads = threads.filter(category=category)
    if tag is not None:
        threads = threads.filter(tags=tag)
    return Paginator(threads, THREADS_PER_PAGE).get_page(page_number)


def thread_get(*, pk: int) -> Thread:
    threads = Thread.objects.visible().with_author().select_related("category")
    return get_object_or_404(threads, pk=pk)


def reply_list(*, thread: Thread, page_number=1) -> Page:
    replies = Reply.objects.visible().filter(thread=thread).with_author()
    return Paginator(replies.order_by("created_at", "pk"), REPLIES_PER_PAGE).get_page(page_number)


def search_terms(query: str) -> str:
    """The words of a typed query, without the characters full-text engines read as syntax.

    Members type error codes, quotes and punctuation; the search backends would
    take an unbalanced quote or a stray operator as a malformed query.
    """
    words = re.findall(r"\w+", query)
    return " ".join(word for word in words if word.upper() not in {"AND", "OR", "NOT", "NEAR"})


def search_threads(*, query: str, page_number=1) -> Page:
    """Visible threads matching `query`, best match first."""
    results = Thread.objects.for_list().search(query)
    return Paginator(results, THREADS_PER_PAGE).get_page(page_number)


def search_pages(*, query: str, limit: int = 5):
    """Live editor pages (help, guidelines) matching `query`."""
    from wagtail.models import Page as WagtailPage

    return WagtailPage.objects.live().public().specific().search(query)[:limit]

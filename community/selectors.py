"""What the community pages read, each in a fixed number of queries."""

from django.core.paginator import Page, Paginator
from django.shortcuts import get_object_or_404

from community.models import Category, Reply, Thread

THREADS_PER_PAGE = 30
REPLIES_PER_PAGE = 50


def category_list():
    return Category.objects.with_thread_counts()


def category_get(*, slug: str) -> Category:
    return get_object_or_404(Category, slug=slug)


def thread_list(*, category: Category | None = None, page_number=1) -> Page:
    threads = Thread.objects.for_list()
    if category is not None:
        threads = threads.filter(category=category)
    return Paginator(threads, THREADS_PER_PAGE).get_page(page_number)


def thread_get(*, pk: int) -> Thread:
    return get_object_or_404(
        Thread.objects.visible().with_author().select_related("category"), pk=pk
    )


def reply_list(*, thread: Thread, page_number=1) -> Page:
    replies = (
        Reply.objects.visible().filter(thread=thread).with_author().order_by("created_at", "pk")
    )
    return Paginator(replies, REPLIES_PER_PAGE).get_page(page_number)

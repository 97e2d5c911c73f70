"""What the community pages read, each in a fixed number of queries."""

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

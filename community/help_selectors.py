"""What readers of the help centre are shown: article search, the articles
suggested while asking, and the articles related to a thread.

Apart from the forum's selectors because the help centre's pages are Wagtail
pages, which the home page's blocks (and so the forum's selectors) sit beneath.
"""

from django.core.cache import cache
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language

from community.cache import content_version
from community.models import HelpArticlePage, HelpArticleTag, Thread
from community.page_languages import default_language, in_language_tree, pages_for_reader
from community.search import query_words
from community.selectors import COUNTS_CACHE_SECONDS

SUGGESTED_ARTICLES_LIMIT = 3
RELATED_HELP_ARTICLES_LIMIT = 3


def search_help_articles(*, query: str, limit: int = 5) -> list:
    """Live, public help articles matching `query`, best first, in the reader's
    language where translated (a match in either language counts)."""
    found = HelpArticlePage.objects.live().public().search(query)[: limit * 2]
    return pages_for_reader(found, get_language())[:limit]


def suggested_help_articles(*, title: str, limit: int = SUGGESTED_ARTICLES_LIMIT) -> list:
    words = query_words(title)
    if not words:
        return []
    found = HelpArticlePage.objects.live().public().search(" ".join(words), operator="or")
    return pages_for_reader(found[: limit * 2], get_language())[:limit]


def help_article_get(*, pk: int) -> HelpArticlePage:
    return get_object_or_404(HelpArticlePage.objects.live().public(), pk=pk)


def related_help_articles(*, thread: Thread, limit: int = RELATED_HELP_ARTICLES_LIMIT) -> list:
    """Live, public help articles about the thread's category or any of its tags, those
    that share both first. Two queries (view restrictions, articles), then none until
    the next write; the thread's tags are prefetched by thread_get*."""
    tag_ids = sorted(tag.pk for tag in thread.tags.all())
    language = get_language()
    key = (
        f"relais:related-help:{content_version()}:{language}:{thread.category_id}:{limit}:"
        + ",".join(map(str, tag_ids))
    )
    articles = cache.get(key)
    if articles is None:
        articles = pages_for_reader(
            _related_help_articles(thread.category_id, tag_ids, limit), language
        )
        cache.set(key, articles, COUNTS_CACHE_SECONDS)
    return articles


def _related_help_articles(category_id: int, tag_ids: list[int], limit: int) -> list:
    same_category = Exists(
        HelpArticlePage.related_categories.through.objects.filter(
            helparticlepage_id=OuterRef("pk"), category_id=category_id
        )
    )
    same_tag = Exists(
        HelpArticleTag.objects.filter(content_object_id=OuterRef("pk"), tag_id__in=tag_ids)
    )
    articles = (
        HelpArticlePage.objects.live()
        .public()
        # Categories and tags are the default-language article's; the reader gets
        # its translation.
        .filter(in_language_tree(default_language()))
        .annotate(same_category=same_category, same_tag=same_tag)
        .filter(Q(same_category=True) | Q(same_tag=True))
        .annotate(
            shares_both=Case(
                When(same_category=True, same_tag=True, then=Value(1)), default=Value(0)
            )
        )
        .only("id", "title", "slug", "url_path", "summary", "path", "depth", "translation_key")
        .order_by("-shares_both", "title", "pk")
    )
    return list(articles[:limit])

"""What `manage.py benchmark` measures: its pages, who views each, and the rows of
the data they are measured on.

Every page is measured as one kind of viewer (a visitor, a member, a moderator),
and its share is taken against the constant page measured as the same kind of
viewer: a signed-in request pays for reading its session and its member before any
view runs, which a visitor's does not, so comparing a member's page with the
visitors' constant page would charge the page for the middleware.

Members and moderators share one signed-in constant page. Nothing in the
middleware depends on the role: the session row and the member's row are read the
same way for both, and roles are only read by views and context processors, which
belong to the page's own cost (tests/community/config/test_benchmark.py pins that
the constant page costs a moderator the queries it costs a member).

The search right after a write is measured apart, one request at a time, each one
after a write has moved the content version on (see `PageSpec.after_write`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import User
from accounts.roles import MODERATORS_GROUP, STAFF_GROUPS
from community.cache import content_changed
from community.models import Category, Reply, TaggedThread, Thread
from community.services import reply_create

VISITOR, MEMBER, MODERATOR = "visitor", "member", "moderator"
# The demo's moderator account (seed_demo): the moderator pages are measured as it.
DEMO_MODERATOR = "moderator"
MANY_REPLIES = 50


@dataclass(frozen=True)
class PageSpec:
    """A measured page: who views it and which constant page its share is taken against.

    `after_write`: measured one request at a time on one connection, each request
    right after a write by a member moved the content version on (as every write by
    a signed-in person does, community.cache), so each is the first request after a
    write and pays for whatever the write made stale. Its requests per second are
    that one connection's, so its share is taken against the signed-in constant
    page measured the same way.
    """

    name: str
    kind: str
    baseline: str
    after_write: bool = False

    @property
    def role(self) -> str | None:
        """Who is signed in: None for a visitor, else "member" or "moderator"."""
        return None if self.kind == VISITOR else self.kind


# In the order they are measured: each kind's constant page first, then its pages;
# the pages after a write last, since their write changes what the others show.
PAGES = (
    PageSpec("baseline", VISITOR, "baseline"),
    PageSpec("home", VISITOR, "baseline"),
    PageSpec("community", VISITOR, "baseline"),
    PageSpec("category_tag", VISITOR, "baseline"),
    PageSpec("thread_anonymous", VISITOR, "baseline"),
    PageSpec("search", VISITOR, "baseline"),
    PageSpec("baseline_signed_in", MEMBER, "baseline_signed_in"),
    PageSpec("community_member", MEMBER, "baseline_signed_in"),
    PageSpec("category_tag_member", MEMBER, "baseline_signed_in"),
    PageSpec("thread_member", MEMBER, "baseline_signed_in"),
    PageSpec("notifications", MEMBER, "baseline_signed_in"),
    PageSpec("search_member", MEMBER, "baseline_signed_in"),
    PageSpec("moderation_queue", MODERATOR, "baseline_signed_in"),
    PageSpec("thread_moderator", MODERATOR, "baseline_signed_in"),
    PageSpec("approvals", MODERATOR, "baseline_signed_in"),
    PageSpec("reports", MODERATOR, "baseline_signed_in"),
    PageSpec("metrics", MODERATOR, "baseline_signed_in"),
    PageSpec("baseline_after_write", MEMBER, "baseline_after_write", after_write=True),
    PageSpec("search_after_write", MEMBER, "baseline_after_write", after_write=True),
)
PAGE_SPECS = {spec.name: spec for spec in PAGES}
BASELINE_PAGES = frozenset(spec.baseline for spec in PAGES)

# Words too common to say anything about search (English and French).
STOP_WORDS = frozenset(
    {
        "the",
        "and",
        "for",
        "with",
        "from",
        "that",
        "this",
        "have",
        "has",
        "not",
        "but",
        "are",
        "was",
        "were",
        "what",
        "when",
        "how",
        "why",
        "does",
        "can",
        "cannot",
        "after",
        "before",
        "into",
        "your",
        "you",
        "our",
        "about",
        "there",
        "their",
        "they",
        "them",
        "les",
        "des",
        "une",
        "pour",
        "avec",
        "dans",
        "sur",
        "pas",
        "est",
        "que",
        "qui",
        "par",
        "plus",
        "sont",
        "mon",
        "mes",
    }
)


@dataclass
class Targets:
    category: Category | None
    tag_slug: str
    thread: Thread | None
    search_word: str
    member: User | None
    moderator: User | None

    @cached_property
    def search_word_share(self) -> float:
        """The share of visible threads whose title or text holds the search word (the
        search targets are for a word found in half of them)."""
        threads = Thread.objects.visible()
        total = threads.count()
        if not total or not self.search_word:
            return 0.0
        word = self.search_word
        return threads.filter(Q(title__icontains=word) | Q(body__icontains=word)).count() / total

    def describe(self) -> dict:
        return {
            "category": self.category.slug if self.category else None,
            "tag": self.tag_slug or None,
            "thread": self.thread.pk if self.thread else None,
            "thread_replies": self.thread.reply_count if self.thread else None,
            "search_word": self.search_word or None,
            "search_word_share": self.search_word_share,
            "member": self.member.username if self.member else None,
            "moderator": self.moderator.username if self.moderator else None,
        }


def find_targets() -> Targets:
    """The rows each page is measured on, chosen from the data so that two runs on
    differently sized data measure the same kind of page."""
    pair = (
        TaggedThread.objects.filter(content_object__visibility="visible")
        .values("content_object__category_id", "tag__slug")
        .annotate(uses=Count("id"))
        .order_by("-uses", "content_object__category_id", "tag__slug")
        .first()
    )
    if pair:
        category = Category.objects.get(pk=pair["content_object__category_id"])
        tag_slug = pair["tag__slug"]
    else:
        category = (
            Category.objects.originals()
            .annotate(n=Count("threads"))
            .order_by("-n", "position", "pk")
            .first()
        )
        tag_slug = ""
    thread = Thread.objects.visible().order_by("-reply_count", "pk").first()
    return Targets(
        category=category,
        tag_slug=tag_slug,
        thread=thread,
        search_word=common_title_word(),
        member=benchmark_member(),
        moderator=benchmark_moderator(),
    )


def benchmark_member() -> User | None:
    """Whom the member pages are measured as: of the members reading the site in its
    default language (the language the visitors' pages are measured in), the one
    with the most notifications, so that their page has rows to show (seed_demo's
    story gives its members some; seed_scale's members have none); on a tie, the
    earliest account. None when no such member exists."""
    return (
        User.objects.filter(
            is_active=True, is_staff=False, is_superuser=False, language=settings.LANGUAGE_CODE
        )
        .exclude(groups__name__in=STAFF_GROUPS)
        .exclude(suspended_until__gt=timezone.now())
        .annotate(notification_count=Count("notifications"))
        .filter(notification_count__gt=0)
        .order_by("-notification_count", "pk")
        .first()
    )


def benchmark_moderator() -> User | None:
    """The demo's `moderator` account, else the earliest active moderator."""
    moderators = User.objects.filter(is_active=True, groups__name=MODERATORS_GROUP)
    return moderators.filter(username=DEMO_MODERATOR).first() or moderators.order_by("pk").first()


def missing_people(targets: Targets, pages) -> list[str]:
    """Why the pages asked for cannot be measured: one message per missing person."""
    roles = {PAGE_SPECS[name].role for name in pages} - {None}
    messages = []
    if MEMBER in roles and targets.member is None:
        messages.append(
            "No member to sign in as for the member pages: an active member without a "
            f"staff role, reading in {settings.LANGUAGE_CODE!r}, with notifications."
        )
    if MODERATOR in roles and targets.moderator is None:
        messages.append(
            f"No moderator to sign in as for the moderator pages: the demo's "
            f"{DEMO_MODERATOR!r} account or any active member of {MODERATORS_GROUP!r}."
        )
    return messages


def common_title_word(limit: int = 20_000) -> str:
    """The most frequent word of the latest visible thread titles; else the most used tag."""
    words = Counter()
    titles = (
        Thread.objects.visible()
        .order_by("-pk")
        .values_list("title", flat=True)[:limit]
        .iterator(chunk_size=2000)
    )
    for title in titles:
        for word in re.findall(r"[^\W\d_]{4,}", title.lower()):
            if word not in STOP_WORDS:
                words[word] += 1
    if words:
        return min(words.items(), key=lambda item: (-item[1], item[0]))[0]
    tag = (
        TaggedThread.objects.values("tag__name")
        .annotate(uses=Count("id"))
        .order_by("-uses", "tag__name")
        .first()
    )
    return tag["tag__name"] if tag else ""


def page_paths(targets: Targets) -> dict[str, str]:
    """Page name -> path, for the pages the data has something to measure them on.

    Who views each page is its PageSpec's role; whether that person exists is
    `missing_people`'s question, not this one's.
    """
    category = thread = search = None
    if targets.category:
        query = f"?{urlencode({'tag': targets.tag_slug})}" if targets.tag_slug else ""
        category = f"{targets.category.get_absolute_url()}{query}"
    if targets.thread:
        thread = targets.thread.get_absolute_url()
    if targets.search_word:
        search = f"/community/search/?{urlencode({'q': targets.search_word})}"
    paths = {
        "baseline": "/bench/baseline",
        "home": "/",
        "community": "/community/",
        "category_tag": category,
        "thread_anonymous": thread,
        "search": search,
        "baseline_signed_in": "/bench/baseline",
        "community_member": "/community/",
        "category_tag_member": category,
        "thread_member": thread,
        "notifications": "/community/notifications/",
        "search_member": search,
        "moderation_queue": "/moderation/",
        "thread_moderator": thread,
        "approvals": "/moderation/approvals/",
        "reports": "/moderation/reports/",
        "metrics": "/moderation/metrics/",
        "baseline_after_write": "/bench/baseline",
        "search_after_write": search,
    }
    return {name: path for name, path in paths.items() if path}


def reply_thread(targets: Targets) -> Thread | None:
    """Where the write before the pages measured after a write goes: the earliest open
    visible thread that is neither the measured thread nor the member's own (a reply
    to their own thread would put it back in the official queue)."""
    threads = Thread.objects.visible().filter(is_locked=False, duplicate_of__isnull=True)
    if targets.thread is not None:
        threads = threads.exclude(pk=targets.thread.pk)
    if targets.member is not None:
        threads = threads.exclude(author_id=targets.member.pk)
    return threads.order_by("pk").first()


def write_reply(targets: Targets) -> Reply:
    """A member's reply holding the search word, through the posting service: the
    real write that the searches measured after a write follow. The service leaves
    the content version to the request's middleware, so it is moved on here."""
    thread = reply_thread(targets)
    if thread is None or targets.member is None:
        raise ValueError("No open thread or no member for the write before the search.")
    body = (
        f"Same here with the {targets.search_word or 'machine'} "
        f"(written by the benchmark at {timezone.now().isoformat(timespec='seconds')})."
    )
    # Immediate tasks would mail the thread's followers: the benchmark sends no mail.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        try:
            reply = reply_create(
                author=targets.member, thread=thread, body=body, check_limits=False
            )
        except (PermissionDenied, ValidationError) as error:
            raise ValueError(
                f"{targets.member.username} cannot reply to #{thread.pk}: {error}"
            ) from error
    content_changed()
    return reply

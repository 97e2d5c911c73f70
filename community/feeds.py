"""Atom feeds of new questions: all of them, one category's, one tag's.

Each lists the latest visible threads by the date they were asked, in three
queries whatever their number (the feed's subject, the threads with their authors
and categories, their tags). Links are made absolute from the request.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from taggit.models import Tag

from community.models import Category, CommunitySettings, Thread
from community.templatetags.community_tags import sanitized

FEED_ITEMS = 30

# The control characters XML 1.0 cannot hold. Django's feed writer refuses them
# with an error, so one post holding one (a member can type it) would take the
# whole feed down: they are dropped from everything a member wrote.
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xml_text(text: str) -> str:
    """`text` without the control characters an XML document cannot hold."""
    return _XML_INVALID.sub("", str(text))


@dataclass(frozen=True)
class FeedSubject:
    """What one request's feed is about (the Feed instance itself is shared between
    requests, so it keeps nothing of its own)."""

    community_name: str
    category: Category | None = None
    tag: Tag | None = None


class NewThreadsFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, *args, **kwargs):
        return FeedSubject(community_name=CommunitySettings.load(request).display_name)

    def title(self, subject: FeedSubject) -> str:
        return _("%(community)s: new questions") % {"community": subject.community_name}

    def subtitle(self, subject: FeedSubject) -> str:
        return _("The latest questions asked in the %(community)s community.") % {
            "community": subject.community_name
        }

    def link(self, subject: FeedSubject) -> str:
        return reverse("community:thread_list")

    def threads(self, subject: FeedSubject):
        return Thread.objects.visible()

    def items(self, subject: FeedSubject):
        return (
            self.threads(subject)
            .select_related("author", "category")
            .prefetch_related("tags")
            .order_by("-created_at", "-pk")[:FEED_ITEMS]
        )

    def item_title(self, thread: Thread) -> str:
        return xml_text(thread.title)

    def item_description(self, thread: Thread) -> str:
        # Sanitized when it was saved, and once more on the way out, as on the page.
        return xml_text(sanitized(thread.body_html))

    def item_link(self, thread: Thread) -> str:
        return thread.get_absolute_url()

    def item_pubdate(self, thread: Thread):
        return thread.created_at

    def item_updateddate(self, thread: Thread):
        return thread.edited_at or thread.created_at

    def item_author_name(self, thread: Thread) -> str:
        return xml_text(thread.author.public_name)

    def item_categories(self, thread: Thread) -> list[str]:
        return [
            xml_text(name)
            for name in (thread.category.local_name, *(t.name for t in thread.tags.all()))
        ]


class CategoryThreadsFeed(NewThreadsFeed):
    def get_object(self, request, slug):
        return FeedSubject(
            community_name=CommunitySettings.load(request).display_name,
            category=get_object_or_404(Category.objects.originals(), slug=slug),
        )

    def title(self, subject: FeedSubject) -> str:
        return xml_text(
            _("%(community)s: new questions in %(category)s")
            % {"community": subject.community_name, "category": subject.category.local_name}
        )

    def subtitle(self, subject: FeedSubject) -> str:
        return xml_text(subject.category.local_description) or super().subtitle(subject)

    def link(self, subject: FeedSubject) -> str:
        return subject.category.get_absolute_url()

    def threads(self, subject: FeedSubject):
        return Thread.objects.visible().filter(category=subject.category)


class TagThreadsFeed(NewThreadsFeed):
    def get_object(self, request, slug):
        return FeedSubject(
            community_name=CommunitySettings.load(request).display_name,
            tag=get_object_or_404(Tag, slug=slug),
        )

    def title(self, subject: FeedSubject) -> str:
        return xml_text(
            _("%(community)s: new questions tagged “%(tag)s”")
            % {"community": subject.community_name, "tag": subject.tag.name}
        )

    def link(self, subject: FeedSubject) -> str:
        return f"{reverse('community:thread_list')}?{urlencode({'tag': subject.tag.slug})}"

    def threads(self, subject: FeedSubject):
        return Thread.objects.visible().filter(tags=subject.tag)

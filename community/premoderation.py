"""Pre-moderation: which posts wait for a moderator before anyone else sees them.

Read by the posting services (whether a new post waits), by the posting limits
(who counts as a new member) and by the approvals page (why a post waits), so it
lives apart from the write layer.
"""

import re

from accounts.roles import is_moderator
from community.models import CommunitySettings, Reply, Thread, Visibility


def external_link_count(body_html: str) -> int:
    """How many links to other sites a rendered post holds (mentions do not count)."""
    return len(re.findall(r'<a\s[^>]*href="(?:https?:)?//', body_html))


def approved_post_count(author, *, up_to: int) -> int:
    """The author's public questions and replies, counted up to `up_to` only, so a
    prolific member costs two bounded queries."""
    return sum(
        model.objects.filter(author=author, visibility=Visibility.VISIBLE)[:up_to].count()
        for model in (Thread, Reply)
    )


def needs_approval(*, author, body_html: str) -> bool:
    """Whether a post waits for a moderator before anyone else sees it.

    A new member's first posts wait (site setting, default the first one), and
    so does a post with more links than a new member may add, the usual shape of
    spam. Staff posts never wait.
    """
    if is_moderator(author):
        return False
    rules = CommunitySettings.load()
    limit = max(rules.premoderation_first_posts, rules.premoderation_new_member_posts)
    if limit == 0:
        return False
    approved = approved_post_count(author, up_to=limit)
    if approved < rules.premoderation_first_posts:
        return True
    return (
        approved < rules.premoderation_new_member_posts
        and external_link_count(body_html) > rules.premoderation_max_links
    )


def is_new_member(author) -> bool:
    """Fewer approved posts than the site's "new member until" setting: the rule
    pre-moderation uses, reused by the posting limits (community/limits.py)."""
    until = CommunitySettings.load().premoderation_new_member_posts
    return approved_post_count(author, up_to=until) < until

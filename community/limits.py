"""How fast members may post, and how a post sent twice is told from a new one.

Three rules, all applied by `community.services.thread_create` and `reply_create`
(one place per action); the views turn what they raise into a response.

1. Submission keys (double submits). The ask and reply forms carry a hidden random
   key, new each time the form is shown. The post stores it (per author, hashed) in
   a unique column, so the same form sent twice, one after the other or at the same
   moment, makes one row: the second request gets the first post back and the view
   redirects to it.

2. The same text twice within DUPLICATE_WINDOW (five minutes), from one member:
   - a reply with the same body to the same thread, or a question with the same
     title and body, is the same submission again (a double submit without a key,
     e.g. a form sent from a stale page): no row is made, the first post is
     returned;
   - the same body posted to another thread (as a reply or a new question) is
     copy-paste spam: refused with DuplicatePost, the text stays in the form.
     Short bodies (under COPY_PASTE_MIN_LENGTH characters, "Thanks, it works!")
     are not refused, and staff may post the same text anywhere (canned answers).
   Bodies are compared with their whitespace collapsed.

3. Posting limits (PostingLimitReached, a 429): questions and replies per member
   per minute and per day, counted in the shared cache (Redis in production, so
   every app server counts the same posts) with an atomic add + incr per member
   and fixed window. New members (fewer approved posts than the pre-moderation's
   "new member until" setting, the same rule that holds their posts for approval)
   have stricter limits; staff have none. Each attempt counts, refused ones too.
   When the shared cache cannot count (Redis down), posting fails closed for
   everyone the limits apply to (PostingPaused, a 429 with the text kept): a spam
   wave must not ride an outage. Staff are not limited, so official replies go on.

4. Solutions: marking or undoing a thread's solution is limited per member and per
   thread (kind ACCEPT, SolutionLimitReached, a 429), with the same counters; and
   a reply's author and the members waiting on the thread are told of a reply
   accepted once only, however often it is undone and accepted again
   (community/services/solutions.py).

5. Edits (`thread_edit`, `reply_edit`) follow the same rules as new posts: each
   change of text counts against the edit limits (kind EDIT), the text of a recent
   post in another discussion is refused as copy-paste (DuplicatePost), and an
   edit that pre-moderation would hold (a new member's post past the link limit)
   waits for a moderator as a ProposedEdit, the old version staying public
   (community/services/editing.py). Staff edits are exempt, as their posts are.

6. Mentions: one post notifies at most MENTIONS_NOTIFIED_PER_POST members (setting,
   ten by default), the first ones it names; the others are linked, not notified.

Tests that are not about these rules turn 2 and 3 off through the POSTING_RULES
setting (tests/conftest.py); the rules' own tests keep them on.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import re
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.roles import is_moderator
from community.cache_backend import CacheUnavailable

MINUTE = 60
DAY = 24 * 60 * 60

THREAD = "thread"
REPLY = "reply"
# Marking or undoing a thread's solution, counted per member and thread.
ACCEPT = "accept"
# Changing the text of a question or a reply already posted.
EDIT = "edit"


@dataclass(frozen=True)
class Rate:
    """At most `count` posts per fixed window of `seconds`."""

    count: int
    seconds: int


@dataclass(frozen=True)
class PostingRules:
    # kind -> (rates for members, rates for new members); a kind not listed is not limited.
    rates: dict[str, tuple[tuple[Rate, ...], tuple[Rate, ...]]] = field(default_factory=dict)
    duplicate_window: timedelta = timedelta(0)


DEFAULT_RULES = PostingRules(
    rates={
        THREAD: (
            (Rate(3, MINUTE), Rate(30, DAY)),
            (Rate(1, MINUTE), Rate(5, DAY)),
        ),
        REPLY: (
            (Rate(6, MINUTE), Rate(200, DAY)),
            (Rate(3, MINUTE), Rate(30, DAY)),
        ),
        ACCEPT: (
            (Rate(4, MINUTE), Rate(20, DAY)),
            (Rate(4, MINUTE), Rate(20, DAY)),
        ),
        EDIT: (
            (Rate(6, MINUTE), Rate(100, DAY)),
            (Rate(3, MINUTE), Rate(30, DAY)),
        ),
    },
    duplicate_window=timedelta(minutes=5),
)
# What tests that are not about these rules use (tests/conftest.py): no limits, no
# duplicate check. Submission keys always apply.
NO_RULES = PostingRules()

COPY_PASTE_MIN_LENGTH = 30
DEFAULT_MENTIONS_NOTIFIED = 10
CACHE_PREFIX = "posting"


def rules() -> PostingRules:
    """The rules in force: settings.POSTING_RULES if set, else DEFAULT_RULES."""
    return getattr(settings, "POSTING_RULES", DEFAULT_RULES)


def mentions_notified_per_post() -> int:
    """How many of the members a post mentions are notified (rule 4)."""
    return getattr(settings, "MENTIONS_NOTIFIED_PER_POST", DEFAULT_MENTIONS_NOTIFIED)


# Errors --------------------------------------------------------------------------


class PostingLimitReached(ValidationError):
    """A member posts faster than the limits allow; `retry_after` in seconds."""

    def __init__(self, *, retry_after: int):
        self.retry_after = retry_after
        minutes = max(1, math.ceil(retry_after / MINUTE))
        if minutes < 120:
            message = ngettext(
                "You are posting faster than the community allows. Nothing is lost: "
                "try again in about %(count)s minute.",
                "You are posting faster than the community allows. Nothing is lost: "
                "try again in about %(count)s minutes.",
                minutes,
            ) % {"count": minutes}
        else:
            hours = math.ceil(minutes / 60)
            message = ngettext(
                "You have reached today's limit of posts. Nothing is lost: "
                "try again in about %(count)s hour.",
                "You have reached today's limit of posts. Nothing is lost: "
                "try again in about %(count)s hours.",
                hours,
            ) % {"count": hours}
        super().__init__(message, code="posting_limit")


class PostingPaused(PostingLimitReached):
    """The posting limits cannot be counted (the shared cache is down): the post is
    refused as if over a limit, with the text kept in the form."""

    def __init__(self, *, retry_after: int = MINUTE):
        ValidationError.__init__(
            self,
            _(
                "Posting is paused for a moment while the site cannot check its posting "
                "limits. Nothing is lost: try again in a minute."
            ),
            code="posting_paused",
        )
        self.retry_after = retry_after


class SolutionLimitReached(PostingLimitReached):
    """A member marks and undoes a thread's solution faster than the limits allow."""

    def __init__(self, *, retry_after: int):
        self.retry_after = retry_after
        minutes = max(1, math.ceil(retry_after / MINUTE))
        message = ngettext(
            "You changed this thread's solution too often. Try again in about %(count)s minute.",
            "You changed this thread's solution too often. Try again in about %(count)s minutes.",
            minutes,
        ) % {"count": minutes}
        ValidationError.__init__(self, message, code="solution_limit")


class DuplicatePost(ValidationError):
    """The same text was just posted in another discussion (copy-paste spam)."""

    def __init__(self):
        super().__init__(
            _(
                "You posted this same text in another discussion a moment ago. Write "
                "something for this one, or link to your other post."
            ),
            code="duplicate_post",
        )


# Submission keys -------------------------------------------------------------------

_KEY_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_VALID_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_submission_key() -> str:
    return get_random_string(32, _KEY_CHARS)


def stored_submission_key(*, author, key: str) -> str | None:
    """What a post stores for the key a form sent: scoped to its author (nobody is
    sent to another member's post by replaying a key), or None for no valid key."""
    if not key or not _VALID_KEY.match(key):
        return None
    return hashlib.sha256(f"{author.pk}:{key}".encode()).hexdigest()


class SubmissionKeyField(forms.CharField):
    """The hidden key of the ask and reply forms. A form shown again after an error
    keeps the key it was sent with; a form bound without one gets a new one."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("initial", new_submission_key)
        super().__init__(**kwargs)

    def bound_data(self, data, initial):
        return data or initial

    def clean(self, value):
        value = super().clean(value)
        return value if _VALID_KEY.match(value or "") else ""


# The same text twice ---------------------------------------------------------------


def same_text(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def recent_since(now) -> object | None:
    """The start of the duplicate window, or None when the rule is off."""
    window = rules().duplicate_window
    return now - window if window else None


def refuses_copy_paste(*, author, body: str) -> bool:
    return not is_moderator(author) and len(" ".join(body.split())) >= COPY_PASTE_MIN_LENGTH


# Posting limits ------------------------------------------------------------------


def _key(*, kind: str, author, seconds: int, now: float, scope: str = "") -> str:
    kind = f"{kind}@{scope}" if scope else kind
    return f"{CACHE_PREFIX}:{kind}:{author.pk}:{seconds}:{int(now // seconds)}"


def _count(key: str, seconds: int) -> int:
    """Add one to the counter `key`, created for `seconds`; atomic on Redis."""
    cache.add(key, 0, timeout=seconds + 5)
    try:
        return cache.incr(key)
    except ValueError:  # expired between the add and the incr
        cache.add(key, 1, timeout=seconds + 5)
        return 1


def _windows(kind: str) -> tuple[tuple[Rate, ...], tuple[Rate, ...], set[int]]:
    member_rates, new_member_rates = rules().rates.get(kind, ((), ()))
    return member_rates, new_member_rates, {r.seconds for r in (*member_rates, *new_member_rates)}


def check_rate(
    *, author, kind: str, is_new_member, scope: str = "", error=PostingLimitReached
) -> None:
    """Count one post of `kind` by `author`; raise `error` (PostingLimitReached)
    when it is over a limit. `is_new_member()` is only asked when the count is
    between the new member's and the member's limits (it costs queries). A
    `scope` (a thread's id) counts apart for each value."""
    if is_moderator(author):
        return
    member_rates, new_member_rates, windows = _windows(kind)
    now = time.time()
    try:
        counts = {
            seconds: _count(
                _key(kind=kind, author=author, seconds=seconds, now=now, scope=scope), seconds
            )
            for seconds in windows
        }
    except CacheUnavailable as error:
        # Fail closed: with the counters out of reach a spam wave could otherwise
        # ride the outage. Staff (returned above) are never limited, so official
        # replies go on; members wait a minute with their text kept.
        raise PostingPaused() from error

    def wait(rates) -> int:
        """Seconds until the latest window that is over its limit starts afresh."""
        over = [r.seconds for r in rates if counts[r.seconds] > r.count]
        return max((int((now // s + 1) * s - now) + 1 for s in over), default=0)

    if seconds := wait(member_rates):
        raise error(retry_after=seconds)
    if (seconds := wait(new_member_rates)) and is_new_member():
        raise error(retry_after=seconds)


def forget_attempt(*, author, kind: str) -> None:
    """Take back one counted attempt (a concurrent double submit made no new post)."""
    if is_moderator(author):
        return
    now = time.time()
    for seconds in _windows(kind)[2]:
        # Taking an attempt back is a kindness: a cache that cannot is ignored.
        with contextlib.suppress(ValueError, CacheUnavailable):
            cache.decr(_key(kind=kind, author=author, seconds=seconds, now=now))

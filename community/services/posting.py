"""Asking, replying and editing: the posts themselves.

Each service decides the official flag from the author's role at the moment of
posting (promise 2), keeps the earlier text of every edit (promise 3), applies the
posting rules of community/limits.py and pre-moderation, and notifies after commit.
"""

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.images import CleanImage
from accounts.models import User
from accounts.roles import is_moderator
from community import limits, permissions
from community.locking import lock_reply, lock_thread
from community.markdown import (
    MENTION_PATTERN,
    mentioned_usernames,
    render_markdown_with_mentions,
)
from community.models import (
    Category,
    CommunitySettings,
    Follow,
    MeToo,
    Notification,
    Reply,
    Thread,
    Visibility,
    WebhookEvent,
)
from community.notifications import notify
from community.premoderation import is_new_member, needs_approval
from community.search import thread_reindex_on_commit
from community.services.attachments import attachments_add, check_attachment_count
from community.services.conversation import (
    customer_came_back_changes,
    is_waiting_customer,
    official_reply_changes,
    resolution_check_ask,
)
from community.services.marks import follow
from community.webhooks import reply_events_emit, webhook_event_emit

MAX_TAGS = 5


TAG_MAX_LENGTH = 40


# How many of a member's posts of the last minutes the duplicate check reads.
RECENT_POSTS_CHECKED = 100


def normalize_tags(raw: str | Iterable[str]) -> list[str]:
    """Lower-cased, de-duplicated tags (at most five), from "a, b" or a list.

    Tags that differ only by case, spacing or Unicode normal form are the same tag,
    named in NFC ("café" typed with a combining accent is stored as "café").
    """
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    tags: list[str] = []
    seen_slugs: set[str] = set()
    for item in items:
        name = unicodedata.normalize("NFC", " ".join(str(item).split()).lower())
        if not name:
            continue
        if len(name) > TAG_MAX_LENGTH:
            raise ValidationError(
                _("A tag has at most %(limit)s characters."),
                code="tag_too_long",
                params={"limit": TAG_MAX_LENGTH},
            )
        slug = slugify(name)
        if not slug:
            raise ValidationError(
                _("Tags need letters or digits: “%(tag)s” has none."),
                code="tag_empty",
                params={"tag": name},
            )
        if slug not in seen_slugs:
            seen_slugs.add(slug)
            tags.append(name)
    if len(tags) > MAX_TAGS:
        raise ValidationError(
            _("Use at most %(limit)s tags."), code="too_many_tags", params={"limit": MAX_TAGS}
        )
    return tags


def _rendered(body: str) -> tuple[str, list[int]]:
    """The body's HTML, and the ids of the members to notify of a mention: those it
    really mentions, the first ones named, at most limits.mentions_notified_per_post()."""
    candidates = dict(
        User.objects.filter(username__in=mentioned_usernames(body), is_active=True).values_list(
            "username", "pk"
        )
    )
    html, linked = render_markdown_with_mentions(body, mentions=candidates.keys())
    in_order = dict.fromkeys(name.rstrip(".") for name in MENTION_PATTERN.findall(body))
    named = [name for name in in_order if name in linked]
    return html, [candidates[name] for name in named[: limits.mentions_notified_per_post()]]


def _set_tags(thread: Thread, tags: list[str]) -> None:
    from taggit.models import Tag

    # Reuse an existing tag whatever its case, so "WiFi" and "wifi" stay one tag.
    existing = {tag.slug: tag for tag in Tag.objects.filter(slug__in=[slugify(t) for t in tags])}
    thread.tags.set([existing.get(slugify(name), name) for name in tags])


def response_due_at(category: Category, start: datetime) -> datetime:
    """When the first official reply in `category` is due for a question posted at
    `start`: the category's target, in the team's business hours."""
    rules = CommunitySettings.load()
    return rules.business_calendar.add(start, timedelta(hours=category.response_hours(rules)))


def _recent_posts(model, *, author, since):
    # The posting limits keep this short for members; staff have none, hence the cap.
    recent = model.objects.filter(author=author, created_at__gte=since).order_by("-created_at")
    return recent[:RECENT_POSTS_CHECKED]


def _same_ask_again(*, author, title: str, body: str, now) -> Thread | None:
    """The thread this ask repeats (see community/limits.py, rule 2), or None;
    raises DuplicatePost when the body was just posted elsewhere."""
    if (since := limits.recent_since(now)) is None:
        return None
    for thread in _recent_posts(Thread, author=author, since=since):
        if limits.same_text(thread.body, body):
            if limits.same_text(thread.title, title):
                return thread
            if limits.refuses_copy_paste(author=author, body=body):
                raise limits.DuplicatePost()
    if limits.refuses_copy_paste(author=author, body=body):
        recent_replies = _recent_posts(Reply, author=author, since=since)
        if any(limits.same_text(reply.body, body) for reply in recent_replies):
            raise limits.DuplicatePost()
    return None


def _same_reply_again(*, author, thread: Thread, body: str, now) -> Reply | None:
    """The reply this one repeats in the same thread (rule 2), or None; raises
    DuplicatePost when the body was just posted in another thread."""
    if (since := limits.recent_since(now)) is None:
        return None
    copy_paste = False
    for reply in _recent_posts(Reply, author=author, since=since):
        if limits.same_text(reply.body, body):
            if reply.thread_id == thread.pk:
                return reply
            copy_paste = True
    if not copy_paste:
        copy_paste = any(
            asked.pk != thread.pk and limits.same_text(asked.body, body)
            for asked in _recent_posts(Thread, author=author, since=since)
        )
    if copy_paste and limits.refuses_copy_paste(author=author, body=body):
        raise limits.DuplicatePost()
    return None


def _rendered_for(author, body: str) -> tuple[str, list[int], bool]:
    """A new post's HTML, the members it mentions, and whether it waits for approval."""
    body_html, mentioned_ids = _rendered(body)
    return body_html, mentioned_ids, needs_approval(author=author, body_html=body_html)


@dataclass(frozen=True)
class _Submission:
    """An ask or a reply on its way in, and the posting rules of community/limits.py
    it passes first."""

    model: type[Thread] | type[Reply]
    author: User
    key: str | None
    check_limits: bool

    @classmethod
    def start(cls, model, author, submission_key: str, check_limits: bool):
        key = limits.stored_submission_key(author=author, key=submission_key)
        return cls(model, author, key, check_limits)

    @property
    def kind(self) -> str:
        return limits.THREAD if self.model is Thread else limits.REPLY

    def earlier(self, *, body: str, now, title: str = "", thread: Thread | None = None):
        """The post this submission repeats (same key, or rule 2), or None for a new
        post, once the posting limits let it through."""
        if self.key is not None and (
            earlier := self.model.objects.filter(submission_key=self.key).first()
        ):
            return earlier
        if self.check_limits:
            if self.model is Thread:
                earlier = _same_ask_again(author=self.author, title=title, body=body, now=now)
            else:
                earlier = _same_reply_again(author=self.author, thread=thread, body=body, now=now)
            if earlier:
                return earlier
            limits.check_rate(
                author=self.author,
                kind=self.kind,
                is_new_member=lambda: is_new_member(self.author),
            )
        return None

    def insert(self, **fields):
        """Create the row, or return (row, False) when a concurrent request with the
        same key committed it first (the unique column refuses ours); that attempt
        then does not count against the author's posting limits."""
        if self.key is None:
            return self.model.objects.create(author=self.author, **fields), True
        try:
            with transaction.atomic():
                row = self.model.objects.create(
                    author=self.author, submission_key=self.key, **fields
                )
            return row, True
        except IntegrityError:
            if self.check_limits:
                limits.forget_attempt(author=self.author, kind=self.kind)
            return self.model.objects.get(submission_key=self.key), False


def _thread_language(language: str, author) -> str:
    offered = {code for code, _name in settings.LANGUAGES}
    if language:
        if language not in offered:
            raise ValidationError(_("Choose one of the languages offered."), code="language")
        return language
    saved = getattr(author, "language", "")
    return saved if saved in offered else settings.LANGUAGE_CODE


@transaction.atomic
def thread_create(
    *,
    author,
    category: Category,
    title: str,
    body: str,
    tags: Iterable[str] = (),
    images: Sequence[CleanImage] = (),
    submission_key: str = "",
    check_limits: bool = True,
    language: str = "",
    asked_from: str = "",
) -> Thread:
    """Ask a question. It is public at once, or waits for approval (see needs_approval);
    either way the official-reply clock starts now: a customer waits from the moment
    they ask, and so does the brand's promise.

    The same ask sent twice (same `submission_key`, or the same title and body
    within minutes) returns the first thread instead of making a second one; posting
    too fast raises limits.PostingLimitReached, the same text as another recent post
    limits.DuplicatePost (community/limits.py). `check_limits=False` is for scripts
    such as seed_demo, never for a member's request. `images`, checked and
    re-encoded by the form (accounts.images), are attached to the question.
    `language` is the one the question is written in; without it, the author's.
    `asked_from` is the brand's site whose help widget it was asked from (an origin
    the caller checked is listed: community/embed).
    """
    permissions.check_ask(author)
    language = _thread_language(language, author)
    check_attachment_count(existing=0, added=len(images))
    tags = normalize_tags(tags)
    title = " ".join(title.split())
    now = timezone.now()
    submission = _Submission.start(Thread, author, submission_key, check_limits)
    if earlier := submission.earlier(title=title, body=body, now=now):
        return earlier
    body_html, mentioned_ids, pending = _rendered_for(author, body)
    thread, created = submission.insert(
        category=category,
        title=title,
        body=body,
        body_html=body_html,
        visibility=Visibility.PENDING if pending else Visibility.VISIBLE,
        me_too_count=1,
        created_at=now,
        last_activity_at=now,
        published_at=None if pending else now,
        response_due_at=response_due_at(category, now),
        language=language,
        asked_from=asked_from,
    )
    if not created:
        return thread
    # The asker is the first member with the problem, and follows their thread.
    MeToo.objects.create(thread=thread, user=author)
    follow(author, thread)
    if tags:
        _set_tags(thread, tags)
    attachments_add(uploader=author, post=thread, images=images)
    thread_reindex_on_commit(thread_id=thread.pk)
    if not pending:
        notify(
            recipient_ids=mentioned_ids,
            kind=Notification.Kind.MENTION,
            actor=author,
            thread=thread,
        )
        # A pending question is announced when it is approved (thread.published).
        webhook_event_emit(event=WebhookEvent.THREAD_CREATED, thread_id=thread.pk)
    return thread


@transaction.atomic
def thread_publish(*, thread: Thread) -> Thread:
    """Make a pending thread public: the moderation approval calls this.

    The due time was set when the member asked (the wait for approval counts
    against the brand too, as it does for the customer); a question from before
    that rule gets it from its asking time now.
    """
    thread = lock_thread(thread)
    if thread.visibility != Visibility.PENDING:
        return thread
    now = timezone.now()
    thread.visibility = Visibility.VISIBLE
    thread.published_at = now
    thread.last_activity_at = now
    thread.response_due_at = thread.response_due_at or (
        response_due_at(thread.category, thread.created_at)
    )
    thread.save(
        update_fields=[
            "visibility",
            "published_at",
            "last_activity_at",
            "response_due_at",
            "updated_at",
        ]
    )
    thread_reindex_on_commit(thread_id=thread.pk)
    _body_html, mentioned_ids = _rendered(thread.body)
    notify(
        recipient_ids=set(mentioned_ids) - {thread.author_id},
        kind=Notification.Kind.MENTION,
        actor=thread.author,
        thread=thread,
    )
    webhook_event_emit(event=WebhookEvent.THREAD_PUBLISHED, thread_id=thread.pk)
    return thread


@transaction.atomic
def reply_create(
    *,
    author,
    thread: Thread,
    body: str,
    images: Sequence[CleanImage] = (),
    submission_key: str = "",
    check_limits: bool = True,
    via_email: bool = False,
) -> Reply:
    """Reply to a thread. A staff reply is official; a new member's reply may wait for
    approval, and counts (and notifies) only once it is public. `via_email`: it
    came as an answer to a notification e-mail (community/mail), and says so.

    The same reply sent twice (same `submission_key`, or the same body to the same
    thread within minutes) returns the first reply; posting too fast raises
    limits.PostingLimitReached, the body of a recent post in another thread
    limits.DuplicatePost (community/limits.py). `check_limits=False` is for scripts
    such as seed_demo, never for a member's request.
    """
    # Replies to one thread wait for its lock, so the checks below see any reply a
    # concurrent request just committed.
    thread = lock_thread(thread)
    now = timezone.now()
    permissions.check_reply(author, thread)
    check_attachment_count(existing=0, added=len(images))
    submission = _Submission.start(Reply, author, submission_key, check_limits)
    if earlier := submission.earlier(thread=thread, body=body, now=now):
        return earlier
    body_html, mentioned_ids, pending = _rendered_for(author, body)
    reply, created = submission.insert(
        # Decided by the author's role at this moment, and stored (promise 2).
        is_official=is_moderator(author),
        thread=thread,
        body=body,
        body_html=body_html,
        visibility=Visibility.PENDING if pending else Visibility.VISIBLE,
        created_at=now,
        via_email=via_email,
    )
    if not created:
        return reply
    attachments_add(uploader=author, post=reply, images=images)
    follow(author, thread)
    if not pending:
        _reply_went_public(reply, thread=thread, mentioned_ids=mentioned_ids, now=now)
    return reply


@transaction.atomic
def reply_publish(*, reply: Reply) -> Reply:
    """Make a pending reply public (the moderation approval calls this)."""
    reply = lock_reply(reply)
    thread = reply.thread
    if reply.visibility != Visibility.PENDING:
        return reply
    reply.visibility = Visibility.VISIBLE
    reply.save(update_fields=["visibility", "updated_at"])
    _body_html, mentioned_ids = _rendered(reply.body)
    _reply_went_public(reply, thread=thread, mentioned_ids=mentioned_ids, now=timezone.now())
    return reply


def _reply_went_public(reply: Reply, *, thread: Thread, mentioned_ids, now) -> None:
    """Count a reply that just became public and tell who should know."""
    changes = {"reply_count": F("reply_count") + 1, "last_activity_at": now}
    if reply.is_official:
        changes["first_official_reply_at"] = Coalesce(
            F("first_official_reply_at"), reply.created_at
        )
        changes.update(official_reply_changes(reply))
        # A claim says "I am answering this": the brand has answered, so it ends,
        # and no moderator reads that someone is still on the thread.
        changes["assigned_to"] = None
        changes["claim_expires_at"] = None
        thread.assigned_to, thread.claim_expires_at = None, None
    elif is_waiting_customer(thread, reply.author_id):
        # After the brand's reply, the customer writing again needs the brand again.
        changes.update(customer_came_back_changes(thread, reply.created_at))
    Thread.objects.filter(pk=thread.pk).update(**changes)
    thread_reindex_on_commit(thread_id=thread.pk)
    # Dropped after commit when the thread is not public (a reply to a pending one).
    reply_events_emit(reply)

    follower_ids = set(Follow.objects.filter(thread=thread).values_list("user_id", flat=True))
    follower_ids.discard(reply.author_id)
    told: set[int] = {reply.author_id}
    if reply.is_official:
        # The asker and everyone with the same problem hear from the brand.
        waiting = set(MeToo.objects.filter(thread=thread).values_list("user_id", flat=True))
        waiting.add(thread.author_id)
        waiting.discard(reply.author_id)
        # The asker is asked whether it solved their problem instead.
        if resolution_check_ask(thread=thread, reply=reply, staff=reply.author):
            waiting.discard(thread.author_id)
            told.add(thread.author_id)
        notify(
            recipient_ids=waiting,
            kind=Notification.Kind.OFFICIAL_REPLY,
            actor=reply.author,
            thread=thread,
            reply=reply,
        )
        told |= waiting
    notify(
        recipient_ids=set(mentioned_ids) - told,
        kind=Notification.Kind.MENTION,
        actor=reply.author,
        thread=thread,
        reply=reply,
    )
    told |= set(mentioned_ids)
    notify(
        recipient_ids=follower_ids - told,
        kind=Notification.Kind.REPLY,
        actor=reply.author,
        thread=thread,
        reply=reply,
    )

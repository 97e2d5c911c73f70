"""What members and staff change in the community: each write is one function here.

Services take keyword-only arguments, re-check permissions, run in a transaction,
keep counters in step with the rows they count (promise 4), decide the official
flag from the author's role at the moment of posting (promise 2), keep the
earlier text of every edit (promise 3) and send notifications after commit.
"""

import re
import unicodedata
from collections.abc import Iterable
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import is_moderator
from community import limits, permissions
from community.markdown import mentioned_usernames, render_markdown_with_mentions
from community.models import (
    HELP_FEEDBACK_SESSION_KEY,
    Category,
    CommunitySettings,
    Deflection,
    Follow,
    HelpArticlePage,
    HelpfulVote,
    MeToo,
    Notification,
    Reply,
    Revision,
    Thread,
    Visibility,
)
from community.notifications import notify
from community.search import thread_reindex_on_commit

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
    """The body's HTML, and the ids of the existing members it really mentions."""
    candidates = dict(
        User.objects.filter(username__in=mentioned_usernames(body), is_active=True).values_list(
            "username", "pk"
        )
    )
    html, linked = render_markdown_with_mentions(body, mentions=candidates.keys())
    return html, [candidates[name] for name in linked]


def _follow(user, thread) -> None:
    Follow.objects.get_or_create(thread=thread, user=user)


def _set_tags(thread: Thread, tags: list[str]) -> None:
    from taggit.models import Tag

    # Reuse an existing tag whatever its case, so "WiFi" and "wifi" stay one tag.
    existing = {tag.slug: tag for tag in Tag.objects.filter(slug__in=[slugify(t) for t in tags])}
    thread.tags.set([existing.get(slugify(name), name) for name in tags])


def response_target(category: Category) -> timedelta:
    """How long the brand gives itself for the first official reply in `category`."""
    hours = category.first_response_hours or CommunitySettings.load().first_response_hours
    return timedelta(hours=hours)


def external_link_count(body_html: str) -> int:
    """How many links to other sites a rendered post holds (mentions do not count)."""
    return len(re.findall(r'<a\s[^>]*href="(?:https?:)?//', body_html))


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
    # Counted up to the largest threshold only, so a prolific member costs two
    # bounded queries.
    approved = sum(
        model.objects.filter(author=author, visibility=Visibility.VISIBLE)[:limit].count()
        for model in (Thread, Reply)
    )
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
    approved = sum(
        model.objects.filter(author=author, visibility=Visibility.VISIBLE)[:until].count()
        for model in (Thread, Reply)
    )
    return approved < until


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


def _insert_once(model, *, submission_key: str | None, **fields):
    """Create the row, or return (row, False) when a concurrent request with the
    same submission key committed it first (the unique column refuses ours)."""
    if submission_key is None:
        return model.objects.create(**fields), True
    try:
        with transaction.atomic():
            return model.objects.create(submission_key=submission_key, **fields), True
    except IntegrityError:
        return model.objects.get(submission_key=submission_key), False


@transaction.atomic
def thread_create(
    *,
    author,
    category: Category,
    title: str,
    body: str,
    tags: Iterable[str] = (),
    submission_key: str = "",
    check_limits: bool = True,
) -> Thread:
    """Ask a question. It is public at once, or waits for approval (see needs_approval);
    the official-reply clock starts when it becomes public.

    The same ask sent twice (same `submission_key`, or the same title and body
    within minutes) returns the first thread instead of making a second one; posting
    too fast raises limits.PostingLimitReached, the same text as another recent post
    limits.DuplicatePost (community/limits.py). `check_limits=False` is for scripts
    such as seed_demo, never for a member's request.
    """
    permissions.check_ask(author)
    tags = normalize_tags(tags)
    title = " ".join(title.split())
    now = timezone.now()
    key = limits.stored_submission_key(author=author, key=submission_key)
    if key is not None and (earlier := Thread.objects.filter(submission_key=key).first()):
        return earlier
    if check_limits:
        if earlier := _same_ask_again(author=author, title=title, body=body, now=now):
            return earlier
        limits.check_rate(
            author=author, kind=limits.THREAD, is_new_member=lambda: is_new_member(author)
        )
    body_html, mentioned_ids = _rendered(body)
    pending = needs_approval(author=author, body_html=body_html)
    thread, created = _insert_once(
        Thread,
        submission_key=key,
        author=author,
        category=category,
        title=title,
        body=body,
        body_html=body_html,
        visibility=Visibility.PENDING if pending else Visibility.VISIBLE,
        me_too_count=1,
        created_at=now,
        last_activity_at=now,
        published_at=None if pending else now,
        response_due_at=None if pending else now + response_target(category),
    )
    if not created:
        if check_limits:
            limits.forget_attempt(author=author, kind=limits.THREAD)
        return thread
    # The asker is the first member with the problem, and follows their thread.
    MeToo.objects.create(thread=thread, user=author)
    _follow(author, thread)
    if tags:
        _set_tags(thread, tags)
    thread_reindex_on_commit(thread_id=thread.pk)
    if not pending:
        notify(
            recipient_ids=mentioned_ids,
            kind=Notification.Kind.MENTION,
            actor=author,
            thread=thread,
        )
    return thread


@transaction.atomic
def thread_publish(*, thread: Thread) -> Thread:
    """Make a pending thread public: the moderation approval calls this.

    The official-reply clock starts now, not when the member wrote it, so the
    time a question spent waiting for approval does not count against the brand.
    """
    thread = _locked_thread(thread)
    if thread.visibility != Visibility.PENDING:
        return thread
    now = timezone.now()
    thread.visibility = Visibility.VISIBLE
    thread.published_at = now
    thread.last_activity_at = now
    thread.response_due_at = now + response_target(thread.category)
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
    return thread


def _locked_thread(thread: Thread) -> Thread:
    """The thread's row, locked until the transaction ends, with fresh values."""
    return Thread.objects.select_for_update().get(pk=thread.pk)


@transaction.atomic
def reply_create(
    *,
    author,
    thread: Thread,
    body: str,
    submission_key: str = "",
    check_limits: bool = True,
) -> Reply:
    """Reply to a thread. A staff reply is official; a new member's reply may wait for
    approval, and counts (and notifies) only once it is public.

    The same reply sent twice (same `submission_key`, or the same body to the same
    thread within minutes) returns the first reply; posting too fast raises
    limits.PostingLimitReached, the body of a recent post in another thread
    limits.DuplicatePost (community/limits.py). `check_limits=False` is for scripts
    such as seed_demo, never for a member's request.
    """
    thread = _locked_thread(thread)
    permissions.check_reply(author, thread)
    now = timezone.now()
    # Replies to one thread wait for its lock, so the checks below see any reply a
    # concurrent request just committed.
    key = limits.stored_submission_key(author=author, key=submission_key)
    if key is not None and (earlier := Reply.objects.filter(submission_key=key).first()):
        return earlier
    if check_limits:
        if earlier := _same_reply_again(author=author, thread=thread, body=body, now=now):
            return earlier
        limits.check_rate(
            author=author, kind=limits.REPLY, is_new_member=lambda: is_new_member(author)
        )
    body_html, mentioned_ids = _rendered(body)
    pending = needs_approval(author=author, body_html=body_html)
    reply, created = _insert_once(
        Reply,
        submission_key=key,
        thread=thread,
        author=author,
        body=body,
        body_html=body_html,
        is_official=is_moderator(author),
        visibility=Visibility.PENDING if pending else Visibility.VISIBLE,
        created_at=now,
    )
    if not created:
        if check_limits:
            limits.forget_attempt(author=author, kind=limits.REPLY)
        return reply
    _follow(author, thread)
    if not pending:
        _reply_went_public(reply, thread=thread, mentioned_ids=mentioned_ids, now=now)
    return reply


@transaction.atomic
def reply_publish(*, reply: Reply) -> Reply:
    """Make a pending reply public (the moderation approval calls this)."""
    thread = _locked_thread(reply.thread)
    reply = Reply.objects.select_for_update().get(pk=reply.pk)
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
    Thread.objects.filter(pk=thread.pk).update(**changes)
    thread_reindex_on_commit(thread_id=thread.pk)

    follower_ids = set(Follow.objects.filter(thread=thread).values_list("user_id", flat=True))
    follower_ids.discard(reply.author_id)
    told: set[int] = {reply.author_id}
    if reply.is_official:
        # The asker and everyone with the same problem hear from the brand.
        waiting = set(MeToo.objects.filter(thread=thread).values_list("user_id", flat=True))
        waiting.add(thread.author_id)
        waiting.discard(reply.author_id)
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


@transaction.atomic
def thread_edit(
    *, editor, thread: Thread, title: str, body: str, tags: Iterable[str] | None = None
) -> Thread:
    thread = _locked_thread(thread)
    permissions.check_edit(editor, thread)
    title = " ".join(title.split())
    new_tags = normalize_tags(tags) if tags is not None else None
    if title != thread.title or body != thread.body:
        Revision.objects.create(
            thread=thread,
            editor=editor,
            title=thread.title,
            body=thread.body,
            body_html=thread.body_html,
        )
        body_html, _mentioned = _rendered(body)
        thread.title, thread.body, thread.body_html = title, body, body_html
        thread.edited_at = timezone.now()
        thread.save(update_fields=["title", "body", "body_html", "edited_at", "updated_at"])
    if new_tags is not None:
        _set_tags(thread, new_tags)
    thread_reindex_on_commit(thread_id=thread.pk)
    return thread


@transaction.atomic
def reply_edit(*, editor, reply: Reply, body: str) -> Reply:
    reply = Reply.objects.select_for_update().get(pk=reply.pk)
    permissions.check_edit(editor, reply)
    if body != reply.body:
        Revision.objects.create(
            reply=reply, editor=editor, body=reply.body, body_html=reply.body_html
        )
        reply.body = body
        reply.body_html, _mentioned = _rendered(body)
        reply.edited_at = timezone.now()
        reply.save(update_fields=["body", "body_html", "edited_at", "updated_at"])
        thread_reindex_on_commit(thread_id=reply.thread_id)
    return reply


def _set_membership(model, counter_model, counter: str, *, owner_field: str, owner, user, on):
    """Add or remove the (owner, user) row and move the owner's counter with it.

    Idempotent: asking for the state that already holds changes nothing, so a
    double submit or two racing requests leave one row and a true count.
    Returns whether the row exists afterwards.
    """
    lookup = {owner_field: owner, "user": user}
    if on:
        try:
            with transaction.atomic():
                model.objects.create(**lookup)
        except IntegrityError:
            return True  # already there (a double submit or a concurrent request)
        counter_model.objects.filter(pk=owner.pk).update(**{counter: F(counter) + 1})
        return True
    deleted, _rows = model.objects.filter(**lookup).delete()
    if deleted:
        counter_model.objects.filter(pk=owner.pk).update(**{counter: Greatest(F(counter) - 1, 0)})
    return False


@transaction.atomic
def reply_set_helpful(*, user, reply: Reply, helpful: bool) -> bool:
    permissions.check_mark_helpful(user, reply)
    return _set_membership(
        HelpfulVote, Reply, "helpful_count", owner_field="reply", owner=reply, user=user, on=helpful
    )


@transaction.atomic
def thread_set_me_too(*, user, thread: Thread, me_too: bool) -> bool:
    permissions.check_say_me_too(user, thread)
    result = _set_membership(
        MeToo, Thread, "me_too_count", owner_field="thread", owner=thread, user=user, on=me_too
    )
    if me_too:
        _follow(user, thread)
    return result


@transaction.atomic
def thread_set_follow(*, user, thread: Thread, following: bool) -> bool:
    permissions.check_follow(user)
    if following:
        _follow(user, thread)
        return True
    Follow.objects.filter(thread=thread, user=user).delete()
    return False


@transaction.atomic
def thread_accept_reply(*, user, thread: Thread, reply: Reply | None) -> Thread:
    """Mark `reply` as the thread's solution, or undo the solution with reply=None."""
    thread = _locked_thread(thread)
    permissions.check_accept(user, thread)
    if reply is None:
        thread.solution, thread.solution_marked_by, thread.solved_at = None, None, None
        thread.save(update_fields=["solution", "solution_marked_by", "solved_at", "updated_at"])
        return thread
    if reply.thread_id != thread.pk or reply.visibility != Visibility.VISIBLE:
        raise ValidationError(_("That reply is not part of this thread."), code="wrong_reply")
    if thread.solution_id == reply.pk:
        return thread  # already the solution: a double submit changes nothing
    thread.solution, thread.solution_marked_by, thread.solved_at = reply, user, timezone.now()
    thread.save(update_fields=["solution", "solution_marked_by", "solved_at", "updated_at"])
    notify(
        recipient_ids=[reply.author_id],
        kind=Notification.Kind.ACCEPTED,
        actor=user,
        thread=thread,
        reply=reply,
    )
    waiting = set(MeToo.objects.filter(thread=thread).values_list("user_id", flat=True))
    waiting.add(thread.author_id)
    notify(
        recipient_ids=waiting - {reply.author_id},
        kind=Notification.Kind.SOLUTION,
        actor=user,
        thread=thread,
        reply=reply,
    )
    return thread


@transaction.atomic
def reply_set_recommended(*, moderator, reply: Reply, recommended: bool) -> Reply:
    reply = Reply.objects.select_for_update().get(pk=reply.pk)
    permissions.check_recommend(moderator, reply)
    if recommended == reply.is_recommended:
        return reply
    if recommended:
        reply.recommended_by, reply.recommended_at = moderator, timezone.now()
    else:
        reply.recommended_by, reply.recommended_at = None, None
    reply.save(update_fields=["recommended_by", "recommended_at", "updated_at"])
    if recommended:
        notify(
            recipient_ids=[reply.author_id],
            kind=Notification.Kind.RECOMMENDED,
            actor=moderator,
            thread=reply.thread,
            reply=reply,
        )
    return reply


def notification_mark_read(*, user, notification_id: int) -> int:
    return Notification.objects.filter(
        pk=notification_id, recipient=user, read_at__isnull=True
    ).update(read_at=timezone.now())


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def thread_refresh_replies(thread: Thread) -> Thread:
    """Recompute what a thread knows about its visible replies after one is hidden or
    restored: the reply count and when the first visible official reply came.

    Without a visible official reply the thread is back in the official-reply
    queue; its due time was fixed when it was asked, so it keeps its place.
    """
    visible = Reply.objects.filter(thread_id=thread.pk, visibility=Visibility.VISIBLE)
    first_official = visible.filter(is_official=True).order_by("created_at").first()
    Thread.objects.filter(pk=thread.pk).update(
        reply_count=visible.count(),
        first_official_reply_at=first_official.created_at if first_official else None,
    )
    thread.refresh_from_db(fields=["reply_count", "first_official_reply_at"])
    # The visible replies' words are part of the thread's search entry.
    thread_reindex_on_commit(thread_id=thread.pk)
    return thread


def thread_recount(thread: Thread) -> dict[str, int]:
    """Recompute a thread's counters from the rows (the repair path for promise 4)."""
    visible_replies = Reply.objects.filter(thread=thread, visibility=Visibility.VISIBLE)
    counts = {
        "reply_count": visible_replies.count(),
        "me_too_count": MeToo.objects.filter(thread=thread).count(),
    }
    first_official = visible_replies.filter(is_official=True).order_by("created_at").first()
    Thread.objects.filter(pk=thread.pk).update(
        **counts,
        first_official_reply_at=first_official.created_at if first_official else None,
    )
    for reply_id in Reply.objects.filter(thread=thread).values_list("pk", flat=True):
        Reply.objects.filter(pk=reply_id).update(
            helpful_count=HelpfulVote.objects.filter(reply_id=reply_id).count()
        )
    return counts


@transaction.atomic
def help_article_record_feedback(*, article: HelpArticlePage, helpful: bool, session) -> bool:
    """Count a visitor's "was this helpful?" answer once per article and session.

    Answers True when it was counted, False for a second answer (a double submit).
    """
    given = list(session.get(HELP_FEEDBACK_SESSION_KEY, []))
    if article.pk in given:
        return False
    counter = "helpful_yes" if helpful else "helpful_no"
    HelpArticlePage.objects.filter(pk=article.pk).update(**{counter: F(counter) + 1})
    session[HELP_FEEDBACK_SESSION_KEY] = [*given, article.pk]
    return True


@transaction.atomic
def deflection_record(
    *, member, thread: Thread | None = None, help_article: HelpArticlePage | None = None
) -> bool:
    """A member about to ask says a suggested thread or article solved their problem.

    Counted once per member and answer: True when counted now, False when it was
    already (a double submit, or a second click).
    """
    if (thread is None) == (help_article is None):
        raise ValueError("Give a thread or a help article.")
    if thread is not None and thread.visibility != Visibility.VISIBLE:
        raise ValidationError(_("This discussion is not available."), code="not_visible")
    _deflection, created = Deflection.objects.get_or_create(
        member=member, thread=thread, help_article=help_article
    )
    return created

"""Following the conversation until the customer says it is solved (promise 1).

After the brand's official reply a thread waits on the customer; when the asker or
a "me too" member writes again, or the asker answers "not yet" to "Did this solve
your problem?", it awaits the brand again, with a follow-up due time. The stored
fields (Thread.last_official_reply_at, follow_up_since, follow_up_due_at) are kept
by the functions here and can always be recomputed from the rows
(ThreadQuerySet.with_conversation_from_rows, which check_queue reads too).
"""

from datetime import datetime, timedelta

from django.db.models import Case, F, Q, Value, When

from community.models import (
    Category,
    CommunitySettings,
    MeToo,
    Notification,
    Reply,
    ResolutionCheck,
    Thread,
    Visibility,
)
from community.notifications import notify

# How many follow-up due times threads_refresh_conversation writes per statement.
DUE_TIMES_PER_UPDATE = 500


def follow_up_due_at(category, since: datetime, rules=None) -> datetime:
    """When the brand's answer to a customer who came back at `since` is due: the
    category's follow-up target, in the team's business hours."""
    rules = rules or CommunitySettings.load()
    hours = timedelta(hours=category.follow_up_target_hours(rules))
    return rules.business_calendar.add(since, hours)


def is_waiting_customer(thread: Thread, user_id: int) -> bool:
    """The asker, or a member who said "me too": the people the brand answers."""
    if user_id == thread.author_id:
        return True
    return MeToo.objects.filter(thread_id=thread.pk, user_id=user_id).exists()


def official_reply_changes(reply: Reply) -> dict:
    """The thread's update when an official reply goes public: the brand spoke last."""
    return {
        "last_official_reply_at": Case(
            When(
                Q(last_official_reply_at__isnull=True)
                | Q(last_official_reply_at__lt=reply.created_at),
                then=Value(reply.created_at),
            ),
            default=F("last_official_reply_at"),
        ),
        "follow_up_since": None,
        "follow_up_due_at": None,
    }


def customer_came_back_changes(thread: Thread, at) -> dict:
    """The thread's update when the customer writes again at `at`: if the brand had
    replied before, the thread awaits it again (the first time since counts)."""
    came_back = Q(last_official_reply_at__lt=at, follow_up_since__isnull=True)
    return {
        "follow_up_since": Case(When(came_back, then=Value(at)), default=F("follow_up_since")),
        "follow_up_due_at": Case(
            When(came_back, then=Value(follow_up_due_at(thread.category, at))),
            default=F("follow_up_due_at"),
        ),
    }


def thread_refresh_conversation(thread: Thread) -> None:
    """Recompute the conversation's stored state from the rows, after a reply is
    hidden or restored and in `recount`. A follow-up that was already due keeps its
    due time; one the rows bring back is due from when the customer wrote."""
    rows = (
        Thread.objects.filter(pk=thread.pk)
        .with_conversation_from_rows()
        .values("rows_last_official_reply_at", "rows_follow_up_since", "follow_up_since")
        .get()
    )
    since = rows["rows_follow_up_since"]
    changes = {"last_official_reply_at": rows["rows_last_official_reply_at"]}
    if since != rows["follow_up_since"]:
        changes["follow_up_since"] = since
        changes["follow_up_due_at"] = (
            follow_up_due_at(thread.category, since) if since is not None else None
        )
    Thread.objects.filter(pk=thread.pk).update(**changes)


def threads_refresh_conversation(threads) -> None:
    """thread_refresh_conversation for many threads at once, in a few updates: for
    commands that write threads in bulk (seed_scale, seed_demo)."""
    threads.update(last_official_reply_at=Thread.objects.last_official_reply_rows())
    threads.update(follow_up_since=Thread.objects.follow_up_since_rows("last_official_reply_at"))
    threads.filter(follow_up_since__isnull=True).update(follow_up_due_at=None)
    rules = CommunitySettings.load()
    categories = Category.objects.filter(pk__in=threads.values("category_id")).in_bulk()
    waiting = threads.filter(follow_up_since__isnull=False).order_by("pk")
    batch = []
    for pk, category_id, since in waiting.values_list("pk", "category_id", "follow_up_since"):
        due = follow_up_due_at(categories[category_id], since, rules)
        batch.append(Thread(pk=pk, follow_up_due_at=due))
        if len(batch) == DUE_TIMES_PER_UPDATE:
            Thread.objects.bulk_update(batch, ["follow_up_due_at"])
            batch = []
    Thread.objects.bulk_update(batch, ["follow_up_due_at"])


def resolution_check_ask(*, thread: Thread, reply: Reply, staff) -> ResolutionCheck | None:
    """Ask the asker whether `reply` (the brand's official reply, or the answer staff
    recommended) solved their problem: once per reply, on an unsolved thread, in the
    bell and by e-mail. None when there is nobody to ask."""
    if thread.solution_id is not None or thread.author_id == reply.author_id:
        return None
    if thread.visibility != Visibility.VISIBLE or not thread.author.is_active:
        return None
    check, created = ResolutionCheck.objects.get_or_create(
        thread=thread,
        reply=reply,
        defaults={"asker_id": thread.author_id, "asked_for": staff},
    )
    if not created:
        return check
    notify(
        recipient_ids=[thread.author_id],
        kind=Notification.Kind.RESOLUTION_CHECK,
        actor=staff,
        thread=thread,
        reply=reply,
    )
    return check

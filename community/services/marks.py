"""Members' marks on posts: helpful votes, "me too" and follows.

Each is one row per member and post; setting the state that already holds
changes nothing, so double submits and racing requests leave true counters.
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest

from community import permissions
from community.models import Follow, HelpfulVote, MeToo, Reply, Thread


def follow(user, thread) -> None:
    Follow.objects.get_or_create(thread=thread, user=user)


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
        follow(user, thread)
    return result


@transaction.atomic
def thread_set_follow(*, user, thread: Thread, following: bool) -> bool:
    permissions.check_follow(user)
    if following:
        follow(user, thread)
        return True
    Follow.objects.filter(thread=thread, user=user).delete()
    return False

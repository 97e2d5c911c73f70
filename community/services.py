"""What members and staff change in the community: each write is one function here.

Services take keyword-only arguments, run in a transaction, keep the counters in
step with the rows they count (promise 4) and decide the official flag from the
author's role at the moment of posting (promise 2).
"""

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.roles import is_moderator
from community.markdown import render_markdown
from community.models import Category, Reply, Thread


@transaction.atomic
def thread_create(*, author, category: Category, title: str, body: str, tags=()) -> Thread:
    thread = Thread.objects.create(
        author=author,
        category=category,
        title=title.strip(),
        body=body,
        body_html=render_markdown(body),
    )
    if tags:
        thread.tags.set(list(tags))
    return thread


@transaction.atomic
def reply_create(*, author, thread: Thread, body: str) -> Reply:
    now = timezone.now()
    reply = Reply.objects.create(
        thread=thread,
        author=author,
        body=body,
        body_html=render_markdown(body),
        is_official=is_moderator(author),
        created_at=now,
    )
    changes = {"reply_count": F("reply_count") + 1, "last_activity_at": now}
    if reply.is_official:
        changes["first_official_reply_at"] = Coalesce(F("first_official_reply_at"), now)
    Thread.objects.filter(pk=thread.pk).update(**changes)
    return reply

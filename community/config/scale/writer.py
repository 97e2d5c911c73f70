"""Writing the scale community's plans as rows, in bulk.

The services lock, notify and re-index one post at a time, which would take
hours for a million replies. Everything they would have kept in step is taken
from the plans instead (counters, first official reply, due times, last
activity), so that `manage.py recount --check` and `manage.py check_queue` find
nothing to correct.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.html import escape
from django.utils.text import slugify
from taggit.models import Tag

from accounts.roles import MODERATORS_GROUP
from community.business_hours import BusinessCalendar
from community.config.scale.generator import (
    MODERATOR_COUNT,
    ReplyPlan,
    ThreadPlan,
    display_name,
)
from community.config.scale.vocabulary import (
    CATEGORY_SPECS,
    MODERATOR_NAMES,
    ORDER_PARTS,
    PARTS,
    PRODUCTS,
)
from community.models import (
    Category,
    CommunitySettings,
    Follow,
    HelpfulVote,
    MeToo,
    Reply,
    TaggedThread,
    Thread,
    Visibility,
)
from community.services import threads_refresh_conversation, translation_ensure

# The scale community's accounts are told apart from any other by this prefix.
USERNAME_PREFIX = "scale-"
# Public on purpose, like the demo's: the data is made up.
SCALE_PASSWORD = "relais-scale-2026"  # noqa: S105
EMAIL_DOMAIN = "scale.example"


def plain_html(body: str) -> str:
    """The HTML of generated text, without the Markdown renderer.

    render_markdown costs about 0.8 ms a post, over ten minutes for a million
    replies. Generated text is plain paragraphs without Markdown or HTML
    syntax, for which render_markdown gives exactly this: each paragraph escaped
    in <p>…</p> (tests compare the two). escape() keeps it safe whatever the text.
    """
    return "".join(f"<p>{escape(paragraph)}</p>\n" for paragraph in body.split("\n\n"))


@dataclass
class Totals:
    """How many rows of each kind were written so far."""

    threads: int = 0
    replies: int = 0
    helpful_votes: int = 0
    me_toos: int = 0
    follows: int = 0
    tags: int = 0

    def line(self) -> str:
        return ", ".join(f"{name.replace('_', ' ')} {value}" for name, value in vars(self).items())


def create_people(*, members: int, seed: int, batch_size: int, joined: datetime) -> list[int]:
    """Create the members then the moderators; return their ids in people order."""
    User = get_user_model()
    # One hash for everyone: hashing is slow on purpose, and this password is public.
    password = make_password(SCALE_PASSWORD)
    width = max(5, len(str(members)))
    rows = [
        User(
            username=f"{USERNAME_PREFIX}member-{number:0{width}d}",
            email=f"{USERNAME_PREFIX}member-{number:0{width}d}@{EMAIL_DOMAIN}",
            display_name=display_name(seed, number),
            password=password,
            date_joined=joined,
        )
        for number in range(1, members + 1)
    ]
    rows += [
        User(
            username=f"{USERNAME_PREFIX}moderator-{number}",
            email=f"{USERNAME_PREFIX}moderator-{number}@{EMAIL_DOMAIN}",
            display_name=MODERATOR_NAMES[number - 1],
            password=password,
            date_joined=joined,
        )
        for number in range(1, MODERATOR_COUNT + 1)
    ]
    for start in range(0, len(rows), batch_size):
        with transaction.atomic():
            batch = User.objects.bulk_create(rows[start : start + batch_size])
            # allauth lets only verified addresses sign in.
            EmailAddress.objects.bulk_create(
                EmailAddress(user=user, email=user.email, verified=True, primary=True)
                for user in batch
            )
    moderators = rows[members:]
    Group.objects.get(name=MODERATORS_GROUP).user_set.add(*moderators)
    return [user.pk for user in rows]


def ensure_categories() -> list[tuple[int, timedelta, BusinessCalendar]]:
    """(id, first-response target, the team's hours the target counts in) per
    CATEGORY_SPECS entry, reusing slugs that exist."""
    existing = Category.objects.by_slug([spec["slug"] for spec in CATEGORY_SPECS])
    position = len(existing)
    for spec in CATEGORY_SPECS:
        if spec["slug"] not in existing:
            # The demo's categories come with their French names, kept as translations.
            fields = {key: value for key, value in spec.items() if not key.endswith("_fr")}
            category = Category.objects.create(position=position, **fields)
            if "name_fr" in spec:
                translation_ensure(
                    original=category,
                    language="fr",
                    values={"name": spec["name_fr"], "description": spec.get("description_fr", "")},
                )
            existing[spec["slug"]] = category
            position += 1
    rules = CommunitySettings.load()
    return [
        (
            existing[spec["slug"]].pk,
            timedelta(hours=existing[spec["slug"]].response_hours(rules)),
            rules.business_calendar,
        )
        for spec in CATEGORY_SPECS
    ]


def ensure_tags() -> dict[str, int]:
    """Every tag slug the generator can draw, with its Tag id."""
    names = {slugify(word) for words in PRODUCTS.values() for word in words}
    names |= {slugify(part) for part in [*PARTS, *ORDER_PARTS]} | {"error-codes"}
    tags = {tag.slug: tag.pk for tag in Tag.objects.filter(slug__in=names)}
    missing = [Tag(name=slug, slug=slug) for slug in sorted(names - tags.keys())]
    for tag in Tag.objects.bulk_create(missing):
        tags[tag.slug] = tag.pk
    return tags


def write_threads(
    plans: Iterable[ThreadPlan],
    *,
    people,
    categories,
    tag_ids,
    batch_size: int,
    threads_per_batch: int,
    progress: Callable[[Totals], None] | None = None,
) -> tuple[int | None, int | None, Totals]:
    """Write the plans, a transaction per batch of threads; return the first and last
    thread ids (None when there were none) and what was written. `progress`, if
    given, is called with the running totals after each batch."""
    totals = Totals()
    first_id = last_id = None
    batch: list[ThreadPlan] = []

    def flush():
        nonlocal first_id, last_id
        with transaction.atomic():
            ids = _write_batch(
                batch,
                people=people,
                categories=categories,
                tag_ids=tag_ids,
                batch_size=batch_size,
                totals=totals,
            )
            # Written in bulk: whether each customer came back after the brand's
            # reply is read from the rows, as the services would have kept it.
            threads_refresh_conversation(Thread.objects.filter(pk__in=ids))
        first_id = ids[0] if first_id is None else first_id
        last_id = ids[-1]
        batch.clear()
        if progress is not None:
            progress(totals)

    for plan in plans:
        batch.append(plan)
        if len(batch) >= threads_per_batch:
            flush()
    if batch:
        flush()
    return first_id, last_id, totals


def _write_batch(plans, *, people, categories, tag_ids, batch_size, totals) -> list[int]:
    """Write one batch of threads with their replies, votes, "me too"s, follows and
    tags; every counter is taken from the plans. Returns the thread ids."""
    threads = Thread.objects.bulk_create(
        [_thread_row(plan, people=people, categories=categories) for plan in plans],
        batch_size=batch_size,
    )
    replies = []
    for plan, thread in zip(plans, threads, strict=True):
        replies += [_reply_row(reply, thread=thread, people=people) for reply in plan.replies]
    Reply.objects.bulk_create(replies, batch_size=batch_size)

    # The solution points at a reply, which needed the thread first.
    solved, votes, me_toos, follows, tagged = [], [], [], [], []
    position = 0
    for plan, thread in zip(plans, threads, strict=True):
        thread_replies = replies[position : position + len(plan.replies)]
        position += len(plan.replies)
        if plan.solution is not None:
            thread.solution_id = thread_replies[plan.solution].pk
            solved.append(thread)
        votes += [
            HelpfulVote(
                reply_id=row.pk,
                user_id=people[voter],
                created_at=min(reply.created_at + timedelta(hours=1 + rank), plan.last_activity_at),
            )
            for reply, row in zip(plan.replies, thread_replies, strict=True)
            for rank, voter in enumerate(reply.voters)
        ]
        # The asker has the problem first; the others said so later.
        me_toos.append(
            MeToo(thread_id=thread.pk, user_id=people[plan.author], created_at=plan.created_at)
        )
        me_toos += [
            MeToo(
                thread_id=thread.pk,
                user_id=people[person],
                created_at=plan.created_at + timedelta(hours=rank + 1),
            )
            for rank, person in enumerate(plan.me_too)
        ]
        # Posting follows the thread, as reply_create does (pending posts too).
        followers = dict.fromkeys([plan.author, *(reply.author for reply in plan.replies)])
        follows += [
            Follow(thread_id=thread.pk, user_id=people[person], created_at=plan.created_at)
            for person in followers
        ]
        tagged += [
            TaggedThread(content_object_id=thread.pk, tag_id=tag_ids[slug]) for slug in plan.tags
        ]
    if solved:
        Thread.objects.bulk_update(solved, ["solution"], batch_size=batch_size)
    for model, rows in (
        (HelpfulVote, votes),
        (MeToo, me_toos),
        (Follow, follows),
        (TaggedThread, tagged),
    ):
        model.objects.bulk_create(rows, batch_size=batch_size)

    totals.threads += len(threads)
    totals.replies += len(replies)
    totals.helpful_votes += len(votes)
    totals.me_toos += len(me_toos)
    totals.follows += len(follows)
    totals.tags += len(tagged)
    return [thread.pk for thread in threads]


def _thread_row(plan: ThreadPlan, *, people, categories) -> Thread:
    category_id, target, calendar = categories[plan.category]
    # A pending question is not public yet (no published time), but the brand's
    # clock runs from the asking, as in the services.
    published = plan.created_at if plan.visibility != Visibility.PENDING else None
    return Thread(
        **_post_fields(plan, people=people),
        category_id=category_id,
        title=plan.title,
        slug=slugify(plan.title)[:160],
        is_locked=plan.is_locked,
        is_pinned=plan.is_pinned,
        last_activity_at=plan.last_activity_at,
        reply_count=len(plan.visible_replies),
        me_too_count=1 + len(plan.me_too),
        first_official_reply_at=plan.first_official_reply_at,
        published_at=published,
        response_due_at=calendar.add(plan.created_at, target),
        solution_marked_by_id=(
            people[plan.solution_marked_by] if plan.solution_marked_by is not None else None
        ),
        solved_at=plan.solved_at,
    )


def _reply_row(reply: ReplyPlan, *, thread: Thread, people) -> Reply:
    return Reply(
        **_post_fields(reply, people=people),
        thread_id=thread.pk,
        is_official=reply.is_official,
        helpful_count=len(reply.voters),
        recommended_by_id=(
            people[reply.recommended_by] if reply.recommended_by is not None else None
        ),
        recommended_at=reply.recommended_at,
    )


def _post_fields(post: ThreadPlan | ReplyPlan, *, people) -> dict:
    """What a question and a reply share as posts: who wrote what and when, its HTML,
    and whether it shows."""
    return {
        "author_id": people[post.author],
        "body": post.body,
        "body_html": plain_html(post.body),
        "visibility": post.visibility,
        "hidden_reason": post.hidden_reason,
        "created_at": post.created_at,
    }

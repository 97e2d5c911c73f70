"""The forum's side of the demo: categories, and threads played act by act.

A thread is looked up by its title and only created when it is missing; what
happens inside it (replies, votes, "me too"s, solutions, recommendations,
edits) is played only when the thread itself is created, so a second run adds
no reply, vote or notification.
"""

from collections import Counter
from contextlib import contextmanager
from datetime import timedelta

from community.config.demo.backdating import Backdater
from community.config.demo.content import CATEGORIES, MODERATOR, THREADS
from community.models import (
    Category,
    CommunitySettings,
    Reply,
    ResolutionCheck,
    SatisfactionRating,
    Thread,
)
from community.services import (
    reply_create,
    reply_edit,
    reply_set_helpful,
    reply_set_recommended,
    resolution_check_answer,
    response_due_at,
    satisfaction_answer,
    thread_accept_reply,
    thread_create,
    thread_edit,
    thread_refresh_conversation,
    thread_set_me_too,
    translation_ensure,
)

# Helpful votes on a reply come one after another, this many hours apart.
HELPFUL_VOTE_GAP_HOURS = 0.75


def ensure_categories() -> int:
    """Create the categories that are missing, in their listed positions, and their
    French translations; count the rows written."""
    created_count = 0
    for position, spec in enumerate(CATEGORIES):
        category, created = Category.objects.originals().get_or_create(
            slug=spec["slug"],
            defaults={
                "name": spec["name"],
                "description": spec["description"],
                "colour": spec["colour"],
                "position": position,
                "first_response_hours": spec["first_response_hours"],
            },
        )
        _french, translated = translation_ensure(
            original=category,
            language="fr",
            values={"name": spec["name_fr"], "description": spec["description_fr"]},
        )
        created_count += created + translated
    return created_count


@contextmanager
def established_members():
    """The demo's members have posted for weeks, so their story is played with the
    pre-moderation of new members' posts paused; the site's rules are put back
    afterwards (inside the same transaction), whatever they were."""
    rules = CommunitySettings.load()
    saved = (rules.premoderation_first_posts, rules.premoderation_max_links)
    rules.premoderation_first_posts, rules.premoderation_max_links = 0, 1000
    rules.save(update_fields=["premoderation_first_posts", "premoderation_max_links"])
    try:
        yield
    finally:
        rules.premoderation_first_posts, rules.premoderation_max_links = saved
        rules.save(update_fields=["premoderation_first_posts", "premoderation_max_links"])


def ensure_threads(accounts, *, now) -> Counter:
    """Post the threads that are missing, each with its whole story; count what was done."""
    categories = Category.objects.by_slug({spec["category"] for spec in THREADS})
    existing = set(
        Thread.objects.filter(title__in=[spec["title"] for spec in THREADS]).values_list(
            "title", flat=True
        )
    )
    story = Counter()
    for spec in THREADS:
        if spec["title"] in existing:
            continue
        story += _create_thread(
            spec, accounts=accounts, category=categories[spec["category"]], now=now
        )
        story["threads"] += 1
    return story


def _events(spec) -> list[tuple[float, str, object]]:
    """What happens after the question, as (hours after it, action, detail), in order."""
    events = []
    for index, reply in enumerate(spec["replies"]):
        hours = reply["after_hours"]
        events.append((hours, "reply", index))
        for rank, username in enumerate(reply.get("helpful", ()), start=1):
            events.append((hours + rank * HELPFUL_VOTE_GAP_HOURS, "helpful", (index, username)))
        if "recommended_after_hours" in reply:
            events.append((reply["recommended_after_hours"], "recommend", index))
        if "edit" in reply:
            events.append((reply["edit"]["after_hours"], "edit_reply", index))
    events += [(hours, "me_too", username) for username, hours in spec.get("me_too", {}).items()]
    if "edit" in spec:
        events.append((spec["edit"]["after_hours"], "edit_thread", None))
    if "solution" in spec:
        events.append((spec["solution"]["after_hours"], "accept", spec["solution"]))
        if "rating" in spec["solution"]:
            rating = spec["solution"]["rating"]
            events.append((rating["after_hours"], "rate", rating))
    if "not_yet_after_hours" in spec:
        events.append((spec["not_yet_after_hours"], "not_yet", None))
    # A stable sort: at equal times, the order above holds (a reply before its votes).
    return sorted(events, key=lambda event: event[0])


def _create_thread(spec, *, accounts, category, now) -> Counter:
    """Play a thread's story through the services, then move each act back in time."""
    asked_at = now - timedelta(days=spec["days_ago"])
    asker, moderator = accounts[spec["author"]], accounts[MODERATOR]
    backdater = Backdater()
    thread = thread_create(
        author=asker,
        category=category,
        title=spec["title"],
        body=spec["body"],
        tags=spec["tags"],
        language=spec["language"],
        check_limits=False,
    )
    backdater.stamp(asked_at)

    replies: dict[int, Reply] = {}
    thread_dates = {"last_activity_at": asked_at, "first_official_reply_at": None}
    done = Counter()
    for hours, action, detail in _events(spec):
        at = asked_at + timedelta(hours=hours)
        if action == "reply":
            reply_spec = spec["replies"][detail]
            reply = reply_create(
                author=accounts[reply_spec["author"]],
                thread=thread,
                body=reply_spec["body"],
                check_limits=False,
            )
            Reply.objects.filter(pk=reply.pk).update(created_at=at, updated_at=at)
            ResolutionCheck.objects.filter(reply=reply).update(asked_at=at)
            replies[detail] = reply
            thread_dates["last_activity_at"] = at
            if reply.is_official and thread_dates["first_official_reply_at"] is None:
                thread_dates["first_official_reply_at"] = at
            done["replies"] += 1
        elif action == "helpful":
            index, username = detail
            reply_set_helpful(user=accounts[username], reply=replies[index], helpful=True)
            done["helpful_votes"] += 1
        elif action == "recommend":
            reply_set_recommended(moderator=moderator, reply=replies[detail], recommended=True)
            Reply.objects.filter(pk=replies[detail].pk).update(recommended_at=at, updated_at=at)
            done["recommendations"] += 1
        elif action == "edit_reply":
            reply = replies[detail]
            new_body = spec["replies"][detail]["edit"]["body"]
            reply_edit(editor=reply.author, reply=reply, body=new_body, check_limits=False)
            Reply.objects.filter(pk=reply.pk).update(edited_at=at, updated_at=at)
            done["edits"] += 1
        elif action == "me_too":
            thread_set_me_too(user=accounts[detail], thread=thread, me_too=True)
            done["me_toos"] += 1
        elif action == "edit_thread":
            thread_edit(
                editor=asker,
                thread=thread,
                title=thread.title,
                body=spec["edit"]["body"],
                check_limits=False,
            )
            thread_dates["edited_at"] = at
            done["edits"] += 1
        elif action == "not_yet":
            check = ResolutionCheck.objects.filter(thread=thread).order_by("-asked_at").first()
            resolution_check_answer(user=asker, check=check, answer="not_yet")
            ResolutionCheck.objects.filter(pk=check.pk).update(answered_at=at)
            done["not_yet_answers"] += 1
        elif action == "accept":
            marked_by = asker if detail["by"] == "asker" else moderator
            thread_accept_reply(user=marked_by, thread=thread, reply=replies[detail["reply"]])
            SatisfactionRating.objects.filter(thread=thread).update(asked_at=at)
            thread_dates["solved_at"] = at
            done["solutions"] += 1
        elif action == "rate":
            satisfaction_answer(
                user=asker, thread=thread, score=detail["score"], comment=detail["comment"]
            )
            SatisfactionRating.objects.filter(thread=thread, member=asker).update(answered_at=at)
            done["satisfaction_answers"] += 1
        backdater.stamp(at)

    # The question's own row was last changed by its latest edit or solution.
    changes = [thread_dates.get("edited_at"), thread_dates.get("solved_at")]
    Thread.objects.filter(pk=thread.pk).update(
        created_at=asked_at,
        published_at=asked_at,
        updated_at=max([asked_at, *filter(None, changes)]),
        response_due_at=response_due_at(thread.category, asked_at),
        **thread_dates,
    )
    # The conversation's state as the moved-back dates tell it.
    thread_refresh_conversation(thread)
    return done

"""What the moderation pages show on a fresh demo.

Prepared answers, a newcomer's posts awaiting approval, open reports on a reply
that reads like an advert, and one overdue thread claimed by the moderator;
each is added only where it is missing, so a second run changes nothing.
"""

from collections import Counter
from datetime import timedelta

from django.conf import settings

from community.config.demo.backdating import Backdater
from community.config.demo.content import CANNED_RESPONSES, MODERATOR, NEWCOMER, SPAM_REPLY
from community.models import Category, Reply, Thread
from community.services import reply_create, thread_create, translation_ensure
from moderation.models import CannedResponse, Report
from moderation.selectors import awaiting_official_reply
from moderation.services.assignment import thread_claim
from moderation.services.reports import report_create


def ensure_spam_reply(accounts, *, now) -> Counter:
    """The reply that reads like an advert, for the open reports of the demo.

    Posted among the established members' story, so pre-moderation lets it
    through and there is something public to report.
    """
    thread = Thread.objects.filter(title=SPAM_REPLY["thread"]).first()
    author = accounts[SPAM_REPLY["author"]]
    if thread is None or Reply.objects.filter(thread=thread, author=author).exists():
        return Counter()
    backdater = Backdater()
    reply = reply_create(author=author, thread=thread, body=SPAM_REPLY["body"], check_limits=False)
    at = now - timedelta(hours=SPAM_REPLY["hours_ago"])
    Reply.objects.filter(pk=reply.pk).update(created_at=at, updated_at=at)
    Thread.objects.filter(pk=thread.pk).update(last_activity_at=max(thread.last_activity_at, at))
    backdater.stamp(at)
    return Counter(replies=1)


def ensure_moderation_demo(accounts, *, now) -> Counter:
    """Canned responses, the newcomer's pending posts, the reports and a claim."""
    categories = Category.objects.by_slug()
    return (
        _ensure_canned_responses(categories)
        + _ensure_newcomer_posts(accounts, categories=categories, now=now)
        + _ensure_reports(accounts)
        + _ensure_claim(accounts)
    )


def _ensure_canned_responses(categories) -> Counter:
    done = Counter()
    for spec in CANNED_RESPONSES:
        canned, created = CannedResponse.objects.filter(
            locale__language_code=settings.LANGUAGE_CODE
        ).get_or_create(
            title=spec["title"],
            defaults={
                "category": categories.get(spec["category"]) if "category" in spec else None,
                "body": spec["body"],
            },
        )
        _french, translated = translation_ensure(
            original=canned,
            language="fr",
            values={"title": spec["title_fr"], "body": spec["body_fr"]},
        )
        done["canned_responses"] += created + translated
    return done


def _ensure_newcomer_posts(accounts, *, categories, now) -> Counter:
    """A new member's first question and reply wait for approval, as the site's
    pre-moderation rule decides (nothing waits if an editor turned it off)."""
    newcomer = accounts[NEWCOMER["username"]]
    if Thread.objects.filter(author=newcomer).exists():
        return Counter()
    done = Counter()
    spec = NEWCOMER["thread"]
    asked_at = now - timedelta(hours=spec["hours_ago"])
    backdater = Backdater()
    pending = thread_create(
        author=newcomer,
        category=categories[spec["category"]],
        title=spec["title"],
        body=spec["body"],
        tags=spec["tags"],
        language=spec["language"],
        check_limits=False,
    )
    # Backdated with its due time: the brand's clock runs from the asking.
    Thread.objects.filter(pk=pending.pk).update(
        created_at=asked_at,
        last_activity_at=asked_at,
        updated_at=asked_at,
        response_due_at=asked_at + (pending.response_due_at - pending.created_at),
    )
    backdater.stamp(asked_at)
    done["pending_posts"] += 1
    answered = Thread.objects.filter(title=NEWCOMER["reply"]["thread"]).first()
    if answered is not None:
        reply_create(
            author=newcomer, thread=answered, body=NEWCOMER["reply"]["body"], check_limits=False
        )
        done["pending_posts"] += 1
    return done


def _ensure_reports(accounts) -> Counter:
    done = Counter()
    spam = Reply.objects.filter(
        thread__title=SPAM_REPLY["thread"], author=accounts[SPAM_REPLY["author"]]
    ).first()
    if spam is not None and not Report.objects.filter(reply=spam).exists():
        for report in SPAM_REPLY["reports"]:
            report_create(
                reporter=accounts[report["reporter"]],
                thread=spam.thread,
                reply=spam,
                reason=report["reason"],
                note=report["note"],
            )
            done["reports"] += 1
    return done


def _ensure_claim(accounts) -> Counter:
    """The most overdue question is being handled: the moderator has claimed it."""
    if Thread.objects.filter(assigned_to__isnull=False).exists():
        return Counter()
    oldest = awaiting_official_reply().order_by("response_due_at", "pk").first()
    if oldest is None:
        return Counter()
    thread_claim(moderator=accounts[MODERATOR], thread=oldest)
    return Counter(claims=1)

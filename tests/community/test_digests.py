"""The digests (community/digests.py, `manage.py send_digests`): what a member's
digest and a moderator's summary hold, when they are due, who never gets one, and
their language. Sent through a real SMTP server and read back as a mail client would."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.formats import date_format
from taggit.models import Tag

from accounts.models import User
from community import services
from community.digests import _digest_send_one, digests_send, moderator_summaries_send
from community.models import CategoryFollow, CommunitySettings, TagFollow
from tests.factories import CategoryFactory, ModeratorFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def later(hours: float = 0):
    """A moment a little after the rows a test just made (their `now`)."""
    return timezone.now() + timedelta(seconds=1, hours=hours)


@pytest.fixture
def reader(db, category):
    """A member with a daily digest who follows the category "coffee" and the tag "descaling"."""
    member = UserFactory(username="reader", digest="daily")
    CategoryFollow.objects.create(user=member, category=category)
    TagFollow.objects.create(
        user=member, tag=Tag.objects.create(name="descaling", slug="descaling")
    )
    return member


def ask(category, title, *, author=None, tags=()):
    return services.thread_create(
        author=author or UserFactory(),
        category=category,
        title=title,
        body="Some words about it.",
        tags=tags,
        check_limits=False,
    )


def solve(thread, *, by_reply_of=None):
    reply = services.reply_create(
        author=by_reply_of or UserFactory(), thread=thread, body="Try this.", check_limits=False
    )
    services.thread_accept_reply(user=thread.author, thread=thread, reply=reply)
    return reply


def digest_of(smtp_server, member):
    mails = smtp_server.to(member.email)
    assert len(mails) == 1, [mail.subject for mail in mails]
    return mails[0]


# What a digest holds ------------------------------------------------------------------------


def test_a_digest_holds_new_questions_solutions_and_unanswered_where_the_member_follows(
    smtp_server, reader, category
):
    elsewhere = CategoryFactory(slug="orders", name="Orders")
    ask(category, "Milk frother hisses loudly")
    ask(elsewhere, "Tagged descaling elsewhere", tags=["descaling"])
    ask(elsewhere, "Parcel never arrived")  # not followed
    solved = ask(category, "Grinder jams on dark beans")
    reply = solve(solved)
    ask(category, "Own question of the reader", author=reader)
    smtp_server.clear()  # the replies' notification e-mails

    assert digests_send(at=later()) == 1

    mail = digest_of(smtp_server, reader)
    assert mail.subject == f"[{CommunitySettings.load().display_name}] Your daily digest"
    text, html = mail.text(), mail.html()
    new_section = text.split("New questions where you follow")[1].split("Solved")[0]
    assert "Milk frother hisses loudly" in new_section
    assert "Tagged descaling elsewhere" in new_section
    assert "Parcel never arrived" not in text
    assert "Own question of the reader" not in text
    assert f"/community/r/{reply.pk}/" in text.split("Solved")[1]
    unanswered = text.split("can you help?")[1].split("--")[0]
    assert "Milk frother hisses loudly" in unanswered and "Grinder jams" not in unanswered
    assert 'href="http' in html and "Milk frother hisses loudly" in html


def test_the_unanswered_list_is_short_and_leaves_out_locked_and_answered_threads(
    smtp_server, reader, category
):
    for number in range(7):
        ask(category, f"Open question number {number}")
    locked = ask(category, "A locked question")
    locked.is_locked = True
    locked.save(update_fields=["is_locked"])

    digests_send(at=later())

    unanswered = digest_of(smtp_server, reader).text().split("can you help?")[1]
    assert unanswered.count("Open question number") == 5
    assert "A locked question" not in unanswered


def test_a_member_following_nothing_gets_unanswered_questions_from_anywhere(smtp_server, category):
    member = UserFactory(digest="weekly")
    ask(CategoryFactory(slug="orders"), "Parcel never arrived")

    digests_send(at=later())

    mail = digest_of(smtp_server, member)
    assert mail.subject.endswith("Your weekly digest")
    assert "Parcel never arrived" in mail.text().split("can you help?")[1]
    assert "New questions where you follow" not in mail.text()


def test_an_empty_digest_is_not_sent_but_its_period_is_covered(smtp_server, reader):
    at = later()
    assert digests_send(at=at) == 0

    assert smtp_server.to(reader.email) == []
    reader.refresh_from_db()
    assert reader.digest_sent_at == at


def test_html_escapes_titles_and_links_let_the_member_stop_the_digest(
    smtp_server, client, reader, category
):
    ask(category, "<script>alert(1)</script> in my kettle")

    digests_send(at=later())

    mail = digest_of(smtp_server, reader)
    assert "<script>" not in mail.html() and "&lt;script&gt;" in mail.html()
    unsubscribe = mail.message["List-Unsubscribe"].strip().strip("<>")
    assert unsubscribe.endswith("?kind=digest") and unsubscribe in mail.html()
    assert "/accounts/profile/" in mail.text()
    # The one-click POST a mail client sends turns the digest off, and only it.
    path = unsubscribe[unsubscribe.index("/accounts/") :]
    assert client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    reader.refresh_from_db()
    assert reader.digest == "off" and reader.email_notifications == "all"


# When ---------------------------------------------------------------------------------------


def test_a_repeated_run_sends_once_and_the_next_is_due_a_day_less_an_hour_later(
    smtp_server, reader, category
):
    ask(category, "Milk frother hisses loudly")
    first = later()
    assert digests_send(at=first) == 1
    assert digests_send(at=first) == 0
    call_command("send_digests")  # now: not due again
    assert len(smtp_server.to(reader.email)) == 1

    ThreadFactory(category=category, title="Asked in the meantime", published_at=first + HOUR)
    assert digests_send(at=first + 22 * HOUR) == 0
    assert digests_send(at=first + 23 * HOUR) == 1
    second = smtp_server.to(reader.email)[1].text()
    assert (
        "Asked in the meantime" in second and "Milk frother" not in second.split("can you help?")[0]
    )


def test_a_weekly_digest_waits_six_days_and_twenty_three_hours(smtp_server, category):
    member = UserFactory(digest="weekly")
    ask(category, "Milk frother hisses loudly")
    first = later()
    digests_send(at=first)

    assert digests_send(at=first + timedelta(days=6, hours=22)) == 0
    assert digests_send(at=first + timedelta(days=6, hours=23)) == 1
    assert len(smtp_server.to(member.email)) == 2


def test_the_claim_is_taken_from_the_value_read_so_a_concurrent_run_sends_nothing(
    smtp_server, reader, category
):
    ask(category, "Milk frother hisses loudly")
    stale = User.objects.get(pk=reader.pk)  # what a second run read before the first sent
    digests_send(at=later())

    assert not _digest_send_one(stale, at=later(), community_name="Any")
    assert len(smtp_server.to(reader.email)) == 1


def test_the_limit_leaves_the_rest_to_the_next_run(smtp_server, category):
    members = UserFactory.create_batch(3, digest="daily")
    ask(category, "Milk frother hisses loudly")

    assert digests_send(at=later(), limit=2) == 2
    assert digests_send(at=later(), limit=2) == 1
    assert all(len(smtp_server.to(member.email)) == 1 for member in members)


# Who never gets one ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "refusal",
    ["off", "suspended", "unverified", "bounced", "inactive", "closed"],
)
def test_nothing_goes_to_members_who_may_not_receive_it(smtp_server, category, refusal):
    member = UserFactory(
        digest="off" if refusal == "off" else "daily",
        verified_email=refusal != "unverified",
        suspended_until=timezone.now() + timedelta(days=2) if refusal == "suspended" else None,
        is_active=refusal != "inactive",
        closed_at=timezone.now() if refusal == "closed" else None,
    )
    if refusal == "bounced":
        User.objects.filter(pk=member.pk).update(bounced_email=member.email)
    ask(category, "Milk frother hisses loudly")

    assert digests_send(at=later()) == 0
    assert smtp_server.to(member.email) == []


def test_a_new_verified_address_after_a_bounce_receives_again(smtp_server, category):
    member = UserFactory(digest="daily", email="new@example.com")
    User.objects.filter(pk=member.pk).update(bounced_email="old@example.com")
    ask(category, "Milk frother hisses loudly")

    assert digests_send(at=later()) == 1


# Language ---------------------------------------------------------------------------------------


def test_a_french_members_digest_is_written_in_french(smtp_server, category):
    member = UserFactory(digest="daily", language="fr")
    ask(category, "Milk frother hisses loudly")
    at = later()

    digests_send(at=at)

    mail = digest_of(smtp_server, member)
    since = at - timedelta(days=1)
    with translation.override("fr"):
        french_date = date_format(timezone.localtime(since), "DATE_FORMAT")
    english_date = date_format(timezone.localtime(since), "DATE_FORMAT")
    assert french_date != english_date
    assert '<html lang="fr">' in mail.html()
    assert french_date in mail.text() and english_date not in mail.text()
    assert mail.subject.endswith("] Votre récapitulatif du jour")
    assert "En attente d\u2019une réponse : pouvez-vous aider ?" in mail.text()


# The moderators' summary --------------------------------------------------------------------


@pytest.fixture
def reopened(moderator, category):
    """A thread the brand answered and whose asker wrote back: it awaits the brand again."""
    thread = ask(category, "Still leaking after the new seal")
    services.reply_create(author=moderator, thread=thread, body="Official.", check_limits=False)
    services.reply_create(author=thread.author, thread=thread, body="Not yet.", check_limits=False)
    return thread


def test_the_summary_lists_overdue_and_reopened_threads(smtp_server, category, reopened):
    summary_reader = ModeratorFactory(moderator_summary=True, digest="off")
    ThreadFactory(
        category=category,
        title="Waiting three days",
        created_at=timezone.now() - timedelta(days=3),
    )
    ask(category, "Asked a minute ago")  # due tomorrow: not overdue
    smtp_server.clear()

    assert moderator_summaries_send(at=later()) == 1

    mail = digest_of(smtp_server, summary_reader)
    assert mail.subject.endswith("] Daily moderation summary")
    text = mail.text()
    overdue, reopened_part = text.split("Reopened by the customer")
    assert "1 thread is overdue" in overdue and "Waiting three days" in overdue
    assert "Asked a minute ago" not in text
    assert "Still leaking after the new seal" in reopened_part
    assert mail.message["List-Unsubscribe"].strip().strip("<>").endswith("?kind=moderator_summary")
    assert moderator_summaries_send(at=later()) == 0  # once a day


def test_a_french_moderators_summary_is_written_in_french(smtp_server, category, reopened):
    summary_reader = ModeratorFactory(moderator_summary=True, digest="off", language="fr")
    ThreadFactory(category=category, created_at=timezone.now() - timedelta(days=3))
    smtp_server.clear()

    moderator_summaries_send(at=later())

    mail = digest_of(smtp_server, summary_reader)
    assert mail.subject.endswith("] Résumé quotidien de modération")
    assert "1 discussion attend sa réponse officielle" in mail.text()
    assert "Rouvertes par le client depuis le" in mail.text()


def test_non_moderators_never_get_a_summary_even_with_the_flag(smtp_server, category):
    member = UserFactory(moderator_summary=True, digest="off")
    ThreadFactory(category=category, created_at=timezone.now() - timedelta(days=3))

    assert moderator_summaries_send(at=later()) == 0
    assert smtp_server.to(member.email) == []


# The preference ------------------------------------------------------------------------------


def test_the_profile_offers_the_digest_and_the_summary_to_moderators_only(
    member_client, moderator_client, moderator
):
    assert 'name="digest"' in member_client.get("/accounts/profile/").content.decode()
    assert (
        'name="moderator_summary"' not in member_client.get("/accounts/profile/").content.decode()
    )
    assert 'name="moderator_summary"' in moderator_client.get("/accounts/profile/").content.decode()

    moderator_client.post(
        "/accounts/profile/",
        {
            "display_name": "Mod",
            "bio": "",
            "email_notifications": "all",
            "digest": "weekly",
            "moderator_summary": "on",
        },
    )

    moderator.refresh_from_db()
    assert moderator.digest == "weekly" and moderator.moderator_summary is True

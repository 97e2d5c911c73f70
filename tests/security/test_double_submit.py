"""The same form sent twice makes one row (issue 8, item 3).

Every action a member or a moderator posts (ask, reply, official reply, helpful
vote, "me too", accept, recommend, report) is sent twice through the test client,
as a double click or a browser's resend does: with the hidden submission key the
ask and reply forms carry. The second request must answer with a redirect to what
exists, and exactly one row must be there. On PostgreSQL the same requests race
each other from many threads at once (tests/community/test_concurrency.py's
harness).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/relais_helper_ps \\
        .venv/bin/python -m pytest tests/security/test_double_submit.py -q
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import EmailNotifications, User
from community import services
from community.models import HelpfulVote, MeToo, Notification, Reply, Thread
from moderation.models import Report
from tests.community.test_concurrency import CONCURRENT_ON_POSTGRES, run_together
from tests.community.test_services_counters import assert_counters_true
from tests.factories import CategoryFactory, ModeratorFactory, UserFactory
from tests.security.figures import record

KEY = re.compile(r'name="submission_key" value="([A-Za-z0-9_-]+)"')


def form_key(client: Client, url: str) -> str:
    """The submission key of the form on the page at `url`, as a browser sends it."""
    response = client.get(url)
    assert response.status_code == 200
    keys = KEY.findall(response.content.decode())
    assert len(keys) == 1, "the page should hold one form with a submission key"
    return keys[0]


def post_twice(client: Client, url: str, data: dict, **headers):
    return client.post(url, data, **headers), client.post(url, data, **headers)


def count_extra(rows: int, expected: int = 1) -> int:
    return max(0, rows - expected)


@pytest.fixture
def reply(thread, other_member):
    return services.reply_create(
        author=other_member, thread=thread, body="Descale it with white vinegar."
    )


def ask_data(category, key: str) -> dict:
    return {
        "title": "The grinder jams on fine settings",
        "body": "After two seconds the motor hums and stops.",
        "category": category.pk,
        "tags": "grinder, jam",
        "submission_key": key,
    }


# --- one after the other ---------------------------------------------------------


def test_ask_sent_twice_makes_one_thread(member, member_client):
    category = CategoryFactory()
    data = ask_data(category, form_key(member_client, reverse("community:ask")))

    first, second = post_twice(member_client, reverse("community:ask"), data)

    threads = Thread.objects.filter(author=member)
    record("double_submit", cases=1, failures=count_extra(threads.count()))
    assert threads.count() == 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == threads.get().get_absolute_url()


def test_reply_sent_twice_makes_one_reply(thread, other_member):
    client = Client()
    client.force_login(other_member)
    key = form_key(client, thread.get_absolute_url())
    data = {"body": "Try holding the button for five seconds.", "submission_key": key}

    first, second = post_twice(client, reverse("community:reply_create", args=[thread.pk]), data)

    replies = Reply.objects.filter(thread=thread, author=other_member)
    record("double_submit", cases=1, failures=count_extra(replies.count()))
    assert replies.count() == 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == replies.get().get_absolute_url()
    assert assert_counters_true(thread).reply_count == 1


def test_official_reply_sent_twice_makes_one_reply(thread, moderator, moderator_client):
    key = form_key(moderator_client, thread.get_absolute_url())
    data = {"body": "Thanks for the details, we are sending a new base.", "submission_key": key}

    first, second = post_twice(
        moderator_client, reverse("community:reply_create", args=[thread.pk]), data
    )

    official = Reply.objects.filter(thread=thread, is_official=True)
    record("double_submit", cases=1, failures=count_extra(official.count()))
    assert official.count() == 1
    assert first.status_code == second.status_code == 302
    assert second["Location"] == official.get().get_absolute_url()
    thread = assert_counters_true(thread)
    assert thread.first_official_reply_at == official.get().created_at
    # The asker hears from the brand once (asked whether it solved the problem).
    told = Notification.objects.filter(kind=Notification.Kind.RESOLUTION_CHECK, thread=thread)
    assert told.count() == 1


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
def test_helpful_vote_sent_twice_counts_once(reply, member, member_client, htmx):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    url = reverse("community:reply_helpful", args=[reply.pk])

    first, second = post_twice(member_client, url, {"value": "on"}, **headers)

    votes = HelpfulVote.objects.filter(reply=reply, user=member)
    record("double_submit", cases=1, failures=count_extra(votes.count()))
    assert votes.count() == 1
    assert first.status_code == second.status_code == (200 if htmx else 302)
    if not htmx:
        assert second["Location"] == reply.get_absolute_url()
    reply.refresh_from_db()
    assert reply.helpful_count == 1


def test_me_too_sent_twice_counts_once(thread, other_member):
    client = Client()
    client.force_login(other_member)

    first, second = post_twice(client, reverse("community:thread_me_too", args=[thread.pk]), {})

    rows = MeToo.objects.filter(thread=thread, user=other_member)
    record("double_submit", cases=1, failures=count_extra(rows.count()))
    assert rows.count() == 1
    assert first.status_code == second.status_code == 302
    assert assert_counters_true(thread).me_too_count == 2  # the asker and the other member


def test_accept_sent_twice_marks_the_solution_once(thread, reply, member_client):
    url = reverse("community:thread_accept", args=[thread.pk])

    first, second = post_twice(member_client, url, {"reply": reply.pk})

    told = Notification.objects.filter(kind=Notification.Kind.ACCEPTED, reply=reply)
    record("double_submit", cases=1, failures=count_extra(told.count()))
    assert told.count() == 1
    assert first.status_code == second.status_code == 302
    assert second["Location"] == reply.get_absolute_url()
    thread.refresh_from_db()
    assert thread.solution_id == reply.pk


def test_recommend_sent_twice_recommends_once(reply, moderator, moderator_client):
    url = reverse("community:reply_recommend", args=[reply.pk])

    first, second = post_twice(moderator_client, url, {"value": "on"})

    told = Notification.objects.filter(kind=Notification.Kind.RECOMMENDED, reply=reply)
    record("double_submit", cases=1, failures=count_extra(told.count()))
    assert told.count() == 1
    assert first.status_code == second.status_code == 302
    assert second["Location"] == reply.get_absolute_url()
    reply.refresh_from_db()
    assert reply.recommended_by == moderator


def test_report_sent_twice_makes_one_report(reply, member, member_client):
    url = reverse("moderation:report_reply", args=[reply.pk])

    first, second = post_twice(member_client, url, {"reason": "spam", "note": "An advert."})

    reports = Report.objects.filter(reply=reply, reporter=member)
    record("double_submit", cases=1, failures=count_extra(reports.count()))
    assert reports.count() == 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]


# --- what the keys must not do ---------------------------------------------------------


def test_each_form_shown_gets_its_own_key_and_two_replies_both_count(thread, other_member):
    client = Client()
    client.force_login(other_member)
    url = reverse("community:reply_create", args=[thread.pk])

    for body in ("First idea: unplug it.", "Second idea: check the fuse."):
        key = form_key(client, thread.get_absolute_url())
        assert client.post(url, {"body": body, "submission_key": key}).status_code == 302

    assert Reply.objects.filter(thread=thread, author=other_member).count() == 2


def test_a_form_shown_again_after_an_error_keeps_its_key(member_client):
    response = member_client.post(
        reverse("community:ask"), {"title": "Too short", "body": "", "submission_key": "k" * 32}
    )

    assert response.status_code == 200
    assert KEY.findall(response.content.decode()) == ["k" * 32]


def test_another_members_key_does_not_lead_to_their_post(thread, member, other_member):
    client = Client()
    client.force_login(member)
    key = form_key(client, thread.get_absolute_url())
    url = reverse("community:reply_create", args=[thread.pk])
    client.post(url, {"body": "The asker adds a detail.", "submission_key": key})

    intruder = Client()
    intruder.force_login(other_member)
    response = intruder.post(url, {"body": "Someone else's words.", "submission_key": key})

    assert response.status_code == 302
    assert Reply.objects.filter(thread=thread).count() == 2
    assert Reply.objects.get(author=other_member).body == "Someone else's words."


def test_a_key_that_is_not_one_is_ignored(thread, other_member):
    client = Client()
    client.force_login(other_member)
    url = reverse("community:reply_create", args=[thread.pk])

    for body in ("One reply.", "Another reply."):
        response = client.post(url, {"body": body, "submission_key": "<script>"})
        assert response.status_code == 302

    assert Reply.objects.filter(thread=thread, author=other_member).count() == 2


def test_close_account_sent_twice_closes_and_logs_once(member, member_client):
    from wagtail.models import ModelLogEntry

    from accounts.audit import ACCOUNT_CLOSE
    from tests.factories import DEFAULT_PASSWORD

    data = {"password": DEFAULT_PASSWORD, "confirm": "on"}
    first, second = post_twice(member_client, reverse("accounts:account_close"), data)

    logged = ModelLogEntry.objects.filter(action=ACCOUNT_CLOSE, object_id=str(member.pk))
    record("double_submit", cases=1, failures=count_extra(logged.count()))
    assert logged.count() == 1
    assert first.status_code == 302 and first["Location"] == "/"
    # The first request signed the member out: the second one is sent to sign in.
    assert second.status_code == 302 and second["Location"].startswith("/accounts/login/")
    member.refresh_from_db()
    assert member.closed_at is not None


# --- at the same time (PostgreSQL) -----------------------------------------------------

RACERS = 12  # requests sent at once with the same form


def signed_in(user_pk: int) -> Client:
    client = Client()
    client.force_login(User.objects.get(pk=user_pk))
    return client


def same_post(user_pk: int, url: str, data: dict):
    def prepare():
        client = signed_in(user_pk)
        return lambda: client.post(url, data)

    return prepare


def race(user_pk: int, url: str, data: dict):
    responses = run_together([same_post(user_pk, url, data) for _ in range(RACERS)])
    assert all(response.status_code == 302 for response in responses), [
        response.status_code for response in responses
    ]
    return responses


def quiet_member(**kwargs) -> User:
    return UserFactory(email_notifications=EmailNotifications.NONE, **kwargs)


@pytest.fixture
def race_thread():
    return services.thread_create(
        author=quiet_member(),
        category=CategoryFactory(),
        title="The toaster burns one side",
        body="Only the left slot browns the bread.",
    )


class TestConcurrentDoubleSubmits:
    pytestmark = CONCURRENT_ON_POSTGRES

    def test_ask(self):
        author = quiet_member()
        data = ask_data(CategoryFactory(), "a" * 32)

        responses = race(author.pk, reverse("community:ask"), data)

        threads = Thread.objects.filter(author=author)
        record("double_submit", cases=RACERS - 1, failures=count_extra(threads.count()))
        assert threads.count() == 1
        assert {r["Location"] for r in responses} == {threads.get().get_absolute_url()}
        assert MeToo.objects.filter(thread=threads.get()).count() == 1

    def test_reply(self, race_thread):
        author = quiet_member()
        url = reverse("community:reply_create", args=[race_thread.pk])

        race(author.pk, url, {"body": "Turn the dial to 3.", "submission_key": "b" * 32})

        replies = Reply.objects.filter(thread=race_thread, author=author)
        record("double_submit", cases=RACERS - 1, failures=count_extra(replies.count()))
        assert replies.count() == 1
        assert assert_counters_true(race_thread).reply_count == 1

    def test_official_reply(self, race_thread):
        moderator = ModeratorFactory(email_notifications=EmailNotifications.NONE)
        url = reverse("community:reply_create", args=[race_thread.pk])

        race(moderator.pk, url, {"body": "We are on it.", "submission_key": "c" * 32})

        official = Reply.objects.filter(thread=race_thread, is_official=True)
        record("double_submit", cases=RACERS - 1, failures=count_extra(official.count()))
        assert official.count() == 1
        assert assert_counters_true(race_thread).first_official_reply_at is not None

    def test_helpful_vote(self, race_thread):
        reply = services.reply_create(
            author=quiet_member(), thread=race_thread, body="Clean the crumb tray."
        )
        voter = quiet_member()

        race(voter.pk, reverse("community:reply_helpful", args=[reply.pk]), {"value": "on"})

        votes = HelpfulVote.objects.filter(reply=reply)
        record("double_submit", cases=RACERS - 1, failures=count_extra(votes.count()))
        assert votes.count() == 1
        reply.refresh_from_db()
        assert reply.helpful_count == 1

    def test_report(self, race_thread):
        reply = services.reply_create(
            author=quiet_member(), thread=race_thread, body="Buy cheap toasters at example.com"
        )
        reporter = quiet_member()

        race(
            reporter.pk,
            reverse("moderation:report_reply", args=[reply.pk]),
            {"reason": "spam", "note": ""},
        )

        reports = Report.objects.filter(reply=reply)
        record("double_submit", cases=RACERS - 1, failures=count_extra(reports.count()))
        assert reports.count() == 1

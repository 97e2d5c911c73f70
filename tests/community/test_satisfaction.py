"""How satisfied members are with the help (CSAT): asked once when a thread is solved,
of the asker (and of "me too" members when the site says so), in the bell, by e-mail
and on the thread page; only the member asked answers, and only staff read the
answers."""

import pytest
from django.urls import reverse

from community import services
from community.models import CommunitySettings, Notification, SatisfactionRating
from tests.factories import ModeratorFactory, UserFactory
from tests.helpers import assert_asks_to_sign_in, client_for

pytestmark = pytest.mark.django_db

Kind = Notification.Kind


@pytest.fixture
def staff():
    return ModeratorFactory(display_name="Sam from the team")


@pytest.fixture
def solution(thread, staff):
    return services.reply_create(author=staff, thread=thread, body="Descale it with the kit.")


@pytest.fixture
def solved(thread, asker, solution):
    services.thread_accept_reply(user=asker, thread=thread, reply=solution)
    return thread


def kinds_for(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", flat=True)
    )


def satisfaction_url(thread) -> str:
    return reverse("community:satisfaction", kwargs={"pk": thread.pk})


def rate(client, thread, score, comment=""):
    return client.post(satisfaction_url(thread), {"score": score, "comment": comment})


def test_solving_asks_the_asker_once_instead_of_telling_them(thread, asker, staff, solution):
    me_too = UserFactory()
    services.thread_set_me_too(user=me_too, thread=thread, me_too=True)

    services.thread_accept_reply(user=staff, thread=thread, reply=solution)

    assert kinds_for(asker)[-1] == Kind.SATISFACTION
    assert Kind.SOLUTION not in kinds_for(asker)
    assert kinds_for(me_too) == [Kind.SOLUTION]  # told, not asked, by default
    assert list(SatisfactionRating.objects.values_list("member_id", flat=True)) == [asker.pk]
    # Undone and accepted again: nobody is asked twice.
    services.thread_accept_reply(user=staff, thread=thread, reply=None)
    services.thread_accept_reply(user=staff, thread=thread, reply=solution)
    assert kinds_for(asker).count(Kind.SATISFACTION) == 1
    assert SatisfactionRating.objects.count() == 1


def test_the_site_may_ask_me_too_members_too(thread, asker, staff, solution):
    rules = CommunitySettings.load()
    rules.satisfaction_ask_me_too = True
    rules.save()
    me_too = UserFactory()
    services.thread_set_me_too(user=me_too, thread=thread, me_too=True)

    services.thread_accept_reply(user=asker, thread=thread, reply=solution)

    assert set(SatisfactionRating.objects.values_list("member_id", flat=True)) == {
        asker.pk,
        me_too.pk,
    }
    assert kinds_for(me_too)[-1] == Kind.SATISFACTION


def test_whoever_wrote_the_solution_is_not_asked(thread, asker):
    services.reply_create(author=asker, thread=thread, body="Found it myself: a new seal.")
    own = thread.replies.get(author=asker)

    services.thread_accept_reply(user=asker, thread=thread, reply=own)

    assert not SatisfactionRating.objects.exists()


def test_the_email_goes_straight_to_the_question(
    thread, asker, staff, solution, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.thread_accept_reply(user=staff, thread=thread, reply=solution)

    (message,) = [m for m in mailoutbox if m.to == [asker.email]]
    assert "How satisfied are you with the help you got on" in message.subject
    assert satisfaction_url(thread) in message.body


def test_the_thread_page_asks_only_the_member_asked(solved, member_client, other_member):
    page = member_client.get(solved.get_absolute_url()).content.decode()
    assert 'data-testid="satisfaction"' in page

    other = client_for(other_member).get(solved.get_absolute_url()).content.decode()
    assert 'data-testid="satisfaction"' not in other


def test_the_asker_rates_the_help_once(solved, asker, member_client):
    response = rate(member_client, solved, 4, "Quick and clear, thanks.")

    assert response.status_code == 302
    assert response["Location"] == solved.get_absolute_url()
    rating = SatisfactionRating.objects.get()
    assert (rating.member, rating.score, rating.comment) == (asker, 4, "Quick and clear, thanks.")
    assert rating.answered_at is not None

    again = rate(member_client, solved, 1, "Changed my mind.")
    assert again.status_code == 200
    rating.refresh_from_db()
    assert (rating.score, rating.comment) == (4, "Quick and clear, thanks.")
    page = member_client.get(solved.get_absolute_url()).content.decode()
    assert 'data-testid="satisfaction"' not in page  # answered: not asked again


@pytest.mark.parametrize("score", ["", "0", "6", "five"])
def test_a_bad_score_is_a_form_error_that_keeps_the_comment(solved, member_client, score):
    response = rate(member_client, solved, score, "The kit was out of stock.")

    assert response.status_code == 200
    page = response.content.decode()
    assert "field__errors" in page
    assert "The kit was out of stock." in page
    assert SatisfactionRating.objects.get().score is None


def test_the_database_refuses_a_score_out_of_range(solved):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        SatisfactionRating.objects.update(score=9)


@pytest.mark.parametrize("who", ["other_member", "moderator"])
def test_only_the_member_asked_may_rate(request, solved, who):
    client = client_for(request.getfixturevalue(who))

    assert client.get(satisfaction_url(solved)).status_code == 403
    assert rate(client, solved, 5).status_code == 403
    assert SatisfactionRating.objects.get().score is None


def test_visitors_are_asked_to_sign_in(client, solved):
    assert_asks_to_sign_in(client.get(satisfaction_url(solved)), satisfaction_url(solved))


def test_a_suspended_asker_may_not_rate(solved, asker, member_client):
    from datetime import timedelta

    from django.utils import timezone

    type(asker).objects.filter(pk=asker.pk).update(
        suspended_until=timezone.now() + timedelta(days=3), suspension_reason="Spam."
    )
    assert rate(member_client, solved, 5).status_code == 403
    assert SatisfactionRating.objects.get().score is None


def test_moderators_read_the_answers_on_the_thread_members_never(
    solved, member_client, moderator, other_member
):
    rate(member_client, solved, 2, "It took three days.")

    staff_page = client_for(moderator).get(solved.get_absolute_url()).content.decode()
    assert 'data-testid="satisfaction-answers"' in staff_page
    assert "2 out of 5" in staff_page and "It took three days." in staff_page
    for client in (member_client, client_for(other_member)):
        page = client.get(solved.get_absolute_url()).content.decode()
        assert 'data-testid="satisfaction-answers"' not in page
        assert "It took three days." not in page


def test_the_answers_are_in_the_members_data_export(solved, asker, member_client):
    from community.privacy import member_data_sections

    rate(member_client, solved, 5, "Great.")

    (row,) = member_data_sections(asker)["satisfaction"]
    assert (row["thread"], row["score"], row["comment"]) == (solved.pk, 5, "Great.")


# --- threads that closed: asked by the scheduled follow_conversations ---------------


def _closed(thread, staff, days=30):
    from datetime import timedelta

    from django.utils import timezone

    from community.models import Thread

    services.reply_create(author=staff, thread=thread, body="Try a new filter.")
    Thread.objects.filter(pk=thread.pk).update(
        last_official_reply_at=timezone.now() - timedelta(days=days)
    )


def test_a_closed_thread_asks_its_asker_once(
    thread, asker, staff, mailoutbox, django_capture_on_commit_callbacks
):
    _closed(thread, staff)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.satisfaction_ask_closed() == 1
        assert services.satisfaction_ask_closed() == 0  # a repeated tick

    assert kinds_for(asker).count(Kind.SATISFACTION) == 1
    assert SatisfactionRating.objects.get().member == asker
    (message,) = mailoutbox
    assert satisfaction_url(thread) in message.body


def test_a_thread_still_inside_the_close_delay_is_not_asked(thread, asker, staff):
    _closed(thread, staff, days=13)  # 14 days by default

    assert services.satisfaction_ask_closed() == 0
    assert not SatisfactionRating.objects.exists()


def test_a_missed_tick_is_caught_up(thread, asker, staff):
    _closed(thread, staff, days=90)  # the scheduler did not run for months

    assert services.satisfaction_ask_closed() == 1


def test_a_customer_who_came_back_is_not_asked(thread, asker, staff):
    _closed(thread, staff)
    services.reply_create(author=asker, thread=thread, body="Still broken, sorry.")

    assert services.satisfaction_ask_closed() == 0


def test_the_asker_of_a_closed_thread_rates_it_on_the_page(thread, asker, staff, member_client):
    _closed(thread, staff)
    services.satisfaction_ask_closed()

    page = member_client.get(thread.get_absolute_url()).content.decode()
    assert 'data-testid="satisfaction"' in page
    assert rate(member_client, thread, 3).status_code == 302
    assert SatisfactionRating.objects.get().score == 3


# --- the moderators' list ------------------------------------------------------------

LIST_URL = "/moderation/satisfaction/"


def _answered(score, comment="", category=None):
    from tests.factories import ThreadFactory

    thread = ThreadFactory(**({"category": category} if category else {}))
    from django.utils import timezone

    return SatisfactionRating.objects.create(
        thread=thread,
        member=thread.author,
        score=score,
        comment=comment,
        answered_at=timezone.now(),
    )


def test_moderators_list_the_answers_with_filters(moderator_client):
    from tests.factories import CategoryFactory

    kettles = CategoryFactory(slug="kettles", name="Kettles")
    _answered(5, "Lovely.", kettles)
    _answered(1, "Too slow.")
    _answered(3, "Fine.", kettles)
    SatisfactionRating.objects.create(
        thread=_answered(4).thread, member=UserFactory()
    )  # asked, not answered: not listed

    def listed(query="") -> list[str]:
        response = moderator_client.get(f"{LIST_URL}?{query}")
        assert response.status_code == 200
        page = response.content.decode()
        return [c for c in ("Lovely.", "Too slow.", "Fine.") if c in page]

    assert listed() == ["Lovely.", "Too slow.", "Fine."]
    assert listed("score=dissatisfied") == ["Too slow."]
    assert listed("score=satisfied") == ["Lovely."]
    assert listed("category=kettles") == ["Lovely.", "Fine."]
    assert listed("category=kettles&score=neutral") == ["Fine."]
    assert listed("score=nonsense&category=nowhere") == ["Lovely.", "Too slow.", "Fine."]


def test_a_hidden_threads_answers_are_not_listed(moderator_client, moderator):
    from moderation import services as moderation_services

    rating = _answered(2, "Hidden one.")
    moderation_services.thread_hide(moderator=moderator, thread=rating.thread, reason="Spam.")

    assert "Hidden one." not in moderator_client.get(LIST_URL).content.decode()


@pytest.mark.parametrize("who", ["member", "editor"])
def test_members_and_editors_may_not_read_the_list(request, who):
    _answered(1, "Private words.")
    response = client_for(request.getfixturevalue(who)).get(LIST_URL)

    assert response.status_code == 403
    assert "Private words." not in response.content.decode()


def test_visitors_are_sent_to_sign_in_for_the_list(client):
    assert_asks_to_sign_in(client.get(LIST_URL), LIST_URL)


def test_the_list_runs_the_same_queries_for_1_and_50_answers(moderator_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert moderator_client.get(LIST_URL).status_code == 200
        return len(context.captured_queries)

    _answered(4, "One.")
    moderator_client.get(LIST_URL)  # warm the per-process caches
    with_one = queries()
    for _ in range(49):
        _answered(2, "Many.")
    moderator_client.get(LIST_URL)  # the writes moved the content version on
    assert queries() == with_one

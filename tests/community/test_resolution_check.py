"""'Did this solve your problem?': after the brand's official reply or recommendation
on an unsolved thread, the asker is asked in the bell, on the thread page and by
e-mail; "not yet" puts the thread back in the queue and tells the moderator, "yes"
leads to the solution. The e-mail's one-click links are signed, expire, act only
for the member they were sent to, and change nothing on a GET."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse

from community import services
from community.models import Notification, ResolutionCheck, Thread
from community.resolution_links import LINK_MAX_AGE, resolution_link_path
from tests.factories import ModeratorFactory, UserFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return ModeratorFactory(display_name="Sam from the team")


@pytest.fixture
def answered(thread, staff, django_capture_on_commit_callbacks):
    """The brand's official reply to `thread`, its e-mails sent."""
    with django_capture_on_commit_callbacks(execute=True):
        return services.reply_create(author=staff, thread=thread, body="Descale it with the kit.")


@pytest.fixture
def check(answered) -> ResolutionCheck:
    return ResolutionCheck.objects.get(reply=answered)


def kinds_for(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def in_queue(thread) -> bool:
    return Thread.objects.awaiting_brand().filter(pk=thread.pk).exists()


def answer(client, thread, check, value):
    return client.post(
        reverse("community:resolution_answer", kwargs={"pk": thread.pk}),
        {"check": check.pk, "answer": value},
    )


def test_an_official_reply_asks_the_asker_once_in_the_bell(thread, asker, check, staff):
    assert check.asker == asker
    assert check.asked_for == staff
    # Asked instead of a plain "official reply" notification: one bell item.
    assert kinds_for(asker) == [Notification.Kind.RESOLUTION_CHECK]


def test_me_too_members_hear_of_the_official_reply_without_being_asked(thread, staff):
    same_problem = UserFactory()
    services.thread_set_me_too(user=same_problem, thread=thread, me_too=True)

    services.reply_create(author=staff, thread=thread, body="Descale it.")

    assert kinds_for(same_problem) == [Notification.Kind.OFFICIAL_REPLY]


def test_a_recommended_answer_asks_too(thread, asker, staff):
    peer = services.reply_create(author=UserFactory(), thread=thread, body="A new seal.")

    services.reply_set_recommended(moderator=staff, reply=peer, recommended=True)

    assert ResolutionCheck.objects.filter(reply=peer, asker=asker).exists()


def test_a_solved_thread_is_not_asked(thread, asker, staff):
    peer = services.reply_create(author=UserFactory(), thread=thread, body="A new seal.")
    services.thread_accept_reply(user=asker, thread=thread, reply=peer)

    services.reply_create(author=staff, thread=thread, body="Glad it works.")

    assert not ResolutionCheck.objects.exists()


def test_the_thread_page_asks_only_the_asker(thread, check, member_client, other_member):
    url = thread.get_absolute_url()
    assert 'data-testid="resolution-check"' in member_client.get(url).content.decode()
    assert 'data-testid="resolution-check"' not in (
        client_for(other_member).get(url).content.decode()
    )


def test_not_yet_puts_the_thread_back_and_tells_the_moderator(thread, check, member_client, staff):
    assert not in_queue(thread)

    response = answer(member_client, thread, check, "not_yet")

    assert response.status_code == 302
    assert response["Location"].endswith("#reply-form")
    check.refresh_from_db()
    assert check.answer == ResolutionCheck.Answer.NOT_YET
    thread.refresh_from_db()
    assert in_queue(thread)
    assert thread.follow_up_since == check.answered_at
    assert kinds_for(staff) == [Notification.Kind.NOT_YET]
    # The question is answered: the page no longer asks it.
    assert 'data-testid="resolution-check"' not in (
        member_client.get(thread.get_absolute_url()).content.decode()
    )


def test_yes_on_an_official_reply_asks_which_reply_solved_it(
    thread, check, answered, member_client
):
    answer(member_client, thread, check, "solved")

    page = member_client.get(thread.get_absolute_url()).content.decode()
    assert "Which reply solved it?" in page
    accept = reverse("community:thread_accept", kwargs={"pk": thread.pk})
    member_client.post(accept, {"reply": answered.pk})
    thread.refresh_from_db()
    assert thread.solution_id == answered.pk
    assert "Which reply solved it?" not in (
        member_client.get(thread.get_absolute_url()).content.decode()
    )


def test_yes_on_a_recommended_answer_marks_it_as_the_solution(thread, asker, staff, member_client):
    peer = services.reply_create(author=UserFactory(), thread=thread, body="A new seal.")
    services.reply_set_recommended(moderator=staff, reply=peer, recommended=True)
    check = ResolutionCheck.objects.get(reply=peer)

    answer(member_client, thread, check, "solved")

    thread.refresh_from_db()
    assert thread.solution_id == peer.pk
    assert thread.solution_marked_by == asker


def test_an_answer_is_kept_once(thread, check, member_client):
    answer(member_client, thread, check, "not_yet")
    answer(member_client, thread, check, "solved")

    check.refresh_from_db()
    assert check.answer == ResolutionCheck.Answer.NOT_YET


@pytest.mark.parametrize("who", ["other_member", "moderator"])
def test_only_the_asker_may_answer(request, thread, check, who):
    client = client_for(request.getfixturevalue(who))

    assert answer(client, thread, check, "not_yet").status_code == 403
    check.refresh_from_db()
    assert check.answer == ""


def test_visitors_are_asked_to_sign_in(client, thread, check):
    response = answer(client, thread, check, "not_yet")
    assert response.status_code == 302
    check.refresh_from_db()
    assert check.answer == ""


def test_a_bad_answer_is_refused_with_a_message(thread, check, member_client):
    response = answer(member_client, thread, check, "maybe")
    assert response.status_code == 302
    check.refresh_from_db()
    assert check.answer == ""


def test_a_question_of_another_thread_is_not_found(thread, check, member_client, asker):
    other = services.thread_create(
        author=asker, category=thread.category, title="Another question here", body="Body."
    )
    assert answer(member_client, other, check, "not_yet").status_code == 404


# The e-mail and its one-click links ---------------------------------------------------


def links_in(message) -> dict[str, str]:
    html = message.alternatives[0][0]
    found = re.findall(r'href="([^"]*/community/resolution/[^"]*)"', html)
    return dict(zip(["solved", "not_yet"], [unescape(url) for url in found], strict=True))


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_the_email_carries_both_answers(thread, check, mailoutbox, asker):
    (message,) = [m for m in mailoutbox if asker.email in m.to]

    links = links_in(message)

    assert "did this solve your problem?" in message.subject
    assert set(links) == {"solved", "not_yet"}
    assert "/community/resolution/" in message.body


def test_a_link_changes_nothing_on_get(client, thread, check, mailoutbox):
    url = path_of(links_in(mailoutbox[-1])["not_yet"])

    response = client.get(url)

    assert response.status_code == 200
    assert "Not yet: tell the team" in response.content.decode()
    check.refresh_from_db()
    assert check.answer == ""
    assert not in_queue(thread)


def test_a_link_answers_with_one_click_without_signing_in(client, thread, check, mailoutbox):
    url = path_of(links_in(mailoutbox[-1])["not_yet"])
    client.get(url)  # the confirmation page sets the CSRF cookie its form sends back

    response = client.post(url, {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})

    assert response.status_code == 200
    assert "the team will look again" in response.content.decode()
    check.refresh_from_db()
    assert check.answer == ResolutionCheck.Answer.NOT_YET
    assert in_queue(thread)


def test_a_link_followed_again_changes_nothing(client, thread, check):
    yes = resolution_link_path(check, "solved")
    not_yet = resolution_link_path(check, "not_yet")
    client.get(not_yet)
    token = client.cookies["csrftoken"].value
    client.post(not_yet, {"csrfmiddlewaretoken": token})

    response = client.post(yes, {"csrfmiddlewaretoken": token})

    assert "You had already answered" in response.content.decode()
    check.refresh_from_db()
    assert check.answer == ResolutionCheck.Answer.NOT_YET


def test_a_link_expires(client, check, clock):
    url = resolution_link_path(check, "not_yet")
    clock(LINK_MAX_AGE.total_seconds() + 60)

    response = client.get(url)

    assert response.status_code == 410
    check.refresh_from_db()
    assert check.answer == ""


def test_a_link_cannot_be_changed_to_act_on_another_question(client, thread, check, staff):
    other_asker = UserFactory()
    other_thread = services.thread_create(
        author=other_asker, category=thread.category, title="Another leaking machine", body="B."
    )
    services.reply_create(author=staff, thread=other_thread, body="Descale it.")
    other_check = ResolutionCheck.objects.get(thread=other_thread)
    url = resolution_link_path(check, "not_yet")
    token = url.rstrip("/").rsplit("/", 1)[1]
    value, signature = token.split(":", 1)
    forged = f"{other_check.pk}{value[len(str(check.pk)) :]}:{signature}"

    response = client.get(reverse("community:resolution_link", kwargs={"token": forged}))

    assert response.status_code == 404


def test_a_link_for_a_member_who_is_no_longer_the_asker_is_refused(client, check):
    check.asker.is_active = False
    check.asker.save(update_fields=["is_active"])

    assert client.get(resolution_link_path(check, "not_yet")).status_code == 404


def test_a_nonsense_link_is_not_found(client):
    url = reverse("community:resolution_link", kwargs={"token": "nonsense"})
    assert client.get(url).status_code == 404


def test_the_french_asker_is_asked_in_french(
    thread, asker, staff, mailoutbox, django_capture_on_commit_callbacks
):
    asker.language = "fr"
    asker.save(update_fields=["language"])

    with django_capture_on_commit_callbacks(execute=True):
        services.reply_create(author=staff, thread=thread, body="Détartrez-la.")

    (message,) = [m for m in mailoutbox if asker.email in m.to]
    assert "Oui, c\u2019est résolu" in message.alternatives[0][0]


def test_the_due_time_of_a_follow_up_is_the_follow_up_target(thread, check, member_client):
    answer(member_client, thread, check, "not_yet")

    thread.refresh_from_db()
    assert thread.follow_up_due_at - thread.follow_up_since == timedelta(hours=24)

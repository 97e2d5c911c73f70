"""The community's lists and profiles through their URLs: filters, sorting and the
counts a profile shows."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from community import services
from community.models import Reply, Thread, Visibility
from tests.community.helpers import listed_titles, page
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


# Lists: filters and sorting ---------------------------------------------------------------------


@pytest.fixture
def listed(category, moderator):
    """Four threads whose order differs by each sort.

    created (oldest first): unanswered, peer, official, solved
    last activity (latest first): peer, unanswered, solved, official
    me too: official 3, unanswered 2, peer 1, solved 1
    """

    def ask(title):
        return services.thread_create(
            author=UserFactory(), category=category, title=title, body="Body."
        )

    unanswered = ask("Unanswered: the lid does not close")
    peer = ask("Peer answered: the pump is noisy")
    official = ask("Official answered: the app will not pair")
    solved = ask("Solved: the display stays dark")
    services.reply_create(author=UserFactory(), thread=peer, body="Bleed the pump.")
    services.reply_create(author=moderator, thread=official, body="Update the app.")
    fix = services.reply_create(author=UserFactory(), thread=solved, body="Hold the button.")
    services.thread_accept_reply(user=solved.author, thread=solved, reply=fix)
    for person in (UserFactory(), UserFactory()):
        services.thread_set_me_too(user=person, thread=official, me_too=True)
    services.thread_set_me_too(user=UserFactory(), thread=unanswered, me_too=True)
    hidden = ask("Hidden: a rude question here")
    Thread.objects.filter(pk=hidden.pk).update(visibility=Visibility.HIDDEN)

    now = timezone.now()
    minutes = timezone.timedelta(minutes=1)
    created = {unanswered: 40, peer: 30, official: 20, solved: 10}
    active = {peer: 1, unanswered: 2, solved: 3, official: 4}
    for item in created:
        Thread.objects.filter(pk=item.pk).update(
            created_at=now - created[item] * minutes,
            last_activity_at=now - active[item] * minutes,
        )
    return {"unanswered": unanswered, "peer": peer, "official": official, "solved": solved}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["peer", "unanswered", "solved", "official"]),
        ("?sort=activity", ["peer", "unanswered", "solved", "official"]),
        ("?sort=newest", ["solved", "official", "peer", "unanswered"]),
        ("?sort=votes", ["official", "unanswered", "peer", "solved"]),
        ("?status=unanswered", ["unanswered"]),
        ("?status=unanswered&sort=votes", ["unanswered"]),
        ("?status=awaiting-official", ["peer", "unanswered", "solved"]),
        ("?status=awaiting-official&sort=newest", ["solved", "peer", "unanswered"]),
        ("?status=awaiting-official&sort=votes", ["unanswered", "peer", "solved"]),
        ("?status=solved", ["solved"]),
        ("?status=solved&sort=newest", ["solved"]),
        ("?status=nonsense&sort=nonsense", ["peer", "unanswered", "solved", "official"]),
    ],
)
def test_list_filters_and_sorts(client, listed, query, expected):
    content = page(client, f"/community/{query}")

    assert listed_titles(content) == [listed[name].title for name in expected]


def test_category_list_filters_too(client, listed, category):
    content = page(client, f"/community/c/{category.slug}/?status=solved")

    assert listed_titles(content) == [listed["solved"].title]


# Profiles --------------------------------------------------------------------------------------


def test_profile_shows_the_members_counts(category, moderator, other_member):
    ana = UserFactory(username="ana", display_name="Ana Barista")
    for title in ("First question of Ana here", "Second question of Ana here"):
        services.thread_create(author=ana, category=category, title=title, body="Hi")
    hidden_question = services.thread_create(
        author=ana, category=category, title="Hidden question of Ana", body="Hi"
    )
    Thread.objects.filter(pk=hidden_question.pk).update(visibility=Visibility.HIDDEN)
    others = [
        services.thread_create(
            author=other_member, category=category, title=f"Somebody else asks {n}", body="Hi"
        )
        for n in range(4)
    ]
    replies = [services.reply_create(author=ana, thread=item, body="Try this") for item in others]
    services.thread_accept_reply(user=other_member, thread=others[0], reply=replies[0])
    services.reply_set_recommended(moderator=moderator, reply=replies[1], recommended=True)
    Reply.objects.filter(pk=replies[3].pk).update(visibility=Visibility.HIDDEN)

    content = page(Client(), "/u/ana/")

    counts = {
        label: int(number)
        for number, label in re.findall(r"<strong>(\d+)</strong> (\w+)</li>", content)
    }
    assert counts == {"questions": 2, "replies": 3, "solutions": 1, "recommended": 1}
    assert "Ana Barista" in content
    assert "Hidden question of Ana" not in content

"""The queue and the metrics filtered by the language threads are written in."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community import services
from moderation.metrics import support_metrics
from tests.factories import CategoryFactory, ModeratorFactory, ReplyFactory, UserFactory
from tests.helpers import MODERATORS_ONLY, caches_cold, client_for, queue_titles_shown
from tests.moderation.test_metrics import HOUR, ask, recommend

pytestmark = pytest.mark.django_db


def ask_in(language: str, title: str, category=None):
    return services.thread_create(
        author=UserFactory(),
        category=category or CategoryFactory(),
        title=title,
        body="It leaks.",
        language=language,
    )


def queue_titles(client, query="") -> list[str]:
    return queue_titles_shown(client.get(f"/moderation/{query}"))


# The queue ---------------------------------------------------------------------------


def test_the_queue_filters_by_language_and_shows_each_threads(moderator_client):
    ask_in("en", "The kettle leaks")
    ask_in("fr", "La bouilloire fuit")

    assert queue_titles(moderator_client, "?language=fr") == ["La bouilloire fuit"]
    assert queue_titles(moderator_client, "?language=en") == ["The kettle leaks"]
    assert sorted(queue_titles(moderator_client)) == ["La bouilloire fuit", "The kettle leaks"]
    content = moderator_client.get("/moderation/?language=fr").content.decode()
    assert 'lang="fr">La bouilloire fuit</a>' in content
    assert '<span data-testid="queue-language">French</span>' in content
    assert '<option value="fr" selected>French</option>' in content
    assert "1 thread waits for the brand" in content


@pytest.mark.parametrize("value", ["xx", "ALL", "", "f" * 500])
def test_an_unknown_language_shows_the_whole_queue(moderator_client, value):
    ask_in("en", "The kettle leaks")
    ask_in("fr", "La bouilloire fuit")

    assert len(queue_titles(moderator_client, f"?language={value}")) == 2


def test_pagination_keeps_the_queues_language(moderator_client):
    for number in range(51):
        ask_in("fr", f"Question numéro {number}")

    content = moderator_client.get("/moderation/?language=fr").content.decode()

    assert "language=fr&amp;page=2" in content


@pytest.mark.parametrize(("role", "expected"), MODERATORS_ONLY)
def test_only_moderators_read_the_queue_in_one_language(request, role, expected):
    user = request.getfixturevalue(role)

    assert client_for(user).get("/moderation/?language=fr").status_code == expected


def test_the_queue_in_one_language_costs_the_same_queries_for_1_and_50(moderator_client):
    def count():
        caches_cold()
        with CaptureQueriesContext(connection) as context:
            assert moderator_client.get("/moderation/?language=fr").status_code == 200
        return len(context.captured_queries)

    ask_in("fr", "Première question")
    count()
    with_one = count()
    for number in range(49):
        thread = ask_in("fr" if number % 2 else "en", f"Question {number}")
        if number % 3 == 0:
            reply = services.reply_create(author=UserFactory(), thread=thread, body="Peer help")
            services.reply_set_recommended(
                moderator=ModeratorFactory(), reply=reply, recommended=True
            )

    assert count() == with_one


# The metrics -------------------------------------------------------------------------


@pytest.fixture
def bilingual_period():
    """Three French threads (one answered officially) and two English ones (both
    answered), all within the last 30 days; a member's recommended French answer."""
    now = timezone.now()
    category = CategoryFactory(slug="kettles")
    moderator = ModeratorFactory()
    french = [
        ask(now=now, category=category, published=2 * HOUR * (n + 1), language="fr")
        for n in range(3)
    ]
    ask(now=now, category=category, published=HOUR * 30, answered_after=HOUR, language="fr")
    for n in range(2):
        ask(now=now, category=category, published=HOUR * (n + 5), answered_after=HOUR)
    helper = UserFactory(username="francoise")
    recommend(ReplyFactory(thread=french[0], author=helper), moderator)
    return now


def test_every_figure_counts_only_the_language_asked_for(bilingual_period):
    french = support_metrics(now=bilingual_period, language="fr")
    english = support_metrics(now=bilingual_period, language="en")
    both = support_metrics(now=bilingual_period)

    assert (french.counts.asked, french.counts.answered) == (4, 1)
    assert (english.counts.asked, english.counts.answered) == (2, 2)
    assert both.counts.asked == french.counts.asked + english.counts.asked
    assert french.backlog.awaiting == 3
    assert english.backlog.awaiting == 0
    assert [helper.username for helper in french.helpers] == ["francoise"]
    assert english.helpers == []
    assert sum(day.asked for day in french.days) == 4


def test_the_metrics_page_and_csv_filter_by_language(moderator_client, bilingual_period):
    page = moderator_client.get("/moderation/metrics/?language=fr")
    html = page.content.decode()

    assert page.context["report"].counts.asked == 4
    assert '<option value="fr" selected>French</option>' in html
    assert 'href="/moderation/metrics.csv?language=fr" download' in html
    assert 'href="/moderation/?language=fr' in html  # the backlog cards link the same queue

    response = moderator_client.get("/moderation/metrics.csv?category=kettles&language=fr")
    today = timezone.localdate()
    assert response["Content-Disposition"] == (
        f'attachment; filename="support-metrics-30d-kettles-fr-{today.isoformat()}.csv"'
    )
    rows = {row[0]: row[1] for row in csv.reader(io.StringIO(response.content.decode()))}
    assert rows["language"] == "fr"
    assert rows["threads_asked"] == "4"
    assert rows["awaiting_official_reply_now"] == "3"


def test_an_unknown_metrics_language_counts_every_language(moderator_client, bilingual_period):
    response = moderator_client.get("/moderation/metrics.csv?language=klingon")

    rows = {row[0]: row[1] for row in csv.reader(io.StringIO(response.content.decode()))}
    assert response.status_code == 200
    assert rows["language"] == "all"
    assert rows["threads_asked"] == "6"


@pytest.mark.parametrize("url", ["/moderation/metrics/", "/moderation/metrics.csv"])
def test_metrics_in_one_language_cost_the_same_queries_for_1_and_50(moderator_client, url):
    now = timezone.now()
    category = CategoryFactory()

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert moderator_client.get(f"{url}?language=fr").status_code == 200
        return len(context.captured_queries)

    def add(count: int):
        for number in range(count):
            thread = ask(
                now=now,
                category=category,
                published=(number % 25 + 1) * HOUR,
                answered_after=HOUR,
                language="fr" if number % 2 == 0 else "en",
            )
            recommend(ReplyFactory(thread=thread, author=UserFactory()), ModeratorFactory())

    add(1)
    with_one = queries()
    add(49)
    assert queries() == with_one

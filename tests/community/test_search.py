import pytest

from community import services
from community.models import Visibility
from tests.factories import CategoryFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db


def ask(title, body="Details of the problem.", **kwargs):
    return services.thread_create(
        author=UserFactory(),
        category=CategoryFactory(slug="coffee"),
        title=title,
        body=body,
        **kwargs,
    )


def test_search_finds_threads_by_title_and_body(client):
    by_title = ask("Grinder jams with oily beans")
    by_body = ask("Strange noise at start-up", body="The grinder rattles with every bean.")
    ask("Kettle lid does not close")

    content = client.get("/community/search/?q=grinder").content.decode()

    assert by_title.title in content
    assert by_body.title in content
    assert "Kettle lid does not close" not in content


def test_search_never_shows_hidden_or_pending_threads(client):
    hidden = ask("Grinder secret hidden thread")
    pending = ask("Grinder secret pending thread")
    hidden.visibility, pending.visibility = Visibility.HIDDEN, Visibility.PENDING
    hidden.save()
    pending.save()

    content = client.get("/community/search/?q=secret").content.decode()

    assert "hidden thread" not in content
    assert "pending thread" not in content
    assert "Nobody has asked" in content


def test_empty_search_shows_a_prompt_and_odd_input_is_harmless(client):
    assert "Type a few words" in client.get("/community/search/").content.decode()
    for query in ["   ", '"unbalanced', "a" * 5000, "<script>", "*?!", "AND OR NOT"]:
        response = client.get("/community/search/", {"q": query})
        assert response.status_code == 200
        assert "<script>" not in response.content.decode().split("<main")[1]


def test_search_runs_the_same_queries_for_1_and_50_results(client, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ask("Descaling question number zero")

    def count():
        with CaptureQueriesContext(connection) as context:
            client.get("/community/search/?q=descaling")
        return len(context.captured_queries)

    count()
    with_one = count()
    for number in range(49):
        thread = ThreadFactory(title=f"Descaling question number {number + 1}")
        thread.tags.add("descaling")
    with_fifty = count()

    assert with_one == with_fifty

"""What moderators' pages keep between requests: the approvals list, rendered once
per content version for every moderator (moderation.approvals_section), and the
header's counts of posts awaiting approval and open reports.

The promises of every cache: nobody is handed another person's token or state, and
whoever writes (a member posting, a moderator deciding) sees it on the next page.
Writes go through real requests here, never through the test fixture that moves the
content version on for every saved row.
"""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from community import services as community_services
from community.models import Thread, Visibility
from moderation.selectors import APPROVALS_PER_PAGE
from tests.factories import CategoryFactory, ModeratorFactory, ThreadFactory, UserFactory
from tests.helpers import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.premoderation]

APPROVALS = "/moderation/approvals/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
NEXT = re.compile(r'name="next" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _writes_move_content_version():
    """Off here: only the site's own paths move the version on in these tests."""
    yield


def _page(client, url=APPROVALS) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _pending_count_shown(content: str) -> int:
    found = re.search(r'data-testid="approvals-pending">(\d+)<', content)
    return int(found.group(1)) if found else 0


def _reports_count_shown(content: str) -> int:
    found = re.search(r"Reports <span class=\"badge badge--overdue\">(\d+)</span>", content)
    return int(found.group(1)) if found else 0


def _approvals_queries(client, url=APPROVALS) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        _page(client, url)
    return [q["sql"] for q in queries if "visibility" in q["sql"] and "pending" in q["sql"]]


@pytest.fixture
def newcomer():
    return UserFactory()


@pytest.fixture
def category():
    return CategoryFactory()


def _ask_as(client, category, title):
    response = client.post(
        "/community/ask/",
        {"title": title, "body": "It stays cold, what can I do?", "category": category.pk},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return Thread.objects.get(title=title)


def test_a_members_new_post_shows_at_once_in_the_list_and_the_header(newcomer, category):
    moderator = client_for(ModeratorFactory())
    before = _page(moderator)
    assert _pending_count_shown(before) == 0

    thread = _ask_as(client_for(newcomer), category, "The frother does not heat the milk")
    assert thread.visibility == Visibility.PENDING

    after = _page(moderator)
    assert "The frother does not heat the milk" in after
    assert _pending_count_shown(after) == 1


def test_the_list_is_read_once_and_served_again_until_the_next_write(newcomer, category):
    _ask_as(client_for(newcomer), category, "The frother does not heat the milk")
    first, second = client_for(ModeratorFactory()), client_for(ModeratorFactory())

    assert _approvals_queries(first)
    # Another moderator, in the same content version: the list and the count are kept.
    assert _approvals_queries(second) == []


def test_each_moderator_gets_their_own_token_in_the_forms(newcomer, category):
    _ask_as(client_for(newcomer), category, "The frother does not heat the milk")
    first = Client(enforce_csrf_checks=True)
    first.force_login(ModeratorFactory())
    second = Client(enforce_csrf_checks=True)
    second.force_login(ModeratorFactory())

    first_tokens = set(TOKEN.findall(_page(first)))
    second_tokens = set(TOKEN.findall(_page(second)))

    from community.cache import csrf_placeholder

    assert first_tokens and second_tokens
    assert csrf_placeholder() not in first_tokens | second_tokens
    assert first_tokens.isdisjoint(second_tokens)
    # And the token in the kept list is one the site accepts from that moderator.
    thread = Thread.objects.get()
    response = second.post(
        f"/moderation/t/{thread.pk}/approve/",
        {"csrfmiddlewaretoken": second_tokens.pop(), "next": APPROVALS},
    )
    assert response.status_code == 302


def test_approving_takes_the_post_off_the_list_and_the_count_on_the_next_page(newcomer, category):
    member = client_for(newcomer)
    kept = _ask_as(member, category, "The frother does not heat the milk")
    approved = _ask_as(member, category, "The grinder is loud")
    moderator = client_for(ModeratorFactory())
    shown = _page(moderator)
    assert _pending_count_shown(shown) == 2

    response = moderator.post(f"/moderation/t/{approved.pk}/approve/", {"next": APPROVALS})
    assert response.status_code == 302

    after = _page(moderator)
    assert "The grinder is loud" not in after
    assert kept.title in after
    assert _pending_count_shown(after) == 1


def test_a_report_shows_in_the_moderators_header_on_the_next_page():
    moderator = client_for(ModeratorFactory())
    thread = ThreadFactory()
    assert _reports_count_shown(_page(moderator)) == 0

    reporter = client_for(UserFactory())
    response = reporter.post(f"/moderation/report/t/{thread.pk}/", {"reason": "spam"})
    assert response.status_code == 302

    assert _reports_count_shown(_page(moderator)) == 1


def test_the_forms_of_a_later_page_come_back_to_that_page(newcomer):
    author = UserFactory()
    thread = community_services.thread_create(
        author=ModeratorFactory(), category=CategoryFactory(), title="Descaling", body="Yours?"
    )
    for number in range(APPROVALS_PER_PAGE + 1):
        community_services.reply_create(author=author, thread=thread, body=f"Reply {number}")
    moderator = client_for(ModeratorFactory())

    first_page = set(NEXT.findall(_page(moderator)))
    second_page = set(NEXT.findall(_page(moderator, APPROVALS + "?page=2")))

    assert first_page == {APPROVALS}
    assert second_page == {APPROVALS + "?page=2"}
    # The same list under another address comes back to that address.
    assert set(NEXT.findall(_page(moderator, APPROVALS + "?page=1"))) == {APPROVALS + "?page=1"}


def test_a_page_past_the_end_shows_the_last_and_is_not_kept_under_its_number(newcomer, category):
    _ask_as(client_for(newcomer), category, "The frother does not heat the milk")
    moderator = client_for(ModeratorFactory())

    assert "The frother does not heat the milk" in _page(moderator, APPROVALS + "?page=9")
    assert "The frother does not heat the milk" in _page(moderator, APPROVALS + "?page=x")
    assert _approvals_queries(moderator, APPROVALS + "?page=9")


def test_the_list_is_kept_per_language(newcomer, category):
    _ask_as(client_for(newcomer), category, "The frother does not heat the milk")
    english = client_for(ModeratorFactory())
    french = client_for(ModeratorFactory(language="fr"))

    assert "Approve" in _page(english)
    in_french = _page(french)
    assert "Approuver" in in_french
    assert ">Approve<" not in in_french


# The thread page's staff tools ----------------------------------------------------------


def test_a_member_made_moderator_is_offered_for_assignment_on_the_next_page():
    from django.contrib.auth.models import Group

    from accounts.roles import MODERATORS_GROUP

    thread = ThreadFactory()
    moderator = client_for(ModeratorFactory())
    newcomer = UserFactory(display_name="Noémie from support")
    assert "Noémie from support</option>" not in _page(moderator, thread.get_absolute_url())

    newcomer.groups.add(Group.objects.get(name=MODERATORS_GROUP))

    assert "Noémie from support</option>" in _page(moderator, thread.get_absolute_url())


def test_a_canned_response_an_editor_adds_is_offered_on_the_next_page():
    from tests.factories import EditorFactory

    thread = ThreadFactory()
    moderator = client_for(ModeratorFactory())
    assert "Descaling, step by step" not in _page(moderator, thread.get_absolute_url())

    editor = client_for(EditorFactory())
    response = editor.post(
        "/admin/snippets/moderation/cannedresponse/add/",
        {"title": "Descaling, step by step", "category": "", "body": "Hi {asker}, first..."},
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    assert "Descaling, step by step" in _page(moderator, thread.get_absolute_url())

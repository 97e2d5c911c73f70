"""What signed-in pages keep between requests for their frame: every member's roles,
their unread count, the site settings, the logo and the footer (community.frame,
accounts.roles, selectors.unread_notification_count).

The two promises of every cache: nobody is shown another person's state, and
whoever changes something sees it on their next page. Writes here go through the
services, models and real requests, never through the test fixture that moves the
content version on for every saved row.
"""

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import MODERATORS_GROUP, is_moderator
from community import services
from community.cache import (
    CONTENT_VERSION_KEY,
    ContentVersionMiddleware,
    content_changed,
    content_version,
)
from community.models import CommunitySettings, Footer
from tests.community.helpers import page, unread_badge
from tests.factories import ModeratorFactory, ThreadFactory, UserFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

QUEUE_LINK = 'href="/moderation/"'


@pytest.fixture(autouse=True)
def _writes_move_content_version():
    """Off here: only the site's own paths move the version on in these tests."""
    yield


def test_a_member_made_moderator_sees_the_staff_tools_on_their_next_page(member):
    client = client_for(member)
    assert QUEUE_LINK not in page(client, "/community/")

    member.groups.add(Group.objects.get(name=MODERATORS_GROUP))

    assert QUEUE_LINK in page(client, "/community/")


def test_a_moderator_removed_from_the_group_loses_the_tools_on_their_next_page():
    moderator = ModeratorFactory()
    client = client_for(moderator)
    assert QUEUE_LINK in page(client, "/community/")

    moderator.groups.clear()

    assert QUEUE_LINK not in page(client, "/community/")


def test_taking_the_permission_from_the_group_takes_the_role_from_its_members():
    moderator = ModeratorFactory()
    client = client_for(moderator)
    assert QUEUE_LINK in page(client, "/community/")

    Group.objects.get(name=MODERATORS_GROUP).permissions.remove(
        Permission.objects.get(codename="moderate_community")
    )

    assert QUEUE_LINK not in page(client, "/community/")


def test_one_members_role_is_never_another_members(member):
    moderator = ModeratorFactory()
    assert QUEUE_LINK in page(client_for(moderator), "/community/")

    assert QUEUE_LINK not in page(client_for(member), "/community/")
    assert is_moderator(moderator) and not is_moderator(member)


def test_a_deactivated_moderator_holds_no_role_even_while_an_entry_is_kept():
    moderator = ModeratorFactory()
    assert is_moderator(moderator)

    moderator.is_active = False
    moderator.save(update_fields=["is_active"])

    assert not is_moderator(type(moderator).objects.get(pk=moderator.pk))


def test_the_roles_cost_no_query_once_kept(member):
    client = client_for(member)
    page(client, "/community/")

    with CaptureQueriesContext(connection) as context:
        page(client, "/community/")

    assert not [sql for sql in context.captured_queries if "auth_permission" in sql["sql"]]


# The unread count --------------------------------------------------------------------


def test_a_new_notification_shows_in_the_bell_on_the_next_page(thread):
    client = client_for(thread.author)
    assert unread_badge(page(client, "/community/")) is None

    services.reply_create(author=UserFactory(), thread=thread, body="Descale it first.")

    assert unread_badge(page(client, "/community/")) == "1"


def test_reading_the_thread_empties_the_bell_on_that_very_page(thread):
    services.reply_create(author=UserFactory(), thread=thread, body="Descale it first.")
    client = client_for(thread.author)
    assert unread_badge(page(client, "/community/")) == "1"

    assert unread_badge(page(client, thread.get_absolute_url())) is None
    assert unread_badge(page(client, "/community/")) is None


def test_one_members_count_is_never_shown_to_another(thread):
    services.reply_create(author=UserFactory(), thread=thread, body="Descale it first.")
    assert unread_badge(page(client_for(thread.author), "/community/")) == "1"

    assert unread_badge(page(client_for(UserFactory()), "/community/")) is None


def test_a_hidden_reply_leaves_the_count_once_the_moderator_hid_it(thread):
    reply = services.reply_create(author=UserFactory(), thread=thread, body="Buy my pills.")
    client = client_for(thread.author)
    assert unread_badge(page(client, "/community/")) == "1"

    response = client_for(ModeratorFactory()).post(
        reverse("moderation:reply_hide", args=[reply.pk]), {"reason": "Advertising"}
    )
    assert response.status_code == 302

    assert unread_badge(page(client, "/community/")) is None


# The site settings, the logo and the footer ----------------------------------------------


def test_a_new_community_name_shows_on_the_next_page_without_a_request(
    member, django_capture_on_commit_callbacks
):
    client = client_for(member)
    assert "Maison Brio Lab" not in page(client, "/community/")

    with django_capture_on_commit_callbacks(execute=True):
        rules = CommunitySettings.load()
        rules.community_name = "Maison Brio Lab"
        rules.save()  # a script's save: the version moves on once it is committed

    assert "Maison Brio Lab" in page(client, "/community/")


def test_a_new_footer_link_shows_on_the_next_page(member, django_capture_on_commit_callbacks):
    client = client_for(member)
    assert "Spare parts shop" not in page(client, "/community/")
    footer = Footer.objects.filter(locale__language_code="en").first() or Footer()
    footer.footer_links = [("link", {"label": "Spare parts shop", "url": "https://example.com"})]
    with django_capture_on_commit_callbacks(execute=True):
        footer.save()

    assert "Spare parts shop" in page(client, "/community/")


def test_the_settings_each_request_gets_are_its_own_copy(rf, member):
    first, second = rf.get("/"), rf.get("/")
    loaded = CommunitySettings.load(first)
    loaded.community_name = "Changed in one request only"

    assert CommunitySettings.load(second).community_name != "Changed in one request only"
    assert CommunitySettings.load(first) is loaded  # kept on its request, as Wagtail does


def test_a_page_reads_the_content_version_once(member, monkeypatch):
    client = client_for(member)
    ThreadFactory()
    page(client, "/community/")
    reads = []
    real_get = cache.get

    def counting_get(key, *args, **kwargs):
        if key == CONTENT_VERSION_KEY:
            reads.append(key)
        return real_get(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get", counting_get)
    content_changed()
    page(client, "/community/")

    assert len(reads) == 1


def test_a_write_inside_a_request_keys_what_follows_by_the_new_version(rf):
    seen = []

    def view(request):
        seen.append(content_version())
        content_changed()
        seen.append(content_version())
        return HttpResponse()

    request = rf.get("/")
    request.user = AnonymousUser()
    ContentVersionMiddleware(view)(request)

    assert seen[0] != seen[1]
    assert seen[1] == content_version()

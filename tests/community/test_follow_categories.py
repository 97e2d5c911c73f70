"""Following a category or a tag from its list page: what the digest reports on."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from taggit.models import Tag

from community import services
from community.models import CategoryFollow, TagFollow
from tests.community.helpers import HTMX
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def tag(db):
    return Tag.objects.create(name="Espresso", slug="espresso")


def test_a_member_follows_and_unfollows_a_category_twice_over(member_client, member, category):
    url = f"/community/c/{category.slug}/follow/"

    assert member_client.post(url).url == "/community/c/coffee/"
    member_client.post(url)  # a double submit changes nothing
    assert CategoryFollow.objects.filter(user=member, category=category).count() == 1
    member_client.post(url, {"value": "off"})
    member_client.post(url, {"value": "off"})
    assert not CategoryFollow.objects.filter(user=member).exists()


def test_a_member_follows_a_tag_and_the_page_says_so(member_client, member, tag):
    response = member_client.post("/community/tag/espresso/follow/")

    assert response.url == "/community/?tag=espresso"
    assert TagFollow.objects.filter(user=member, tag=tag).count() == 1
    page = member_client.get("/community/?tag=espresso").content.decode()
    assert 'data-testid="tag-follow"' in page and "Following" in page
    assert 'data-testid="category-follow"' not in page  # no category on this page


def test_the_category_page_shows_the_toggle_and_htmx_answers_its_fragment(member_client, category):
    page = member_client.get("/community/c/coffee/").content.decode()
    assert 'data-testid="category-follow"' in page and 'aria-pressed="false"' in page

    fragment = member_client.post("/community/c/coffee/follow/", **HTMX).content.decode()

    assert fragment.startswith('<form class="list-follow" id="category-follow"')
    assert 'aria-pressed="true"' in fragment and "Following" in fragment


def test_a_visitor_is_sent_to_sign_in_and_sees_no_toggle(client: Client, category, tag):
    response = client.post("/community/c/coffee/follow/")

    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert client.post("/community/tag/espresso/follow/").url.startswith("/accounts/login/")
    assert not CategoryFollow.objects.exists() and not TagFollow.objects.exists()
    assert (
        'data-testid="category-follow"' not in client.get("/community/c/coffee/").content.decode()
    )


def test_a_suspended_member_may_follow_as_they_may_follow_threads(member, category):
    member.suspended_until = timezone.now() + timedelta(days=3)
    member.save(update_fields=["suspended_until"])

    client_for(member).post("/community/c/coffee/follow/")

    assert CategoryFollow.objects.filter(user=member, category=category).exists()


def test_unknown_categories_and_tags_are_404_and_get_is_refused(member_client):
    assert member_client.post("/community/c/nowhere/follow/").status_code == 404
    assert member_client.post("/community/tag/nowhere/follow/").status_code == 404
    assert member_client.get("/community/c/nowhere/follow/").status_code == 405


def test_the_services_say_whether_the_member_follows_afterwards(member, category, tag):
    assert services.category_set_follow(user=member, category=category, following=True)
    assert services.tag_set_follow(user=member, tag=tag, following=True)
    assert services.tag_set_follow(user=member, tag=tag, following=True)
    assert not services.tag_set_follow(user=member, tag=tag, following=False)
    assert TagFollow.objects.count() == 0 and CategoryFollow.objects.count() == 1

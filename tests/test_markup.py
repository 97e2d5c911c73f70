"""The site's key pages are valid HTML, as the Nu HTML Checker (the W3C's) reads them.

Rendered with Django's test client, so markup errors show up without a browser;
the browser tests check every page they visit the same way (tests/e2e/conftest.py).
All pages go to the checker in one run: Java starts once.
"""

import pytest
from django.urls import reverse

from community import services
from tests import markup
from tests.factories import UserFactory
from tests.helpers import client_for

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(markup.unavailable_reason() is not None, reason="no Nu HTML Checker"),
]


@pytest.fixture
def story(django_capture_on_commit_callbacks, member, moderator, category):
    """A solved thread with an official reply, a recommended peer answer, tags, and a
    second thread still waiting in the queue; the search index knows them."""
    with django_capture_on_commit_callbacks(execute=True):
        thread = services.thread_create(
            author=member,
            category=category,
            title="The espresso machine leaks water",
            body="Water under the machine **every morning**.\n\n- after the first cup\n- cold",
            tags=["leak", "espresso"],
        )
        peer = services.reply_create(
            author=UserFactory(), thread=thread, body="Check the [seal](https://example.com)."
        )
        services.reply_create(author=moderator, thread=thread, body="Thank you, we are on it.")
        services.reply_set_recommended(moderator=moderator, reply=peer, recommended=True)
        services.thread_accept_reply(user=member, thread=thread, reply=peer)
        services.thread_create(
            author=UserFactory(),
            category=category,
            title="The grinder makes a loud noise",
            body="It started yesterday.",
        )
    return thread


def test_key_pages_are_valid_html(client, member, moderator, story):
    member_client = client_for(member)
    moderator_client = client_for(moderator)
    pages = [
        (client, "/"),
        (client, reverse("community:thread_list")),
        (client, reverse("community:category_detail", args=[story.category.slug])),
        (client, story.get_absolute_url()),
        (member_client, story.get_absolute_url()),
        (moderator_client, story.get_absolute_url()),
        (member_client, reverse("community:ask")),
        (client, reverse("community:search") + "?q=espresso"),
        (client, reverse("community:search") + "?q=nothing-matches-this"),
        (client, reverse("members:profile", args=[member.username])),
        (moderator_client, reverse("moderation:queue")),
        (client, reverse("account_login")),
    ]
    documents = {}
    for who, url in pages:
        response = who.get(url)
        assert response.status_code == 200, url
        viewer = getattr(response.wsgi_request.user, "username", "") or "visitor"
        documents[f"{url} (as {viewer})"] = response.content
    # A form sent back with its errors, and a page that shows a flash message.
    response = member_client.post(reverse("community:ask"), {"title": "", "body": ""})
    assert response.status_code == 200
    documents["the ask form with errors"] = response.content
    response = member_client.post(reverse("community:notifications_read_all"), follow=True)
    assert response.status_code == 200
    documents["a page with a message"] = response.content

    problems = markup.validate(documents)

    if problems:
        pytest.fail(markup.report(problems, len(documents)), pytrace=False)

"""Every POST form a page shows carries a CSRF token, so it works without JavaScript.

Includes rendered with `only` do not see the page's token unless it is passed on;
the test client skips CSRF checks by default, so this reads the forms themselves.
"""

import re

import pytest
from django.test import Client

from community import services
from tests.factories import CategoryFactory, ModeratorFactory, UserFactory

pytestmark = pytest.mark.django_db

FORM = re.compile(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", re.S | re.I)
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def post_forms_without_token(content: str) -> list[str]:
    return [form[:200] for form in FORM.findall(content) if not TOKEN.search(form)]


@pytest.fixture
def scene():
    asker, peer = UserFactory(), UserFactory()
    thread = services.thread_create(
        author=asker, category=CategoryFactory(), title="The grinder stalls", body="Help."
    )
    reply = services.reply_create(author=peer, thread=thread, body="Clean the burrs.")
    services.reply_set_recommended(moderator=ModeratorFactory(), reply=reply, recommended=True)
    services.reply_create(author=ModeratorFactory(), thread=thread, body="Official.")
    return thread, asker, peer


@pytest.mark.parametrize("viewer", ["asker", "other", "moderator"])
def test_every_post_form_on_community_pages_has_a_csrf_token(scene, viewer):
    thread, asker, _peer = scene
    user = {"asker": asker, "other": UserFactory(), "moderator": ModeratorFactory()}[viewer]
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    for path in [
        "/",
        "/community/",
        thread.get_absolute_url(),
        "/community/ask/",
        "/community/notifications/",
        f"/u/{user.username}/",
        "/accounts/profile/",
        "/accounts/privacy/",
        *([] if viewer == "moderator" else ["/accounts/privacy/close/"]),
    ]:
        content = client.get(path).content.decode()
        assert post_forms_without_token(content) == [], path


def test_a_plain_form_post_with_the_page_token_passes_csrf(scene):
    thread, _asker, _peer = scene
    voter = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(voter)
    page = client.get(thread.get_absolute_url()).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    response = client.post(
        f"/community/t/{thread.pk}/follow/", {"value": "on", "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 302


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_refused_form_gets_the_sites_own_page_without_inline_style(db, language):
    visitor = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE=language)
    visitor.get("/community/")

    response = visitor.post("/i18n/setlang/", {"language": "fr", "csrfmiddlewaretoken": "stale"})

    assert response.status_code == 403
    html = response.content.decode()
    assert 'data-testid="csrf-failure"' in html
    assert {"en": "This form has expired", "fr": "Ce formulaire a expiré"}[language] in html
    # Django's own page carries a <style> the Content-Security-Policy refuses.
    assert "<style" not in html
    assert " style=" not in html
    # A fresh token to try again with (the language switcher in the footer).
    assert 'name="csrfmiddlewaretoken" value="' in html

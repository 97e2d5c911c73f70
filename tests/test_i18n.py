"""English and French ship: every string of ours is translated and the switcher works."""

from pathlib import Path

import polib
import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def test_french_catalogue_is_complete():
    catalogue = polib.pofile(str(CATALOGUE))

    assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []


def test_pages_follow_the_language_cookie(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    content = client.get("/community/").content.decode()

    assert '<html lang="fr">' in content
    assert "Toutes les discussions" in content
    assert "Communauté" in content


def test_pages_follow_the_browser_language(client):
    content = client.get("/community/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9").content.decode()
    assert '<html lang="fr">' in content


def test_language_switcher_sets_the_language_and_returns(client):
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/community/"})

    assert response.status_code == 302
    assert response["Location"] == "/community/"
    assert '<html lang="fr">' in client.get("/community/").content.decode()


def test_language_switcher_never_redirects_off_site(client):
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "https://evil.example/"})
    assert response["Location"] == "/fr/"  # the home page's French address


def test_allauth_pages_are_french_too(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    content = client.get("/accounts/signup/").content.decode()
    assert "Inscription" in content


def test_form_help_is_translated_per_request(client, member):
    member.language = "fr"
    member.save(update_fields=["language"])
    client.force_login(member)

    content = client.get("/community/ask/").content.decode()

    assert "séparées par des virgules" in content
    assert "separated by commas" not in content

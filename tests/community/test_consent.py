"""Sign-up asks the member to accept the terms of use and the privacy policy, and
records when, and which published revision of each."""

import pytest
from django.conf import settings

from accounts.models import User
from tests.accounts.test_signup import SIGNUP
from tests.community.test_legal_pages import make_legal_page

pytestmark = pytest.mark.django_db


def test_signup_form_links_the_terms_and_the_privacy_policy(client):
    content = client.get("/accounts/signup/").content.decode()

    assert 'name="accept_terms"' in content
    assert 'href="/legal/terms/"' in content
    assert 'href="/legal/privacy/"' in content


def test_signup_without_consent_is_refused_and_keeps_what_was_typed(client, mailoutbox):
    data = {key: value for key, value in SIGNUP.items() if key != "accept_terms"}

    response = client.post("/accounts/signup/", data)

    assert response.status_code == 200
    content = response.content.decode()
    assert "To sign up, accept the terms of use and the privacy policy." in content
    assert 'value="ada@example.com"' in content
    assert 'value="ada"' in content
    assert 'value="Ada from Lyon"' in content
    assert not User.objects.filter(username="ada").exists()
    assert mailoutbox == []


def test_signup_records_the_accepted_revisions(client):
    terms = make_legal_page("terms")
    privacy = make_legal_page("privacy")

    response = client.post("/accounts/signup/", SIGNUP)

    assert response.status_code == 302
    user = User.objects.get(username="ada")
    assert user.terms_accepted_at is not None
    assert user.accepted_terms_revision == terms.live_revision_id
    assert user.accepted_privacy_revision == privacy.live_revision_id


def test_a_new_version_of_the_terms_is_what_the_next_member_accepts(client):
    terms = make_legal_page("terms")
    first = terms.live_revision_id
    client.post("/accounts/signup/", SIGNUP)
    terms.body = "<p>Changed terms.</p>"
    terms.save_revision().publish()
    terms.refresh_from_db()
    client.logout()

    client.post("/accounts/signup/", {**SIGNUP, "email": "bea@example.com", "username": "bea"})

    assert User.objects.get(username="ada").accepted_terms_revision == first
    assert User.objects.get(username="bea").accepted_terms_revision == terms.live_revision_id
    assert first != terms.live_revision_id


def test_consent_checkbox_is_french_for_french_readers(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    content = client.get("/accounts/signup/").content.decode()

    assert "J\u2019accepte les" in content
    assert "conditions d\u2019utilisation" in content

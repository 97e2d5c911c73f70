"""The privacy policy, terms of use and legal notice: Wagtail pages editors own,
one of each kind, linked from every page's footer by kind."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from community.config.demo.editorial import ensure_legal_pages
from community.legal import legal_accepted_revisions
from community.models import HomePage, LegalPage

pytestmark = pytest.mark.django_db


def make_legal_page(kind, *, title=None, slug=None, body="<p>The text.</p>", live=True):
    page = LegalPage(
        kind=kind, title=title or kind.title(), slug=slug or kind, body=body, live=live
    )
    HomePage.objects.get().add_child(instance=page)
    if live:
        page.save_revision().publish()
        page.refresh_from_db()
    return page


def test_footer_links_every_legal_page_by_kind(client):
    content = client.get("/community/").content.decode()

    assert 'href="/legal/privacy/"' in content
    assert 'href="/legal/terms/"' in content
    assert 'href="/legal/notice/"' in content
    assert "Privacy policy" in content and "Legal notice" in content


def test_footer_links_are_french_for_french_readers(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    content = client.get("/community/").content.decode()

    assert "Politique de confidentialité" in content
    assert "Conditions d\u2019utilisation" in content
    assert "Mentions légales" in content


def test_legal_link_leads_to_the_published_page_wherever_it_is(client):
    make_legal_page("privacy", title="How we treat your data", slug="your-data")

    response = client.get("/legal/privacy/", follow=True)

    assert response.redirect_chain[-1][0] == "/your-data/"
    content = response.content.decode()
    assert "How we treat your data" in content
    assert "The text." in content
    assert "Last updated:" in content


def test_legal_link_without_a_published_page_is_not_found(client):
    make_legal_page("terms", live=False)

    assert client.get("/legal/terms/").status_code == 404
    assert client.get("/legal/cookies/").status_code == 404


def test_only_one_page_of_each_kind(client):
    make_legal_page("terms")
    second = LegalPage(kind="terms", title="Terms again", slug="terms-again", body="<p>x</p>")

    with pytest.raises(ValidationError) as error:
        second.full_clean()

    assert "kind" in error.value.message_dict


def test_editors_edit_legal_pages_in_the_admin(editor_client):
    page = make_legal_page("notice")

    assert editor_client.get(f"/admin/pages/{page.pk}/edit/").status_code == 200


def test_accepted_revisions_are_the_live_ones():
    terms = make_legal_page("terms")
    privacy = make_legal_page("privacy")
    terms.body = "<p>New terms, saved as a draft.</p>"
    terms.save_revision()

    assert legal_accepted_revisions() == {
        "terms": terms.live_revision_id,
        "privacy": privacy.live_revision_id,
    }


def test_demo_legal_pages_are_written_once_and_kept():
    home = HomePage.objects.get()

    assert ensure_legal_pages(home) == 3
    privacy = LegalPage.objects.get(kind="privacy")
    privacy.title = "Our privacy policy"
    privacy.save_revision().publish()

    assert ensure_legal_pages(home) == 0
    assert sorted(LegalPage.objects.values_list("kind", flat=True)) == [
        "notice",
        "privacy",
        "terms",
    ]
    assert LegalPage.objects.get(kind="privacy").title == "Our privacy policy"
    assert settings.WAGTAIL_SITE_NAME in LegalPage.objects.get(kind="terms").intro

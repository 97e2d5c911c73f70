"""Editors translate pages with wagtail-localize in the Wagtail admin, and see what is
left to translate in Reports → Missing translations; nobody else may do either."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Locale

from community import services
from community.models import HelpArticlePage, HelpIndexPage, HomePage
from tests.factories import EditorFactory, ModeratorFactory, UserFactory

pytestmark = pytest.mark.django_db

REPORT = "/admin/reports/missing-translations/"


def publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def french_home():
    return services.page_translation_publish(
        page=HomePage.objects.get(), language="fr", fields={"title": "Accueil"}
    )


@pytest.fixture
def help_index(french_home):
    return publish(
        HomePage.objects.get(locale__language_code="en"),
        HelpIndexPage(title="Help centre", slug="help"),
    )


@pytest.fixture
def article(help_index):
    return publish(
        help_index, HelpArticlePage(title="Descaling your grinder", slug="descaling", summary="S.")
    )


def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture(params=["member", "moderator"])
def outsider(request):
    return UserFactory() if request.param == "member" else ModeratorFactory()


def test_an_editor_translates_a_page_and_may_publish_the_french_version(client, help_index):
    editor = EditorFactory()
    submit = reverse("wagtail_localize:submit_page_translation", args=[help_index.pk])
    signed_in(client, editor)

    assert client.get(submit).status_code == 200
    response = client.post(submit, {"locales": [Locale.objects.get(language_code="fr").pk]})

    assert response.status_code == 302
    french = HelpIndexPage.objects.get(locale__language_code="fr")
    assert french.url == "/fr/help/"
    permissions = french.permissions_for_user(editor)
    assert permissions.can_edit() and permissions.can_publish()
    assert client.get(reverse("wagtailadmin_pages:edit", args=[french.pk])).status_code == 200


def test_a_home_page_translated_later_is_the_editors_too(client):
    editor = EditorFactory()
    french = services.page_translation_publish(
        page=HomePage.objects.get(), language="fr", fields={"title": "Accueil"}
    )

    assert french.permissions_for_user(editor).can_publish()
    assert french.permissions_for_user(UserFactory()).can_edit() is False


def test_members_and_moderators_may_not_translate(client, help_index, outsider):
    submit = reverse("wagtail_localize:submit_page_translation", args=[help_index.pk])
    signed_in(client, outsider)

    assert client.get(submit).status_code in (302, 403)
    client.post(submit, {"locales": [Locale.objects.get(language_code="fr").pk]})
    assert not HelpIndexPage.objects.filter(locale__language_code="fr").exists()


def test_the_report_lists_every_untranslated_page_with_its_translate_link(client, article):
    signed_in(client, EditorFactory())

    content = client.get(REPORT).content.decode()

    assert "Descaling your grinder" in content and "Help centre" in content
    submit = reverse("wagtail_localize:submit_page_translation", args=[article.pk])
    assert f'href="{submit}"' in content
    assert "Accueil" not in content  # the French home page has its English version


def test_a_translated_page_leaves_the_report(client, article, help_index):
    signed_in(client, EditorFactory())
    services.page_translation_publish(page=help_index, language="fr", fields={"title": "Aide"})
    services.page_translation_publish(page=article, language="fr", fields={"title": "Détartrer"})

    content = client.get(REPORT).content.decode()

    assert "Descaling your grinder" not in content
    assert "Help centre" not in content


def test_the_report_is_in_the_reports_menu_for_editors(client, article):
    signed_in(client, EditorFactory())

    assert REPORT in client.get("/admin/").content.decode()


def test_members_and_moderators_may_not_see_the_report(client, article, outsider):
    signed_in(client, outsider)

    response = client.get(REPORT)

    assert response.status_code in (302, 403)
    assert "Descaling your grinder" not in response.content.decode()


def test_the_report_costs_the_same_queries_for_1_and_30_pages(client, help_index, article):
    signed_in(client, EditorFactory())
    client.get(REPORT)

    def count():
        with CaptureQueriesContext(connection) as context:
            assert client.get(REPORT).status_code == 200
        return len(context.captured_queries)

    with_few = count()
    for number in range(30):
        publish(help_index, HelpArticlePage(title=f"A{number}", slug=f"a-{number}", summary="S"))
    assert count() == with_few

"""Snippets in each language: categories, announcements and the footer read in the
reader's language, else in the default one; editors translate them, members may not."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Locale
from wagtail.search import index

from community import services
from community.models import Announcement, Category, Footer, Thread
from community.selectors import current_announcements, search_threads
from tests.community.test_home_page import html_of, publish_home, section
from tests.community.test_queries import assert_same_queries, queries
from tests.factories import CategoryFactory, ThreadFactory

pytestmark = pytest.mark.django_db


def french(original, **values):
    translation, _created = services.translation_ensure(
        original=original, language="fr", values=values
    )
    return translation


@pytest.fixture
def coffee():
    category = CategoryFactory(
        name="Coffee machines", slug="coffee-machines", description="Espresso and filter."
    )
    french(category, name="Machines à café", description="Expresso et filtre.")
    return category


@pytest.fixture
def french_client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    return client


# Categories -----------------------------------------------------------------------


def test_a_translation_shares_the_slug_and_the_key_and_threads_keep_the_original(coffee):
    translation = Category.objects.get(locale__language_code="fr")

    assert translation.slug == coffee.slug
    assert translation.translation_key == coffee.translation_key
    assert list(Category.objects.originals()) == [coffee]
    thread = ThreadFactory(category=coffee)
    assert Thread.objects.get(pk=thread.pk).category_id == coffee.pk


def test_category_names_read_in_the_readers_language_on_every_list(client, coffee):
    thread = ThreadFactory(category=coffee, title="The grinder stalls after descaling")

    for path in ("/community/", coffee.get_absolute_url(), thread.get_absolute_url()):
        english = html_of(client, path)
        assert "Coffee machines" in english
        assert "Machines à café" not in english

        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
        french_html = html_of(client, path)
        client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)
        assert "Machines à café" in french_html, path
        assert ">Coffee machines<" not in french_html, path


def test_the_category_page_shows_the_french_description(french_client, coffee):
    html = html_of(french_client, coffee.get_absolute_url())

    assert "Expresso et filtre." in html
    assert "Espresso and filter." not in html


def test_a_category_without_translation_falls_back_to_the_default_name(french_client):
    category = CategoryFactory(name="Warranty & repairs", slug="warranty")
    ThreadFactory(category=category)

    assert "Warranty &amp; repairs" in html_of(french_client, "/community/")


def test_a_signed_in_members_saved_language_decides_the_names(client, member, coffee):
    ThreadFactory(category=coffee)
    member.language = "fr"
    member.save(update_fields=["language"])
    client.force_login(member)

    assert "Machines à café" in html_of(client, "/community/")


def test_the_ask_form_offers_each_category_once_under_its_french_name(
    french_client, member, coffee
):
    member.language = "fr"
    member.save(update_fields=["language"])
    french_client.force_login(member)

    html = html_of(french_client, reverse("community:ask"))

    assert f'<option value="{coffee.pk}">Machines à café</option>' in html
    translation = Category.objects.get(locale__language_code="fr")
    assert f'value="{translation.pk}"' not in html


def test_asking_in_a_translations_row_is_a_form_error(client, member, coffee):
    translation = Category.objects.get(locale__language_code="fr")
    client.force_login(member)

    response = client.post(
        reverse("community:ask"),
        {
            "title": "The grinder stalls after descaling",
            "body": "It stops after two seconds, every time.",
            "category": translation.pk,
            "tags": "",
        },
    )

    assert response.status_code == 200
    assert not Thread.objects.exists()


def test_a_translation_saved_later_reindexes_its_originals_threads(
    coffee, django_capture_on_commit_callbacks
):
    # wagtail-localize publishes a translation from its own editor, with no snippet
    # hook: saving the row is what brings the threads' index entries up to date.
    thread = ThreadFactory(category=coffee, title="The grinder stalls after descaling")
    index.insert_or_update_object(thread)
    assert not search_threads(query="cafetières").object_list

    translation = coffee.get_translation(Locale.objects.get(language_code="fr"))
    translation.name = "Cafetières"
    with django_capture_on_commit_callbacks(execute=True):
        translation.save()

    assert thread.pk in [item.pk for item in search_threads(query="cafetières").object_list]


def test_search_finds_a_category_by_its_french_name(coffee):
    thread = ThreadFactory(category=coffee, title="The grinder stalls after descaling")
    index.insert_or_update_object(thread)

    found = search_threads(query="machines à café").object_list

    assert thread.pk in [item.pk for item in found]


def test_the_threads_index_holds_both_names(coffee):
    assert coffee.search_names() == "Coffee machines Machines à café"


def test_category_names_cost_no_query_per_row_for_a_french_reader(french_client, coffee):
    ThreadFactory(category=coffee)
    french_client.get("/community/")  # warm per-process caches
    with_one, _html = queries(french_client, "/community/")
    for number in range(49):
        category = CategoryFactory(name=f"Topic {number}", slug=f"topic-{number}")
        french(category, name=f"Sujet {number}")
        ThreadFactory(category=category)

    with_fifty, html = queries(french_client, "/community/")

    assert "Sujet 48" in html
    assert_same_queries(with_one, with_fifty, "thread list in French")


def test_an_editors_new_translation_shows_on_the_next_page(french_client):
    category = CategoryFactory(name="Orders & delivery", slug="orders")
    ThreadFactory(category=category)
    assert "Commandes et livraison" not in html_of(french_client, "/community/")

    french(category, name="Commandes et livraison")

    assert "Commandes et livraison" in html_of(french_client, "/community/")


# Announcements --------------------------------------------------------------------


def test_announcements_read_in_the_readers_language_else_the_default(client):
    now = timezone.now()
    translated = Announcement.objects.create(
        title="Firmware 2.4 is out", starts_at=now - timedelta(hours=2)
    )
    french(translated, title="Le micrologiciel 2.4 est disponible")
    Announcement.objects.create(title="Holiday hours", starts_at=now - timedelta(hours=1))
    publish_home(section("announcements", count=3))

    english = html_of(client)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    french_html = html_of(client)

    assert "Firmware 2.4 is out" in english
    assert "Le micrologiciel 2.4 est disponible" not in english
    assert "Le micrologiciel 2.4 est disponible" in french_html
    assert "Firmware 2.4 is out" not in french_html
    # Not translated: French readers get the default version.
    assert "Holiday hours" in french_html


def test_current_announcements_count_each_announcement_once():
    now = timezone.now()
    for number in range(3):
        original = Announcement.objects.create(
            title=f"News {number}", starts_at=now - timedelta(hours=number + 1)
        )
        french(original, title=f"Nouvelle {number}")

    shown = current_announcements(limit=5, language="fr")

    assert [item.title for item in shown] == ["Nouvelle 0", "Nouvelle 1", "Nouvelle 2"]


# Footer ---------------------------------------------------------------------------


def footer_with(label: str, channel: str) -> Footer:
    return Footer(
        footer_links=[("link", {"label": label, "url": "https://shop.example/"})],
        contact_channels=[
            ("channel", {"kind": "email", "label": channel, "value": "care@brio.example"})
        ],
    )


def test_the_footer_reads_in_the_readers_language(client):
    english = footer_with("Our shop", "Customer care")
    english.save()
    french(
        english,
        footer_links=[("link", {"label": "Notre boutique", "url": "https://shop.example/fr/"})],
        contact_channels=[
            ("channel", {"kind": "email", "label": "Service client", "value": "care@brio.example"})
        ],
    )

    english_html = html_of(client, "/community/").split('<footer class="site-footer">')[1]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    french_html = html_of(client, "/community/").split('<footer class="site-footer">')[1]

    assert "Our shop" in english_html and "Customer care" in english_html
    assert "Notre boutique" in french_html and "Service client" in french_html
    assert "Our shop" not in french_html


def test_the_footer_falls_back_to_the_default_language(french_client):
    footer_with("Our shop", "Customer care").save()

    html = html_of(french_client, "/community/").split('<footer class="site-footer">')[1]

    assert "Our shop" in html
    assert "Customer care" in html


# Who may translate ----------------------------------------------------------------


def submit_translation_url(instance) -> str:
    meta = type(instance)._meta
    return reverse(
        "wagtail_localize:submit_snippet_translation",
        args=[meta.app_label, meta.model_name, instance.pk],
    )


def test_an_editor_translates_a_category_side_by_side(editor_client):
    category = CategoryFactory(name="Tips & recipes", slug="tips")

    listing = editor_client.get(reverse("wagtailsnippets_community_category:list"))
    assert submit_translation_url(category) in listing.content.decode()

    response = editor_client.post(
        submit_translation_url(category),
        {"locales": [Locale.objects.get(language_code="fr").pk]},
    )

    assert response.status_code == 302
    translation = Category.objects.get(locale__language_code="fr")
    assert translation.translation_key == category.translation_key


@pytest.mark.parametrize("role", ["member_client", "moderator_client"])
def test_members_and_moderators_may_not_translate_snippets(request, role):
    client = request.getfixturevalue(role)
    category = CategoryFactory(name="Tips & recipes", slug="tips")

    response = client.post(
        submit_translation_url(category),
        {"locales": [Locale.objects.get(language_code="fr").pk]},
    )

    assert response.status_code in (302, 403)
    assert not Category.objects.filter(locale__language_code="fr").exists()


def test_an_editor_edits_the_footer_snippet_and_a_member_may_not(editor_client, member_client):
    url = reverse("wagtailsnippets_community_footer:list")

    assert editor_client.get(url).status_code == 200
    assert member_client.get(url).status_code in (302, 403)

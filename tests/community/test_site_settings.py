"""The site settings editors change in Wagtail: name, logo and brand colour, read
once per request; and the footer's links and contact channels, a snippet in each
language (tests/community/test_snippet_languages.py reads it in French)."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community.models import DEFAULT_BRAND_COLOUR, CommunitySettings, Footer, contact_href
from tests.factories import ThreadFactory
from tests.helpers import caches_cold

pytestmark = pytest.mark.django_db


def _page(client, path="/community/") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def _title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


def _footer(**fields) -> Footer:
    """The default language's footer, with `fields` changed."""
    footer = Footer.objects.filter(locale__language_code="en").first() or Footer()
    for name, value in fields.items():
        setattr(footer, name, value)
    footer.save()
    return footer


def _brand(html: str) -> str:
    return re.search(r'data-testid="site-brand">(.*?)</a>', html, re.S).group(1)


def _brand_stylesheet(client, html: str) -> str:
    """The brand stylesheet the page links to (a stylesheet, not an inline <style>,
    so that the Content-Security-Policy needs no 'unsafe-inline')."""
    href = re.search(r'<link rel="stylesheet" href="([^"]+)" data-testid="brand-colours">', html)
    response = client.get(href.group(1).replace("&amp;", "&"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    return response.content.decode()


def test_name_from_the_settings_shows_in_the_header_and_title(client):
    rules = CommunitySettings.load()
    rules.community_name = "Brio Owners Club"
    rules.save()

    html = _page(client)

    assert "Brio Owners Club" in _brand(html)
    assert _title(html).endswith("· Brio Owners Club")
    assert "Brio Owners Club community" in html


def test_blank_name_falls_back_to_the_site_name(client, settings):
    settings.WAGTAIL_SITE_NAME = "Relais"
    rules = CommunitySettings.load()
    rules.community_name = ""
    rules.save()

    html = _page(client)

    assert _brand(html).strip() == "Relais"
    assert _title(html).endswith("· Relais")


@pytest.mark.parametrize(
    "colour",
    ["red", "#12345", "#1234567", "#GGGGGG", "#123456; } body { display: none", "</style>"],
)
def test_a_colour_that_is_not_a_hex_colour_is_rejected(colour):
    rules = CommunitySettings.load()
    rules.brand_colour = colour
    with pytest.raises(ValidationError) as error:
        rules.full_clean()
    assert "brand_colour" in error.value.message_dict


def test_the_brand_colour_overrides_the_stylesheet(client):
    rules = CommunitySettings.load()
    rules.brand_colour = "#7A1F3D"
    rules.full_clean()
    rules.save()

    html = _page(client)

    style = _brand_stylesheet(client, html)
    assert "--color-brand: #7a1f3d;" in style
    # Darker and paler variants for hover states and soft backgrounds.
    assert "--color-brand-strong: #5c172e;" in style
    assert re.search(r"--color-brand-soft: #[0-9a-f]{6};", style)


def test_an_editors_new_colour_changes_the_stylesheets_address(client):
    before = re.search(r'href="(/brand\.css\?v=[^"]+)"', _page(client)).group(1)
    rules = CommunitySettings.load()
    rules.brand_colour = "#7A1F3D"
    rules.save()

    after = re.search(r'href="(/brand\.css\?v=[^"]+)"', _page(client)).group(1)

    # A new address: no browser or cache keeps showing the old colours.
    assert after != before
    assert "7a1f3d" in after


def test_the_default_colour_is_the_stylesheets_own():
    palette = CommunitySettings.load().brand_palette
    assert palette["brand"] == DEFAULT_BRAND_COLOUR == "#1d5a85"


def test_a_stored_bad_colour_never_reaches_the_page(client):
    CommunitySettings.objects.update(brand_colour="red;}")

    html = _page(client)
    style = _brand_stylesheet(client, html)

    assert "red;}" not in html
    assert "red;}" not in style
    assert f"--color-brand: {DEFAULT_BRAND_COLOUR};" in style


def test_footer_links_and_contact_channels_render(client):
    _footer(
        footer_links=[("link", {"label": "Our shop", "url": "https://shop.example/"})],
        contact_channels=[
            ("channel", {"kind": "email", "label": "Customer care", "value": "care@brio.example"}),
            ("channel", {"kind": "phone", "label": "Phone", "value": "+33 1 99 00 12 34"}),
            ("channel", {"kind": "chat", "label": "Chat", "value": "javascript:alert(1)"}),
        ],
    )

    html = _page(client)
    footer = html.split('<footer class="site-footer">')[1]

    assert '<a href="https://shop.example/" data-testid="footer-link">Our shop</a>' in footer
    assert "Contact us" in footer
    assert 'href="mailto:care@brio.example"' in footer
    assert 'href="tel:+33199001234"' in footer
    # Not a web address: shown as text, never as a link.
    assert 'href="javascript:' not in footer
    assert "javascript:alert(1)" in footer


def test_no_contact_section_without_channels(client):
    assert 'data-testid="footer-contact"' not in _page(client)


@pytest.mark.parametrize(
    ("kind", "value", "href"),
    [
        ("email", "care@brio.example", "mailto:care@brio.example"),
        ("email", "not an address", ""),
        ("phone", "+33 (0)1 99-00", "tel:+33019900"),
        ("social", "https://social.example/brio", "https://social.example/brio"),
        ("chat", "ftp://chat.example", ""),
    ],
)
def test_contact_links(kind, value, href):
    assert contact_href(kind, value) == href


def test_the_logo_replaces_the_text_name(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    rules = CommunitySettings.load()
    rules.community_name = "Brio Owners Club"
    rules.logo = Image.objects.create(title="Logo", file=get_test_image_file())
    rules.save()

    brand = _brand(_page(client))

    assert re.search(r'<img [^>]*alt="Brio Owners Club"', brand)
    # Twice the 40 px it is shown at, so that it stays sharp on high-density screens.
    assert 'height="80"' in brand
    assert 'class="site-header__logo"' in brand


def test_the_settings_page_shows_the_new_tabs(superuser_client):
    response = superuser_client.get("/admin/settings/community/communitysettings/", follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    for field in ("community_name", "logo", "brand_colour"):
        assert f'data-contentpath="{field}"' in html
    # The footer moved to a snippet of its own; its tab says where.
    assert "Snippets → Footer" in html


def test_seed_demo_fills_an_empty_footer_once_and_keeps_the_name_blank():
    from community.config.demo.editorial import ensure_site_footer as _ensure_site_footer

    assert _ensure_site_footer() == 8  # four blocks in English, four in French
    assert _ensure_site_footer() == 0
    footer = Footer.objects.get(locale__language_code="en")
    assert [link.value["label"] for link in footer.footer_links] == [
        "Maison Brio shop",
        "Warranty and repairs",
    ]
    assert [c.value["kind"] for c in footer.contact_channels] == ["email", "phone"]
    french = Footer.objects.get(locale__language_code="fr")
    assert french.translation_key == footer.translation_key
    assert [link.value["label"] for link in french.footer_links] == [
        "Boutique Maison Brio",
        "Garantie et réparations",
    ]
    assert CommunitySettings.load().community_name == ""


def test_seed_demo_keeps_the_editors_footer():
    from community.config.demo.editorial import ensure_site_footer as _ensure_site_footer

    _footer(footer_links=[("link", {"label": "Ours", "url": "https://ours.example/"})])

    # Only the contact channels were missing in English, and the French footer.
    assert _ensure_site_footer() == 2 + 4
    footer = Footer.objects.get(locale__language_code="en")
    assert [link.value["label"] for link in footer.footer_links] == ["Ours"]


def _count(client) -> int:
    caches_cold()  # measure the page's own work, from cold caches, as after a write
    with CaptureQueriesContext(connection) as context:
        assert client.get("/community/").status_code == 200
    return len(context.captured_queries)


def test_settings_cost_one_query_per_page_whatever_the_rows(client):
    rules = CommunitySettings.load()
    rules.community_name = "Brio Owners Club"
    rules.save()
    _footer(footer_links=[("link", {"label": "Our shop", "url": "https://shop.example/"})])
    ThreadFactory()
    _count(client)  # warm per-process caches

    caches_cold()
    with CaptureQueriesContext(connection) as context:
        client.get("/community/")
    settings_queries = [
        q["sql"] for q in context.captured_queries if "community_communitysettings" in q["sql"]
    ]
    assert len(settings_queries) == 1

    with_one = len(context.captured_queries)
    for _ in range(49):
        ThreadFactory()
    assert _count(client) == with_one


SETTINGS_URL = "/admin/settings/community/communitysettings/"


def _settings_form(**changes) -> dict:
    from wagtail.test.utils.form_data import nested_form_data, streamfield

    rules = CommunitySettings.load()
    fields = {
        name: getattr(rules, name)
        for name in (
            "first_response_hours",
            "follow_up_hours",
            "resolution_reminder_days",
            "close_after_days",
            "claim_expiry_hours",
            "report_auto_hide_threshold",
            "premoderation_first_posts",
            "premoderation_new_member_posts",
            "premoderation_max_links",
            "community_name",
            "brand_colour",
        )
    }
    fields.update(
        logo="",
        time_zone=rules.time_zone,
        opening_hours=streamfield([]),
        closed_days=streamfield([]),
    )
    fields.update(changes)
    return nested_form_data(fields)


def test_an_editor_opens_and_saves_the_community_settings(editor, editor_client):
    from accounts.roles import EDIT_SITE_SETTINGS_PERMISSION

    assert editor.has_perm(EDIT_SITE_SETTINGS_PERMISSION)
    response = editor_client.get(SETTINGS_URL, follow=True)
    assert response.status_code == 200
    assert 'data-contentpath="first_response_hours"' in response.content.decode()
    edit_url = response.redirect_chain[-1][0] if response.redirect_chain else SETTINGS_URL

    response = editor_client.post(edit_url, _settings_form(first_response_hours=8))

    assert response.status_code == 302, response.content.decode()[:2000]
    assert CommunitySettings.objects.get().first_response_hours == 8


def test_an_editor_sets_the_business_hours_in_the_admin(editor_client):
    from wagtail.test.utils.form_data import streamfield

    edit_url = f"{SETTINGS_URL}{CommunitySettings.load().pk}/"
    hours = [("period", {"weekday": "4", "opens": "09:00", "closes": "17:00"})]
    closed = [("closed", {"name": "Christmas", "first_day": "2026-12-25", "last_day": ""})]

    response = editor_client.post(
        edit_url,
        _settings_form(
            time_zone="Europe/Paris",
            opening_hours=streamfield(hours),
            closed_days=streamfield(closed),
        ),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    calendar = CommunitySettings.load().business_calendar
    assert str(calendar.time_zone) == "Europe/Paris"
    assert [(p.weekday, p.opens.hour, p.closes.hour) for p in calendar.periods] == [(4, 9, 17)]
    assert [str(day) for day in calendar.closed_days] == ["2026-12-25"]


def test_hours_that_close_before_they_open_are_a_form_error(editor_client):
    from wagtail.test.utils.form_data import streamfield

    edit_url = f"{SETTINGS_URL}{CommunitySettings.load().pk}/"
    hours = [("period", {"weekday": "0", "opens": "17:00", "closes": "09:00"})]

    response = editor_client.post(edit_url, _settings_form(opening_hours=streamfield(hours)))

    assert response.status_code == 200
    assert "Closing comes after opening." in response.content.decode()
    assert not CommunitySettings.load().business_calendar.periods


def test_an_editor_finds_the_community_settings_in_the_admin_menu(editor_client):
    assert SETTINGS_URL in editor_client.get("/admin/").content.decode()


def test_a_member_may_neither_open_nor_save_the_community_settings(member_client):
    before = CommunitySettings.load().first_response_hours
    response = member_client.get(SETTINGS_URL)
    assert response.status_code in (302, 403)
    assert 'data-contentpath="first_response_hours"' not in response.content.decode()

    edit_url = f"{SETTINGS_URL}{CommunitySettings.load().pk}/"
    member_client.post(edit_url, _settings_form(first_response_hours=before + 5))

    assert CommunitySettings.objects.get().first_response_hours == before


def test_the_editors_settings_permission_migration_reverses():
    from importlib import import_module

    from django.apps import apps
    from django.contrib.auth.models import Group

    migration = import_module("community.migrations.0019_editors_change_community_settings")
    editors = Group.objects.get(name="Editors")
    has_it = lambda: editors.permissions.filter(codename="change_communitysettings").exists()  # noqa: E731
    assert has_it()

    migration.backwards(apps, None)
    assert not has_it()
    migration.forwards(apps, None)
    assert has_it()

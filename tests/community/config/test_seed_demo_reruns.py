"""seed_demo run on a database of each test's own: a second run changes nothing, and
what editors or members changed in between stays as they left it."""

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from taggit.models import Tag
from wagtail.images.models import Image
from wagtail.models import Page
from wagtail.models import Revision as PageRevision

from accounts.models import User
from community.config.demo.content import THREADS
from community.models import (
    Category,
    CommunitySettings,
    Follow,
    HelpArticlePage,
    HelpfulVote,
    HomePage,
    MeToo,
    Notification,
    Reply,
    Revision,
    TaggedThread,
    Thread,
)
from community.selectors import search_threads
from community.services import reply_create


@pytest.fixture
def seed(db, settings, tmp_path):
    # The demo's logo is stored as a Wagtail image: in a folder of this test's own.
    settings.MEDIA_ROOT = tmp_path
    # The real hasher is slow on purpose; the command's behaviour does not depend on it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    def run() -> str:
        out = StringIO()
        call_command("seed_demo", stdout=out)
        return out.getvalue()

    return run


TABLES = [
    User,
    EmailAddress,
    Category,
    Thread,
    Reply,
    HelpfulVote,
    MeToo,
    Follow,
    Revision,
    Notification,
    Tag,
    TaggedThread,
    Page,
    PageRevision,
]


def _table_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in TABLES}


def _snapshot() -> dict[str, list]:
    """What a second run could change in place: dates, counters, marks."""
    return {
        "threads": list(
            Thread.objects.order_by("pk").values_list(
                "pk",
                "title",
                "body",
                "reply_count",
                "me_too_count",
                "created_at",
                "updated_at",
                "last_activity_at",
                "first_official_reply_at",
                "solution",
                "solution_marked_by",
                "solved_at",
                "edited_at",
            )
        ),
        "replies": list(
            Reply.objects.order_by("pk").values_list(
                "pk",
                "body",
                "helpful_count",
                "created_at",
                "updated_at",
                "recommended_by",
                "recommended_at",
                "edited_at",
            )
        ),
        "notifications": list(
            Notification.objects.order_by("pk").values_list("pk", "created_at", "read_at")
        ),
    }


def test_seed_demo_descaling_search_finds_the_readers_language_first(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=StringIO())

    found = search_threads(query="détartrage", reader="fr").object_list
    languages = [thread.language for thread in found]

    # French threads first, then at least one English one about descaling.
    assert languages[:2] == ["fr", "fr"]
    assert "en" in languages
    assert languages == sorted(languages, key=lambda language: language != "fr")
    english = search_threads(query="descaling", reader="en").object_list
    assert english[0].language == "en"
    assert "fr" in [thread.language for thread in english]


def test_seed_demo_keeps_a_community_name_an_editor_chose(seed):
    rules = CommunitySettings.load()
    rules.community_name = "Brio Owners"
    rules.save(update_fields=["community_name"])

    seed()

    assert CommunitySettings.load().community_name == "Brio Owners"


def test_seed_demo_members_join_dates_stay_on_a_second_run(seed):
    seed()
    joined = dict(User.objects.values_list("pk", "date_joined"))
    seed()
    assert dict(User.objects.values_list("pk", "date_joined")) == joined


def test_seed_demo_twice_changes_nothing(seed):
    seed()
    counts = _table_counts()
    snapshot = _snapshot()

    output = seed()

    assert _table_counts() == counts
    assert _snapshot() == snapshot
    assert "already in place" in output


def test_seed_demo_sets_the_brand_logo_once(seed, client):
    seed()
    logo = CommunitySettings.load().logo
    assert logo is not None and logo.title == "Maison Brio logo"
    assert 'class="site-header__logo"' in client.get("/community/").content.decode()

    seed()

    assert Image.objects.count() == 1
    assert CommunitySettings.load().logo == logo


def test_seed_demo_keeps_a_home_page_an_editor_wrote(seed, client):
    home = HomePage.objects.get(locale__language_code="en")
    home.body = [("rich_text", "<p>Our own words.</p>")]
    home.save_revision().publish()

    seed()

    html = client.get("/").content.decode()
    assert "Our own words." in html
    assert "Featured discussions" not in html


def test_seed_demo_keeps_an_existing_accounts_password(seed):
    User.objects.create_user(username="admin", password="someone-else's-secret")

    seed()

    assert User.objects.get(username="admin").check_password("someone-else's-secret")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_seed_demo_emails_nobody_about_its_backdated_story(settings, mailoutbox):
    # A real commit, so that the notification e-mails would go out if enqueued.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    call_command("seed_demo", stdout=StringIO())

    assert Notification.objects.exists()
    assert mailoutbox == []
    # After the command, the community e-mails as usual.
    thread = Thread.objects.get(title=THREADS[-2]["title"])
    reply_create(author=User.objects.get(username="moderator"), thread=thread, body="Hello!")
    assert [thread.author.email] in [message.to for message in mailoutbox]


def test_seed_demo_keeps_a_french_page_a_translator_wrote(seed, client):
    seed()
    french = HelpArticlePage.objects.get(slug="warranty-and-repairs", locale__language_code="fr")
    french.title = "Notre garantie"
    french.save_revision().publish()

    seed()

    assert "Notre garantie" in client.get("/fr/help/warranty-and-repairs/").content.decode()

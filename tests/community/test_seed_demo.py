from datetime import timedelta
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from taggit.models import Tag
from wagtail.models import Page, Revision

from accounts.models import User
from accounts.roles import is_editor, is_moderator
from community.management.commands.seed_demo import ACCOUNTS, CATEGORIES, DEMO_PASSWORD, THREADS
from community.models import Category, Reply, Thread

MEMBER_USERNAMES = [spec["username"] for spec in ACCOUNTS if spec["role"] == "member"]


@pytest.fixture
def seed(db, settings):
    # The real hasher is slow on purpose; the command's behaviour does not depend on it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    def run() -> str:
        out = StringIO()
        call_command("seed_demo", stdout=out)
        return out.getvalue()

    return run


@pytest.fixture
def seeded(seed):
    return seed()


def _table_counts() -> dict[str, int]:
    models = [User, Category, Thread, Reply, EmailAddress, Page, Revision, Tag]
    return {model.__name__: model.objects.count() for model in models}


def test_seed_demo_creates_staff_accounts_with_their_roles(seeded):
    moderator = User.objects.get(username="moderator")
    editor = User.objects.get(username="editor")
    admin = User.objects.get(username="admin")

    assert is_moderator(moderator)
    assert not is_editor(moderator)
    assert is_editor(editor)
    assert not is_moderator(editor)
    assert admin.is_staff and admin.is_superuser
    assert moderator.display_name == "Camille from Maison Brio"


def test_seed_demo_members_hold_no_staff_role(seeded):
    members = User.objects.filter(username__in=MEMBER_USERNAMES)

    assert members.count() == 12
    for member in members:
        assert not is_moderator(member)
        assert not is_editor(member)
        assert not member.is_staff and not member.is_superuser
        assert member.display_name and member.bio


def test_seed_demo_every_account_has_a_verified_primary_email(seeded):
    assert User.objects.count() == len(ACCOUNTS)
    for user in User.objects.all():
        address = EmailAddress.objects.get(user=user)
        assert address.verified and address.primary
        assert address.email == user.email


def test_seed_demo_creates_distinct_categories(seeded):
    categories = list(Category.objects.all())

    assert len(categories) == 6
    assert {category.slug for category in categories} == {spec["slug"] for spec in CATEGORIES}
    assert len({category.colour for category in categories}) == 6
    assert [category.position for category in categories] == list(range(6))
    assert all(4 <= category.first_response_hours <= 24 for category in categories)


def test_seed_demo_posts_threads_in_english_and_french(seeded):
    for language in ("en", "fr"):
        titles = [spec["title"] for spec in THREADS if spec["language"] == language]
        assert len(titles) >= 5
        assert Thread.objects.filter(title__in=titles).count() == len(titles)


def test_seed_demo_renders_markdown_and_tags(seeded):
    threads = Thread.objects.prefetch_related("tags")

    assert any("<li>" in thread.body_html for thread in threads)
    assert any("<code>" in thread.body_html for thread in threads)
    assert any('rel="nofollow ugc noopener"' in thread.body_html for thread in threads)
    for thread in threads:
        slugs = [tag.slug for tag in thread.tags.all()]
        assert 1 <= len(slugs) <= 5
        assert all(slug == slug.lower() and " " not in slug for slug in slugs)


def test_seed_demo_official_replies_are_the_moderators_only(seeded):
    official = Reply.objects.filter(is_official=True)

    assert official.exists()
    assert set(official.values_list("author__username", flat=True)) == {"moderator"}
    assert not Reply.objects.filter(author__username="moderator", is_official=False).exists()


def test_seed_demo_leaves_threads_awaiting_an_official_reply(seeded):
    awaiting = Thread.objects.filter(first_official_reply_at__isnull=True)
    with_peer_replies = awaiting.filter(reply_count__gt=0)
    unanswered = awaiting.filter(reply_count=0)

    assert with_peer_replies.count() >= 3
    assert unanswered.count() >= 2
    assert not Reply.objects.filter(thread__in=awaiting, is_official=True).exists()
    assert Thread.objects.filter(first_official_reply_at__isnull=False).count() >= 5


def test_seed_demo_counters_are_true(seeded):
    threads = Thread.objects.annotate(
        visible_replies=Count("replies", filter=Q(replies__visibility="visible"), distinct=True),
        me_too_rows=Count("me_toos", distinct=True),
        first_official=Min("replies__created_at", filter=Q(replies__is_official=True)),
        latest_reply=Max("replies__created_at"),
    )

    for thread in threads:
        assert thread.reply_count == thread.visible_replies
        assert 0 <= thread.reply_count <= 5
        assert thread.first_official_reply_at == thread.first_official
        assert thread.last_activity_at == (thread.latest_reply or thread.created_at)
        assert thread.me_too_count == thread.me_too_rows >= 1  # the asker counts first
    for reply in Reply.objects.annotate(votes=Count("helpful_votes")):
        assert reply.helpful_count == reply.votes


def test_seed_demo_spreads_activity_over_the_past_weeks(seeded):
    now = timezone.now()
    threads = Thread.objects.all()

    assert all(now - timedelta(days=22) < thread.created_at < now for thread in threads)
    assert max(thread.created_at for thread in threads) - min(
        thread.created_at for thread in threads
    ) > timedelta(days=14)
    for reply in Reply.objects.select_related("thread"):
        assert reply.thread.created_at < reply.created_at < now


def test_seed_demo_twice_changes_nothing(seed):
    seed()
    counts = _table_counts()
    threads = list(
        Thread.objects.order_by("pk").values_list(
            "pk", "reply_count", "created_at", "last_activity_at", "first_official_reply_at"
        )
    )

    output = seed()

    assert _table_counts() == counts
    assert (
        list(
            Thread.objects.order_by("pk").values_list(
                "pk", "reply_count", "created_at", "last_activity_at", "first_official_reply_at"
            )
        )
        == threads
    )
    assert "already in place" in output


@pytest.mark.parametrize("path", ["/", "/help/", "/guidelines/", "/community/"])
def test_seed_demo_pages_answer(seeded, client, path):
    assert client.get(path).status_code == 200


def test_seed_demo_home_page_shows_the_hero_text(seeded, client):
    response = client.get("/")

    assert "How can we help you today?" in response.content.decode()


def test_seed_demo_help_page_links_to_the_guidelines(seeded, client):
    response = client.get("/help/")

    assert 'href="/guidelines/"' in response.content.decode()


@pytest.mark.parametrize("username", ["moderator", "editor", "admin", MEMBER_USERNAMES[0]])
def test_seed_demo_password_logs_in(seeded, client, username):
    assert client.login(username=username, password=DEMO_PASSWORD) is True


def test_seed_demo_prints_the_demo_logins(seeded):
    for username in ("admin", "editor", "moderator"):
        assert username in seeded
    assert DEMO_PASSWORD in seeded


def test_seed_demo_keeps_an_existing_accounts_password(seed):
    User.objects.create_user(username="admin", password="someone-else's-secret")

    seed()

    assert User.objects.get(username="admin").check_password("someone-else's-secret")

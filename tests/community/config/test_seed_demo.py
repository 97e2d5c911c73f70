from datetime import timedelta
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Max, Min, Q
from django.test.utils import override_settings
from django.utils import timezone
from wagtail.models import Page

from accounts.models import User
from accounts.roles import is_editor, is_moderator
from community.config.demo.content import ACCOUNTS, CATEGORIES, DEMO_PASSWORD, THREADS
from community.models import (
    Category,
    CommunitySettings,
    Follow,
    HelpfulVote,
    MeToo,
    Notification,
    Reply,
    Revision,
    Thread,
)

MEMBER_USERNAMES = [spec["username"] for spec in ACCOUNTS if spec["role"] == "member"]


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, seeded once for the tests of this module, which only read it: inside
    a transaction rolled back at the end, each test's own work rolled back to the
    seeded state after it (tests/community/config/test_seed_demo_reruns.py runs the
    command on a database of each test's own)."""
    media = tmp_path_factory.mktemp("demo-media")
    with (
        django_db_blocker.unblock(),
        # The demo's logo is stored as a Wagtail image: in a folder of this module's own.
        override_settings(
            MEDIA_ROOT=media,
            # The real hasher is slow on purpose; nothing here depends on it.
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
        transaction.atomic(),
    ):
        out = StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue(), media
        transaction.set_rollback(True)


@pytest.fixture
def seeded(seeded_once, db, settings):
    output, settings.MEDIA_ROOT = seeded_once  # where the module's logo is
    return output


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

    assert members.count() == 13
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
    categories = list(Category.objects.originals())

    assert len(categories) == 6
    assert {category.slug for category in categories} == {spec["slug"] for spec in CATEGORIES}
    assert len({category.colour for category in categories}) == 6
    assert [category.position for category in categories] == list(range(6))
    assert all(4 <= category.first_response_hours <= 24 for category in categories)


def test_seed_demo_translates_every_snippet_into_french(seeded):
    from community.models import Announcement, Footer
    from moderation.models import CannedResponse

    for model in (Category, Announcement, CannedResponse, Footer):
        english = model.objects.filter(locale__language_code="en")
        french = model.objects.filter(locale__language_code="fr")
        assert english.exists(), model
        assert set(french.values_list("translation_key", flat=True)) == set(
            english.values_list("translation_key", flat=True)
        ), model
    french_names = set(
        Category.objects.filter(locale__language_code="fr").values_list("name", flat=True)
    )
    assert {spec["name_fr"] for spec in CATEGORIES} == french_names
    assert "Machines à café" in french_names
    # Threads point to the categories themselves, never to a translation.
    assert not Thread.objects.filter(category__locale__language_code="fr").exists()


def test_seed_demo_posts_threads_in_english_and_french(seeded):
    for language in ("en", "fr"):
        titles = [spec["title"] for spec in THREADS if spec["language"] == language]
        assert len(titles) >= 5
        assert Thread.objects.filter(title__in=titles).count() == len(titles)


def test_seed_demo_threads_carry_the_language_they_are_written_in(seeded):
    languages = dict(Thread.objects.values_list("title", "language"))
    for spec in THREADS:
        assert languages[spec["title"]] == spec["language"], spec["title"]
    assert set(languages.values()) == {"en", "fr"}


def test_seed_demo_french_members_read_in_french(seeded, client):
    languages = dict(User.objects.values_list("username", "language"))

    assert languages["claire"] == "fr"
    assert languages["oliver"] == languages["moderator"] == "en"
    assert {spec.get("language", "en") for spec in ACCOUNTS} == {"en", "fr"}
    client.force_login(User.objects.get(username="claire"))
    assert '<html lang="fr">' in client.get("/community/").content.decode()


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


def test_seed_demo_names_the_community_after_the_brand(seeded, client):
    assert CommunitySettings.load().community_name == "Maison Brio"
    thread = Thread.objects.filter(first_official_reply_at__isnull=False).first()

    content = client.get(thread.get_absolute_url()).content.decode()

    assert "Official reply · Maison Brio" in content
    assert "Maison Brio replied in" in content
    assert "Relais" not in content.split("<body", 1)[1]


@pytest.mark.premoderation
def test_seed_demo_newcomers_question_is_due_from_its_asking(seeded):
    pending = Thread.objects.get(visibility="pending")

    assert pending.published_at is None
    assert pending.response_due_at > pending.created_at


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
        # A new member's first reply waits for approval: no activity until then.
        latest_reply=Max("replies__created_at", filter=Q(replies__visibility="visible")),
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


def _first_acts() -> dict[int, object]:
    """Each account's first post, vote, "me too", follow or report."""
    from moderation.models import Report

    firsts = {}
    for model, field in (
        (Thread, "author"),
        (Reply, "author"),
        (HelpfulVote, "user"),
        (MeToo, "user"),
        (Follow, "user"),
        (Report, "reporter"),
    ):
        rows = model.objects.values(f"{field}_id").annotate(first=Min("created_at"))
        for row in rows:
            user_id, first = row[f"{field}_id"], row["first"]
            if user_id is not None and (user_id not in firsts or first < firsts[user_id]):
                firsts[user_id] = first
    return firsts


def test_seed_demo_members_joined_before_their_first_post(seeded):
    firsts = _first_acts()
    joined = dict(User.objects.values_list("pk", "date_joined"))

    assert firsts, "the story has posts"
    late = {pk: (joined[pk], first) for pk, first in firsts.items() if joined[pk] >= first}
    assert not late
    # Not all on one day: the demo's members joined at different times.
    assert len({joined[pk].date() for pk in firsts}) > 1


@pytest.mark.parametrize("path", ["/", "/help/", "/guidelines/", "/community/"])
def test_seed_demo_pages_answer(seeded, client, path):
    assert client.get(path).status_code == 200


def test_seed_demo_home_page_shows_the_hero_text(seeded, client):
    response = client.get("/")

    assert "How can we help you today?" in response.content.decode()


def test_seed_demo_home_page_looks_finished(seeded, client):
    html = client.get("/").content.decode()

    for heading in (
        "Announcements",
        "Browse by topic",
        "Featured discussions",
        "Recently solved",
        "Recent discussions",
        "Didn&#x27;t find your answer?",
    ):
        assert heading in html
    assert "Barista 3 firmware 2.4 fixes the E04 error after descaling" in html
    assert "Spring sale on Vortex blenders" not in html  # ended: kept in the admin only
    featured = html.split("Featured discussions", 1)[1].split("Recently solved", 1)[0]
    assert featured.count('class="thread-row"') == 3


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


def test_seed_demo_prints_what_the_story_holds(seeded):
    solutions = sum(1 for spec in THREADS if "solution" in spec)
    recommended = sum(
        1 for spec in THREADS for reply in spec["replies"] if "recommended_after_hours" in reply
    )
    votes = sum(len(reply.get("helpful", ())) for spec in THREADS for reply in spec["replies"])
    me_toos = sum(len(spec.get("me_too", ())) for spec in THREADS)

    assert f"solutions accepted: {solutions}," in seeded
    assert f"replies recommended: {recommended}," in seeded
    assert f"helpful votes: {votes}," in seeded
    assert f"me toos: {me_toos}," in seeded
    assert Thread.objects.filter(solution__isnull=False).count() == solutions
    assert HelpfulVote.objects.count() == votes
    # Every asker counts once on their own thread, the new member's pending one too.
    assert MeToo.objects.count() == Thread.objects.count() + me_toos


def test_seed_demo_solutions_are_marked_by_askers_and_by_the_moderator(seeded):
    now = timezone.now()
    solved = Thread.objects.filter(solution__isnull=False).select_related(
        "solution", "solution_marked_by"
    )

    by_asker = [thread for thread in solved if thread.solution_marked_by_id == thread.author_id]
    by_moderator = [
        thread for thread in solved if thread.solution_marked_by.username == "moderator"
    ]
    assert len(by_asker) >= 3
    assert len(by_moderator) >= 1
    assert len(by_asker) + len(by_moderator) == len(solved)
    assert any(not thread.solution.is_official for thread in by_asker)
    for thread in solved:
        assert thread.solution.thread_id == thread.pk
        assert thread.solution.created_at < thread.solved_at < now
        assert thread.updated_at >= thread.solved_at


def test_seed_demo_a_peer_solution_leaves_the_thread_awaiting_an_official_reply(seeded, client):
    solved_by_peers = Thread.objects.filter(
        solution__isnull=False, first_official_reply_at__isnull=True
    )

    assert solved_by_peers.exists()
    for thread in solved_by_peers:
        assert thread.is_visible
        assert not thread.replies.filter(is_official=True).exists()
    response = client.get("/community/", {"status": "awaiting-official"})
    assert solved_by_peers.first().title in response.content.decode()


def test_seed_demo_moderator_recommends_a_few_member_replies(seeded):
    now = timezone.now()
    moderator = User.objects.get(username="moderator")
    recommended = Reply.objects.filter(recommended_at__isnull=False)

    assert 2 <= recommended.count() <= 3
    for reply in recommended:
        assert not reply.is_official
        assert reply.recommended_by == moderator
        assert reply.created_at < reply.recommended_at < now
        assert Notification.objects.filter(
            kind=Notification.Kind.RECOMMENDED, recipient=reply.author, reply=reply
        ).exists()
    assert not Reply.objects.filter(recommended_at__isnull=True, recommended_by__isnull=False)


def test_seed_demo_helpful_votes_come_from_other_members_after_the_reply(seeded):
    now = timezone.now()
    votes = HelpfulVote.objects.select_related("reply")

    assert not votes.filter(user=F("reply__author")).exists()
    assert votes.values("user").distinct().count() >= 6
    assert Reply.objects.filter(helpful_count__gte=3).exists()
    assert Reply.objects.filter(is_official=False, helpful_count__gte=2).exists()
    for vote in votes:
        assert vote.reply.created_at < vote.created_at < now


def test_seed_demo_me_toos_make_sorting_by_votes_meaningful(seeded):
    now = timezone.now()
    counts = list(Thread.objects.values_list("me_too_count", flat=True))

    assert len(set(counts)) >= 4
    assert min(counts) == 1
    assert max(counts) >= 5
    for thread in Thread.objects.all():
        askers_own = MeToo.objects.filter(thread=thread, user=thread.author)
        assert askers_own.count() == 1  # the automatic first, nothing more
        assert askers_own.get().created_at == thread.created_at
        for me_too in MeToo.objects.filter(thread=thread).exclude(user=thread.author):
            assert thread.created_at < me_too.created_at < now
            # Saying "me too" follows the thread, from that moment.
            follow = Follow.objects.get(thread=thread, user=me_too.user)
            assert follow.created_at <= me_too.created_at
    others = MeToo.objects.exclude(user=F("thread__author"))
    assert others.values("user").distinct().count() >= 8


def test_seed_demo_edits_keep_the_earlier_text(seeded):
    now = timezone.now()
    edited_threads = Thread.objects.filter(edited_at__isnull=False)
    edited_replies = Reply.objects.filter(edited_at__isnull=False)

    assert edited_threads.exists()
    assert edited_replies.exists()
    for post in [*edited_threads, *edited_replies]:
        revision = post.revisions.get()
        assert revision.editor_id == post.author_id
        assert revision.created_at == post.edited_at
        assert post.created_at < post.edited_at < now
        assert revision.body != post.body
    assert Revision.objects.count() == edited_threads.count() + edited_replies.count()


def test_seed_demo_replies_mention_members(seeded):
    mentions = Notification.objects.filter(
        kind=Notification.Kind.MENTION, reply__isnull=False
    ).select_related("recipient", "reply")

    assert mentions.exists()
    for notification in mentions:
        assert f"@{notification.recipient.username}" in notification.reply.body
        assert 'class="mention"' in notification.reply.body_html


def test_seed_demo_notifications_are_dated_with_the_act(seeded):
    now = timezone.now()
    notifications = Notification.objects.select_related("thread", "reply")

    assert notifications.filter(kind=Notification.Kind.OFFICIAL_REPLY).exists()
    assert notifications.filter(kind=Notification.Kind.SOLUTION).exists()
    assert notifications.filter(kind=Notification.Kind.ACCEPTED).exists()
    assert not notifications.filter(recipient=F("actor")).exists()
    for notification in notifications:
        assert notification.thread.created_at <= notification.created_at < now
        if notification.reply_id:
            assert notification.reply.created_at <= notification.created_at
    for follow in Follow.objects.select_related("thread"):
        assert follow.thread.created_at <= follow.created_at < now


FRENCH_PAGES = {
    "/fr/": "Comment pouvons-nous vous aider aujourd\u2019hui ?",
    "/fr/help/": "Détartrer votre Barista 3",
    "/fr/help/descaling-barista-3/": "Lancer le cycle de détartrage",
    "/fr/guidelines/": "Charte de la communauté",
    "/fr/privacy/": "Politique de confidentialité",
    "/fr/terms/": "Conditions d\u2019utilisation",
    "/fr/legal-notice/": "Mentions légales",
}


@pytest.mark.parametrize("path", FRENCH_PAGES)
def test_seed_demo_writes_every_page_in_french(seeded, client, path):
    html = client.get(path).content.decode()

    assert '<html lang="fr">' in html
    assert FRENCH_PAGES[path] in html
    assert 'data-testid="translation-missing"' not in html


def test_seed_demo_french_pages_are_translations_of_the_english_ones(seeded):

    french = Page.objects.filter(locale__language_code="fr", depth__gt=1)
    english = Page.objects.filter(locale__language_code="en", depth__gt=1)
    assert french.count() == english.count()
    assert set(french.values_list("translation_key", flat=True)) == set(
        english.values_list("translation_key", flat=True)
    )
    assert not french.filter(alias_of__isnull=False).exists()


def test_seed_demo_french_help_centre_links_the_french_guidelines(seeded, client):
    assert 'href="/fr/guidelines/"' in client.get("/fr/help/").content.decode()
    assert 'href="/fr/help/"' in client.get("/fr/").content.decode()


def test_seed_demo_sets_the_team_hours_its_announcement_tells_about(seeded):
    from datetime import date

    from community.models import Announcement, CommunitySettings

    calendar = CommunitySettings.load().business_calendar
    assert str(calendar.time_zone) == "Europe/Paris"
    assert sorted((p.weekday, p.opens.hour, p.closes.hour) for p in calendar.periods) == [
        (day, 9, 18) for day in range(5)
    ]
    christmas = [day for day in calendar.closed_days if (day.month, day.day) == (12, 25)]
    assert len(christmas) == 1
    year = christmas[0].year
    assert {date(year, 12, 24), date(year, 12, 26), date(year, 12, 31), date(year + 1, 1, 1)} <= (
        calendar.closed_days
    )
    announcement = Announcement.objects.get(title="Customer care hours over the holidays")
    assert "closed from 24 to 26 December" in announcement.body
    assert "9:00 to 18:00" in announcement.body
    # The open threads' due times count those hours.
    thread = Thread.objects.awaiting_official_reply().exclude(response_due_at=None).first()
    target = timedelta(hours=thread.category.response_hours(CommunitySettings.load()))
    assert calendar.add(thread.created_at, target) == thread.response_due_at


def test_seed_demo_follows_a_conversation_past_a_not_yet_in_both_languages(seeded):
    from community.models import ResolutionCheck, SatisfactionRating
    from moderation.metrics import support_metrics

    not_yet = ResolutionCheck.objects.filter(answer="not_yet").select_related("thread")
    assert {check.thread.language for check in not_yet} == {"en", "fr"}
    # The French one was followed up, solved and rated: the metrics have a follow-up.
    followed = not_yet.get(thread__language="fr").thread
    assert followed.solution_id is not None
    assert followed.replies.filter(is_official=True).count() == 2
    assert SatisfactionRating.objects.filter(thread=followed, score=5).exists()
    metrics = support_metrics(now=timezone.now())
    assert metrics.follow_up_median is not None

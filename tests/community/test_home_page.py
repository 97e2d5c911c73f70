"""The home page editors arrange: its sections, what each lists, the cache that keeps
it cheap, and the announcements and thread chooser behind it (issue 5, point 1)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from community.cache import content_version
from community.models import Announcement, HomePage, Visibility
from tests.community.test_queries import assert_same_queries, queries
from tests.factories import CategoryFactory, ReplyFactory, ThreadFactory, UserFactory
from tests.helpers import caches_cold

pytestmark = pytest.mark.django_db


def publish_home(*sections) -> HomePage:
    """Publish the home page with these (block type, value) sections, as an editor would."""
    home = HomePage.objects.get()
    home.body = list(sections)
    home.save_revision().publish()
    return HomePage.objects.get()


def hero(heading="Welcome to the community", show_search=True):
    return ("hero", {"heading": heading, "text": "", "show_search": show_search})


def section(block_type, **value):
    return (block_type, {"heading": "", **value})


def solve(thread, *, at):
    reply = ReplyFactory(thread=thread)
    type(thread).objects.filter(pk=thread.pk).update(solution=reply, solved_at=at)
    return reply


def html_of(client, path="/") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


# Sections ---------------------------------------------------------------------------


def test_home_hero_first_spans_the_page_with_the_search_box(client):
    publish_home(hero("How can we help you today?"), section("category_grid", show_counts=True))

    html = html_of(client)

    assert '<h1 id="hero-' in html
    assert "How can we help you today?" in html
    assert f'action="{reverse("community:search")}"' in html


def test_home_hero_without_search_box(client):
    publish_home(hero(show_search=False))

    assert 'role="search" action="/community/search/"' not in html_of(client).split("<main")[1]


def test_home_category_grid_counts_visible_threads(client):
    coffee = CategoryFactory(name="Coffee machines")
    ThreadFactory.create_batch(2, category=coffee)
    ThreadFactory(category=coffee, visibility=Visibility.HIDDEN)
    publish_home(hero(), section("category_grid", show_counts=True))

    html = html_of(client)

    assert "Coffee machines" in html
    assert "2 discussions" in html


def test_home_featured_threads_keep_the_editors_order_and_drop_hidden_ones(client):
    first = ThreadFactory(title="Featured second by date, first by choice")
    second = ThreadFactory(title="Featured first by date, second by choice")
    hidden = ThreadFactory(title="A thread hidden after it was featured")
    publish_home(section("featured_threads", threads=[first, second, hidden]))
    type(hidden).objects.filter(pk=hidden.pk).update(visibility=Visibility.HIDDEN)

    html = html_of(client)

    assert "Featured discussions" in html
    assert html.index(first.title) < html.index(second.title)
    assert hidden.title not in html


def test_home_featured_section_disappears_when_none_is_visible(client):
    thread = ThreadFactory(visibility=Visibility.PENDING)
    publish_home(section("featured_threads", threads=[thread]))

    assert "Featured discussions" not in html_of(client)


def test_home_latest_solved_lists_only_solved_threads_latest_solved_first(client):
    now = timezone.now()
    older = ThreadFactory(title="Solved last week")
    newer = ThreadFactory(title="Solved this morning")
    open_thread = ThreadFactory(title="Still open, lots of activity")
    solve(older, at=now - timedelta(days=7))
    solve(newer, at=now - timedelta(hours=2))
    publish_home(section("latest_threads", show="solved", count=5))

    html = html_of(client)

    assert "Recently solved" in html
    assert html.index(newer.title) < html.index(older.title)
    assert open_thread.title not in html


def test_home_latest_threads_respects_the_count(client):
    ThreadFactory.create_batch(4)
    publish_home(section("latest_threads", show="active", count=2))

    assert html_of(client).count('class="thread-row"') == 2


def test_home_latest_unanswered_leaves_out_threads_with_replies(client):
    answered = ThreadFactory(title="Somebody answered this one", reply_count=1)
    waiting = ThreadFactory(title="Nobody answered this one yet")
    publish_home(section("latest_threads", show="unanswered", count=5))

    html = html_of(client)

    assert waiting.title in html
    assert answered.title not in html


def test_home_shows_each_thread_once_featured_first_then_sections_top_down(client):
    now = timezone.now()
    # Recently solved, recently active and without a reply: fits all three lists.
    everywhere = ThreadFactory(title="The grinder stops after a second")
    solve(everywhere, at=now)
    solved = ThreadFactory(title="Milk froth too thin")
    solve(solved, at=now - timedelta(hours=1))
    type(everywhere).objects.filter(pk__in=[everywhere.pk, solved.pk]).update(reply_count=0)
    waiting = ThreadFactory(title="Water tank leaks at the bottom")
    publish_home(
        section("latest_threads", show="solved", count=5),
        section("latest_threads", show="active", count=5),
        section("latest_threads", show="unanswered", count=5),
        section("featured_threads", threads=[everywhere]),
    )

    html = html_of(client)

    for thread in (everywhere, solved, waiting):
        assert html.count(f">{thread.title}<") == 1, thread.title
    # The editor's choice wins, though its section comes last; then the first section.
    assert html.index("Featured discussions") < html.index(everywhere.title)
    assert (
        html.index("Recently solved") < html.index(solved.title) < html.index("Recent discussions")
    )
    assert html.index("Recent discussions") < html.index(waiting.title)


def test_home_lists_fill_their_count_with_threads_not_shown_above(client):
    threads = ThreadFactory.create_batch(4)
    publish_home(
        section("latest_threads", show="active", count=2),
        section("latest_threads", show="active", count=2),
    )

    html = html_of(client)

    assert html.count('class="thread-row"') == 4
    assert all(html.count(f">{thread.title}<") == 1 for thread in threads)


def test_home_section_heading_written_by_the_editor_replaces_the_default(client):
    publish_home(("latest_threads", {"heading": "Fixed by owners", "show": "solved", "count": 3}))

    html = html_of(client)

    assert "Fixed by owners" in html
    assert "Recently solved" not in html


def test_home_default_headings_follow_the_visitors_language(client):
    publish_home(section("latest_threads", show="solved", count=3))

    english = html_of(client)
    french = client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "Recently solved" in english
    assert "Résolues récemment" in french


def test_home_announcements_show_only_the_current_ones(client):
    now = timezone.now()
    Announcement.objects.create(title="Showing now", starts_at=now - timedelta(days=1))
    Announcement.objects.create(title="Starts next week", starts_at=now + timedelta(days=7))
    Announcement.objects.create(
        title="Ended yesterday",
        starts_at=now - timedelta(days=10),
        ends_at=now - timedelta(days=1),
    )
    publish_home(section("announcements", count=3))

    html = html_of(client)

    assert "Showing now" in html
    assert "Starts next week" not in html
    assert "Ended yesterday" not in html


def test_home_announcement_link_reads_read_more_by_default(client):
    Announcement.objects.create(
        title="Firmware 2.4 is out", link_url="https://brand.example/firmware"
    )
    publish_home(section("announcements", count=3))

    html = html_of(client)

    assert 'href="https://brand.example/firmware"' in html
    assert "Read more" in html


def test_home_call_to_action_leads_to_the_ask_page(client):
    publish_home(("call_to_action", {"heading": "Still stuck?", "text": "", "button_label": ""}))

    html = html_of(client)

    assert "Still stuck?" in html
    assert f'href="{reverse("community:ask")}"' in html
    assert "Ask the community" in html


def test_home_rich_text_section_is_rendered(client):
    publish_home(("rich_text", "<h2>About this community</h2><p>Run by owners.</p>"))

    assert "<h2>About this community</h2>" in html_of(client)


def test_home_escapes_thread_titles(client):
    thread = ThreadFactory(title="<script>alert('featured')</script> in the title")
    publish_home(section("featured_threads", threads=[thread]))

    html = html_of(client)

    assert "<script>alert('featured')</script>" not in html
    assert "&lt;script&gt;" in html


def test_home_migrated_default_body_shows_hero_categories_and_lists(client):
    # The home page the migrations create (no editor has touched it).
    CategoryFactory(name="Orders & delivery")

    html = html_of(client)

    assert "How can we help?" in html
    assert "Orders &amp; delivery" in html
    assert "Recently solved" in html
    assert "Recent discussions" in html


# Queries and cache --------------------------------------------------------------------


def add_rows(rows: int):
    """Categories, threads (every other one solved, some tagged) and announcements.

    A thread shows in one section only, so the featured section takes a third of
    the rows (at most ten) and the solved and active lists share the rest: every
    section shows rows, from three rows on."""
    now = timezone.now()
    for number in range(rows):
        thread = ThreadFactory(category=CategoryFactory())
        thread.tags.add("descaling", f"tag-{thread.pk}")
        if number % 2 == 0:
            solve(thread, at=now)
        Announcement.objects.create(title=f"News {number}", starts_at=now - timedelta(hours=1))
    featured = list(type(thread).objects.order_by("-pk")[: min(10, max(1, rows // 3))])
    publish_home(
        hero(),
        section("announcements", count=10),
        section("category_grid", show_counts=True),
        section("featured_threads", threads=featured),
        section("latest_threads", show="solved", count=12),
        section("latest_threads", show="active", count=12),
        ("rich_text", "<p>Hello.</p>"),
        ("call_to_action", {"heading": "Ask", "text": "", "button_label": ""}),
    )


def test_home_queries_are_the_same_for_3_and_50_rows(client):
    add_rows(3)
    with_three, html = queries(client, "/")
    assert html.count('class="announcement"') == 3
    assert html.count('class="thread-row"') == 3  # one in each list
    add_rows(47)
    caches_cold()  # rows written outside a request (community.cache)
    with_fifty, html = queries(client, "/")

    assert html.count('class="announcement"') == 10
    assert html.count('class="thread-row"') == 10 + 12 + 12
    assert_same_queries(with_three, with_fifty, "home page")


def test_home_sections_come_from_the_cache_on_the_next_visit(client):
    add_rows(5)
    first, html = queries(client, "/")
    again, html_again = queries(client, "/", cold=False)

    assert len(again) < len(first)
    assert not any("community_thread" in sql for sql in again)
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert main in html_again


def test_home_shows_a_new_thread_at_once_to_the_member_who_posted_it():
    category = CategoryFactory()
    publish_home(section("latest_threads", show="active", count=6))
    member = UserFactory()
    client = Client()
    client.force_login(member)
    assert "A brand new question about the grinder" not in html_of(client)

    response = client.post(
        reverse("community:ask"),
        {
            "title": "A brand new question about the grinder",
            "category": category.pk,
            "body": "The grinder makes a loud noise since this morning.",
            "tags": "grinder",
        },
    )

    assert response.status_code == 302
    assert "A brand new question about the grinder" in html_of(client)
    assert "A brand new question about the grinder" in html_of(Client())


def test_content_version_moves_on_after_a_members_write_not_after_a_read(client, member_client):
    thread = ThreadFactory()
    before = content_version()
    member_client.get(thread.get_absolute_url())
    assert content_version() == before

    response = member_client.post(reverse("community:thread_follow", args=[thread.pk]))

    assert response.status_code == 302
    assert content_version() != before


def test_content_version_stays_when_a_visitor_posts(client):
    thread = ThreadFactory()
    before = content_version()

    response = client.post(reverse("community:thread_follow", args=[thread.pk]))

    assert response.status_code == 302  # to the sign-in page
    assert content_version() == before


def test_home_cache_key_differs_by_language():
    home = HomePage.objects.get()
    with translation.override("en"):
        english = home.cache_key
    with translation.override("fr"):
        french = home.cache_key

    assert english != french


# Announcements -----------------------------------------------------------------------


def test_announcement_must_end_after_it_starts():
    now = timezone.now()
    announcement = Announcement(title="Backwards", starts_at=now, ends_at=now - timedelta(hours=1))

    with pytest.raises(ValidationError) as error:
        announcement.full_clean()

    assert "ends_at" in error.value.message_dict


@pytest.mark.parametrize(
    ("starts_in", "ends_in", "status"),
    [(-1, None, "showing"), (-1, 1, "showing"), (1, None, "scheduled"), (-2, -1, "ended")],
)
def test_announcement_status(starts_in, ends_in, status):
    now = timezone.now()
    announcement = Announcement.objects.create(
        title="News",
        starts_at=now + timedelta(days=starts_in),
        ends_at=now + timedelta(days=ends_in) if ends_in is not None else None,
    )

    assert announcement.status(now) == status
    assert list(Announcement.objects.status(status, now=now)) == [announcement]


def test_editor_adds_an_announcement_in_the_admin_and_it_keeps_a_revision(editor_client):
    response = editor_client.post(
        reverse("wagtailsnippets_community_announcement:add"),
        {
            "title": "New grinder accessories",
            "body": '{"blocks": [], "entityMap": {}}',
            "link_url": "",
            "link_label": "",
            "starts_at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
            "ends_at": "",
        },
    )

    assert response.status_code == 302
    announcement = Announcement.objects.get(title="New grinder accessories")
    assert announcement.revisions.count() == 1


def test_announcement_list_filters_by_status(editor_client):
    now = timezone.now()
    Announcement.objects.create(title="Showing now", starts_at=now - timedelta(days=1))
    Announcement.objects.create(title="Starts next week", starts_at=now + timedelta(days=7))

    response = editor_client.get(
        reverse("wagtailsnippets_community_announcement:list"), {"status": "scheduled"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Starts next week" in html
    assert "Showing now" not in html


def test_announcement_list_searches_titles(editor_client):
    Announcement.objects.create(title="Firmware 2.4 is out")
    Announcement.objects.create(title="Holiday opening hours")

    response = editor_client.get(
        reverse("wagtailsnippets_community_announcement:list"), {"q": "firmware"}
    )

    html = response.content.decode()
    assert "Firmware 2.4 is out" in html
    assert "Holiday opening hours" not in html


def test_announcement_list_queries_are_the_same_for_1_and_50_rows(editor_client):
    url = reverse("wagtailsnippets_community_announcement:list")
    Announcement.objects.create(title="News 0")
    editor_client.get(url)  # warm the per-process caches (content types, site)
    with_one, _ = queries(editor_client, url)
    for number in range(1, 50):
        Announcement.objects.create(title=f"News {number}")

    with_fifty, html = queries(editor_client, url)

    assert "News 49" in html
    assert_same_queries(with_one, with_fifty, "announcement list")


def test_announcement_admin_refused_to_moderators_and_members(moderator_client, member_client):
    url = reverse("wagtailsnippets_community_announcement:add")

    for client in (moderator_client, member_client):
        response = client.get(url)
        assert response.status_code in (302, 403)
        assert Announcement.objects.count() == 0


def test_category_list_filters_by_own_target(editor_client):
    CategoryFactory(name="Repairs with a target", first_response_hours=4)
    CategoryFactory(name="Tips on the default target")

    response = editor_client.get(
        reverse("wagtailsnippets_community_category:list"), {"own_target": "true"}
    )

    html = response.content.decode()
    assert "Repairs with a target" in html
    assert "Tips on the default target" not in html


# The thread chooser ---------------------------------------------------------------------


def test_thread_chooser_lists_visible_threads_only(editor_client):
    ThreadFactory(title="Visible thread about descaling")
    ThreadFactory(title="Hidden thread about descaling", visibility=Visibility.HIDDEN)
    ThreadFactory(title="Pending thread about descaling", visibility=Visibility.PENDING)

    response = editor_client.get(reverse("thread_chooser:choose"))

    html = response.json()["html"]
    assert "Visible thread about descaling" in html
    assert "Hidden thread about descaling" not in html
    assert "Pending thread about descaling" not in html


def test_thread_chooser_searches_titles_and_filters_by_category(editor_client):
    coffee = CategoryFactory(name="Coffee")
    ThreadFactory(title="Grinder jams on dark roast", category=coffee)
    ThreadFactory(title="Grinder noise on the blender")
    ThreadFactory(title="Milk frother bubbles", category=coffee)

    response = editor_client.get(
        reverse("thread_chooser:choose_results"), {"q": "grinder", "category": coffee.pk}
    )

    html = response.content.decode()
    assert "Grinder jams on dark roast" in html
    assert "Grinder noise on the blender" not in html
    assert "Milk frother bubbles" not in html


def test_thread_chooser_never_offers_to_create_a_thread(editor_client):
    response = editor_client.get(reverse("thread_chooser:choose"))

    assert "Create" not in response.json()["html"]


def test_thread_chooser_refused_to_members_and_visitors(client, member_client):
    url = reverse("thread_chooser:choose")

    assert client.get(url).status_code == 302
    assert member_client.get(url).status_code in (302, 403)


def test_thread_chooser_queries_are_the_same_for_1_and_50_rows(editor_client):
    url = reverse("thread_chooser:choose_results")
    ThreadFactory(category=CategoryFactory())
    editor_client.get(url)
    with_one, _ = queries(editor_client, url)
    for _ in range(49):
        ThreadFactory(category=CategoryFactory())

    with_fifty, html = queries(editor_client, url)

    assert html.count("<tr") >= 20  # a full page of results
    assert_same_queries(with_one, with_fifty, "thread chooser")


# Who runs the home page ------------------------------------------------------------------


def test_editors_publish_the_home_page_members_and_moderators_do_not(editor, moderator, member):
    home = HomePage.objects.get()

    assert home.permissions_for_user(editor).can_publish()
    assert not home.permissions_for_user(moderator).can_publish()
    assert not home.permissions_for_user(member).can_publish()


def test_editor_publishes_the_home_page_through_the_admin(editor_client, client):
    home = HomePage.objects.get()
    edit_url = reverse("wagtailadmin_pages:edit", args=[home.pk])
    form = editor_client.get(edit_url)
    assert form.status_code == 200

    response = editor_client.post(
        edit_url,
        {
            "title": home.title,
            "slug": home.slug,
            "body-count": "1",
            "body-0-deleted": "",
            "body-0-order": "0",
            "body-0-type": "call_to_action",
            "body-0-id": "",
            "body-0-value-heading": "Tell us what went wrong",
            "body-0-value-text": "",
            "body-0-value-button_label": "",
            "action-publish": "action-publish",
        },
    )

    assert response.status_code == 302
    assert "Tell us what went wrong" in html_of(client)

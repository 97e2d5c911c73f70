"""The community in the Wagtail admin: editors read threads, replies and reports;
only moderators hide and restore, through the services; nobody edits posts there."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from accounts.roles import EDITORS_GROUP, MODERATORS_GROUP
from community.models import Reply, Thread, Visibility
from moderation import admin_views, services
from moderation.audit import REPLY_HIDE, REPLY_RESTORE, THREAD_HIDE, THREAD_RESTORE
from moderation.models import Report
from tests.factories import CategoryFactory, ReplyFactory, ThreadFactory, UserFactory
from tests.helpers import caches_cold, client_for


@pytest.fixture
def moderating_editor_client(db):
    """An editor who also holds the moderation permission (both groups)."""
    return client_for(UserFactory(groups=[EDITORS_GROUP, MODERATORS_GROUP]))


LIST_URLS = ["community_threads:index", "community_replies:index", "community_reports:index"]


@pytest.fixture
def thread(db, member):
    return ThreadFactory(author=member, title="The kettle whistles at night")


@pytest.fixture
def reply(db, thread, other_member):
    return ReplyFactory(thread=thread, author=other_member, body="Descale it with vinegar.")


@pytest.fixture
def report(db, thread, other_member):
    return services.report_create(reporter=other_member, thread=thread, reason="spam")


def _log_count(obj, action):
    return ModelLogEntry.objects.filter(object_id=str(obj.pk), action=action).count()


# Who may read ------------------------------------------------------------------------


@pytest.mark.parametrize("name", LIST_URLS)
def test_editor_reads_the_community_lists(editor_client, thread, reply, report, name):
    response = editor_client.get(reverse(name))
    assert response.status_code == 200


def test_thread_list_shows_the_columns(editor_client, thread):
    response = editor_client.get(reverse("community_threads:index"))
    html = response.content.decode()
    assert "The kettle whistles at night" in html
    assert thread.category.name in html
    assert "Awaiting" in html
    # Read-only: no add button, no edit link.
    assert "/admin/community/threads/new/" not in html
    assert "/edit/" not in html


@pytest.mark.parametrize(
    ("name", "obj"),
    [
        ("community_threads:inspect", "thread"),
        ("community_replies:inspect", "reply"),
        ("community_reports:inspect", "report"),
    ],
)
def test_editor_inspects_a_post(request, editor_client, name, obj):
    instance = request.getfixturevalue(obj)
    response = editor_client.get(reverse(name, args=[instance.pk]))
    assert response.status_code == 200


def test_editor_sees_no_moderation_buttons(editor_client, thread):
    response = editor_client.get(reverse("community_threads:inspect", args=[thread.pk]))
    assert reverse("community_threads:hide", args=[thread.pk]) not in response.content.decode()


def test_moderating_superuser_sees_the_hide_button(superuser_client, thread):
    response = superuser_client.get(reverse("community_threads:inspect", args=[thread.pk]))
    assert reverse("community_threads:hide", args=[thread.pk]) in response.content.decode()


def test_there_are_no_write_routes():
    from django.urls import NoReverseMatch

    for namespace in ("community_threads", "community_replies", "community_reports"):
        for view in ("add", "edit", "delete", "copy"):
            with pytest.raises(NoReverseMatch):
                reverse(f"{namespace}:{view}", args=[1])


@pytest.mark.parametrize("name", LIST_URLS)
def test_visitor_is_sent_to_the_admin_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("name", LIST_URLS)
def test_member_cannot_reach_the_admin_lists(member_client, name):
    response = member_client.get(reverse(name))
    # Wagtail sends a signed-in user without admin access to its login page.
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_moderator_without_admin_access_cannot_reach_the_admin(moderator_client, thread):
    response = moderator_client.get(reverse("community_threads:hide", args=[thread.pk]))
    assert response.status_code in (302, 403)
    thread.refresh_from_db()
    assert thread.visibility == Visibility.VISIBLE


# Who may moderate ----------------------------------------------------------------


@pytest.mark.parametrize("action", ["hide", "restore"])
def test_editor_cannot_hide_or_restore_a_thread(editor_client, thread, action):
    if action == "restore":
        Thread.objects.filter(pk=thread.pk).update(visibility=Visibility.HIDDEN)
    before = Thread.objects.get(pk=thread.pk).visibility
    url = reverse(f"community_threads:{action}", args=[thread.pk])
    assert editor_client.get(url).status_code == 403
    assert editor_client.post(url, {"reason": "Spam"}).status_code == 403
    assert Thread.objects.get(pk=thread.pk).visibility == before
    assert _log_count(thread, THREAD_HIDE) + _log_count(thread, THREAD_RESTORE) == 0


def test_editor_cannot_hide_a_reply(editor_client, reply):
    url = reverse("community_replies:hide", args=[reply.pk])
    assert editor_client.post(url, {"reason": "Spam"}).status_code == 403
    assert Reply.objects.get(pk=reply.pk).visibility == Visibility.VISIBLE


def test_member_cannot_hide(member_client, thread):
    url = reverse("community_threads:hide", args=[thread.pk])
    response = member_client.post(url, {"reason": "Spam"})
    assert response.status_code in (302, 403)
    assert Thread.objects.get(pk=thread.pk).visibility == Visibility.VISIBLE


def test_visitor_cannot_hide(client, thread):
    url = reverse("community_threads:hide", args=[thread.pk])
    response = client.post(url, {"reason": "Spam"})
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert Thread.objects.get(pk=thread.pk).visibility == Visibility.VISIBLE


def test_superuser_hides_and_restores_a_thread_through_the_services(
    superuser_client, superuser, thread
):
    url = reverse("community_threads:hide", args=[thread.pk])
    form = superuser_client.get(url)
    assert form.status_code == 200
    assert 'name="reason"' in form.content.decode()

    response = superuser_client.post(url, {"reason": "Advertising a competitor"})
    assert response.status_code == 302
    assert response["Location"] == reverse("community_threads:inspect", args=[thread.pk])
    thread.refresh_from_db()
    assert thread.visibility == Visibility.HIDDEN
    assert thread.hidden_reason == "Advertising a competitor"
    entry = ModelLogEntry.objects.get(object_id=str(thread.pk), action=THREAD_HIDE)
    assert entry.user_id == superuser.pk
    assert entry.data["reason"] == "Advertising a competitor"

    # A double submit changes nothing and logs nothing more.
    superuser_client.post(url, {"reason": "Advertising a competitor"})
    assert _log_count(thread, THREAD_HIDE) == 1

    restore = reverse("community_threads:restore", args=[thread.pk])
    assert superuser_client.post(restore, {"reason": ""}).status_code == 302
    thread.refresh_from_db()
    assert thread.visibility == Visibility.VISIBLE
    assert _log_count(thread, THREAD_RESTORE) == 1


def test_hiding_needs_a_reason(superuser_client, thread):
    url = reverse("community_threads:hide", args=[thread.pk])
    response = superuser_client.post(url, {"reason": "   "})
    assert response.status_code == 400
    assert Thread.objects.get(pk=thread.pk).visibility == Visibility.VISIBLE
    assert _log_count(thread, THREAD_HIDE) == 0


def test_superuser_hides_and_restores_a_reply(superuser_client, reply):
    url = reverse("community_replies:hide", args=[reply.pk])
    assert superuser_client.post(url, {"reason": "Rude"}).status_code == 302
    reply.refresh_from_db()
    assert reply.visibility == Visibility.HIDDEN
    assert _log_count(reply, REPLY_HIDE) == 1

    restore = reverse("community_replies:restore", args=[reply.pk])
    assert superuser_client.post(restore, {"reason": "Misread"}).status_code == 302
    reply.refresh_from_db()
    assert reply.visibility == Visibility.VISIBLE
    assert _log_count(reply, REPLY_RESTORE) == 1


def test_the_reason_limit_matches_the_services():
    from moderation import admin_views

    assert admin_views.REASON_MAX_LENGTH == services.REASON_MAX_LENGTH


def test_hiding_a_missing_post_is_a_404(superuser_client, db):
    url = reverse("community_threads:hide", args=[999999])
    assert superuser_client.post(url, {"reason": "Spam"}).status_code == 404


# Filters and search ----------------------------------------------------------------


def _titles(response):
    return response.content.decode()


@pytest.mark.breaks_queue  # official replies stood in for by their timestamps
def test_thread_filters(moderating_editor_client, member):
    editor_client = moderating_editor_client  # the hidden thread is theirs to read
    now = timezone.now()
    category = CategoryFactory(name="Coffee machines")
    answered = ThreadFactory(title="Answered thread about grinders", category=category)
    Thread.objects.filter(pk=answered.pk).update(first_official_reply_at=now)
    overdue = ThreadFactory(title="Overdue thread about filters")
    Thread.objects.filter(pk=overdue.pk).update(response_due_at=now - timedelta(hours=1))
    hidden = ThreadFactory(title="Hidden thread about spam links")
    Thread.objects.filter(pk=hidden.pk).update(visibility=Visibility.HIDDEN)
    url = reverse("community_threads:index")

    html = _titles(editor_client.get(url, {"official": "answered"}))
    assert "Answered thread" in html and "Overdue thread" not in html

    html = _titles(editor_client.get(url, {"official": "overdue"}))
    assert "Overdue thread" in html and "Answered thread" not in html

    html = _titles(editor_client.get(url, {"hidden": "true"}))
    assert "Hidden thread" in html and "Overdue thread" not in html

    html = _titles(editor_client.get(url, {"visibility": "hidden"}))
    assert "Hidden thread" in html and "Answered thread" not in html

    html = _titles(editor_client.get(url, {"category": category.pk}))
    assert "Answered thread" in html and "Hidden thread" not in html

    html = _titles(editor_client.get(url, {"q": "grinders"}))
    assert "Answered thread" in html and "Overdue thread" not in html


@pytest.mark.breaks_queue  # official replies stood in for by their timestamps
def test_official_status_of_a_row_agrees_with_the_filter(db):
    """The column reads one loaded thread; the filter asks the database: same states,
    hidden and pending threads included."""
    now = timezone.now()
    answered = ThreadFactory()
    Thread.objects.filter(pk=answered.pk).update(first_official_reply_at=now)
    overdue = ThreadFactory()
    hidden_overdue = ThreadFactory()
    Thread.objects.filter(pk__in=[overdue.pk, hidden_overdue.pk]).update(
        response_due_at=now - timedelta(hours=1)
    )
    Thread.objects.filter(pk=hidden_overdue.pk).update(visibility=Visibility.HIDDEN)
    ThreadFactory()  # awaiting, inside its target
    ThreadFactory(visibility=Visibility.PENDING, response_due_at=None)  # awaiting, no due time

    def filtered(status):
        rows = Thread.objects.filter(admin_views.official_status_q(status, at=now))
        return set(rows.values_list("pk", flat=True))

    def by_row(status):
        threads = Thread.objects.all()
        return {t.pk for t in threads if admin_views.official_status(t, now) == status}

    assert filtered("answered") == by_row("answered") == {answered.pk}
    assert filtered("overdue") == by_row("overdue") == {overdue.pk, hidden_overdue.pk}
    # "Awaiting" lists every thread without an official reply, the overdue ones too;
    # the column says "Overdue" for those.
    assert filtered("awaiting") == by_row("awaiting") | by_row("overdue")
    assert len(by_row("awaiting")) == 2


def test_thread_published_today_filter(editor_client):
    ThreadFactory(title="Asked this very morning")
    old = ThreadFactory(title="Asked a long time ago")
    Thread.objects.filter(pk=old.pk).update(published_at=timezone.now() - timedelta(days=30))
    html = _titles(editor_client.get(reverse("community_threads:index"), {"published": "today"}))
    assert "Asked this very morning" in html and "Asked a long time ago" not in html


@pytest.mark.breaks_queue  # an official reply marked without the thread's timestamp
def test_reply_filters(editor_client, thread):
    ReplyFactory(thread=thread, body="An official word from the brand team")
    Reply.objects.filter(body__startswith="An official").update(is_official=True)
    ReplyFactory(thread=thread, body="A peer suggestion from a member")
    url = reverse("community_replies:index")
    html = _titles(editor_client.get(url, {"is_official": "true"}))
    assert "An official word" in html and "A peer suggestion" not in html
    html = _titles(editor_client.get(url, {"visibility": "hidden"}))
    assert "An official word" not in html


def test_report_list_shows_the_report(editor_client, report, thread):
    html = _titles(editor_client.get(reverse("community_reports:index")))
    assert thread.title in html
    assert str(Report.Reason.SPAM.label) in html


# Constant queries ------------------------------------------------------------------


def _count_queries(client, url):
    caches_cold()  # measure from cold caches, as after a write
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", LIST_URLS)
def test_lists_run_constant_queries(superuser_client, name):
    category = CategoryFactory()
    reporters = UserFactory.create_batch(2)

    def add_rows(count):
        for _ in range(count):
            thread = ThreadFactory(category=category, author=UserFactory())
            ReplyFactory(thread=thread, author=UserFactory())
            Report.objects.create(reporter=reporters[0], thread=thread, reason="spam")

    url = reverse(name)
    add_rows(1)
    superuser_client.get(url)  # warm the caches (site, settings, content types)
    one = _count_queries(superuser_client, url)
    add_rows(49)
    fifty = _count_queries(superuser_client, url)
    assert one == fifty


# Dashboard panel -------------------------------------------------------------------


def test_dashboard_panel_for_a_moderating_superuser(superuser_client, thread, report):
    ThreadFactory(response_due_at=timezone.now() - timedelta(hours=2))
    response = superuser_client.get(reverse("wagtailadmin_home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="community-summary' in html
    assert 'href="/moderation/"' in html
    assert 'href="/moderation/?filter=overdue"' in html
    assert 'href="/moderation/reports/"' in html
    assert "?published=today" in html
    assert "Awaiting an official reply" in html


def test_dashboard_panel_for_an_editor_links_to_the_admin_lists(editor_client, thread):
    html = editor_client.get(reverse("wagtailadmin_home")).content.decode()
    assert 'id="community-summary' in html
    assert 'href="/moderation/' not in html
    assert "/admin/community/threads/?visibility=visible&amp;official=awaiting" in html
    assert "/admin/community/reports/?status=open" in html


def test_dashboard_panel_runs_constant_queries(superuser_client):
    url = reverse("wagtailadmin_home")
    ThreadFactory()
    superuser_client.get(url)
    one = _count_queries(superuser_client, url)
    ThreadFactory.create_batch(20, response_due_at=timezone.now() - timedelta(hours=1))
    many = _count_queries(superuser_client, url)
    assert one == many


def test_site_history_links_a_hidden_thread_to_its_inspect_view(
    superuser_client, superuser, thread
):
    services.thread_hide(moderator=superuser, thread=thread, reason="Spam")
    response = superuser_client.get(reverse("wagtailadmin_reports:site_history"))
    assert response.status_code == 200
    assert reverse("community_threads:inspect", args=[thread.pk]) in response.content.decode()


def test_thread_history_is_readable_by_editors(editor_client, superuser, thread):
    services.thread_hide(moderator=superuser, thread=thread, reason="Spam")
    url = reverse("community_threads:history", args=[thread.pk])
    # Hidden, the thread is missing for an editor without the moderation permission...
    assert editor_client.get(url).status_code == 404
    # ...and once restored they read the whole of its history.
    services.thread_restore(moderator=superuser, thread=thread, reason="")
    response = editor_client.get(url)
    assert response.status_code == 200
    assert "Thread hidden by a moderator" in response.content.decode()


# Hidden and pending posts: moderators' reading only ------------------------------------


@pytest.fixture
def hidden_posts(db, superuser):
    """A hidden thread (with a visible reply on it), a hidden reply on a visible
    thread, a pending thread, and a report on each hidden post."""
    hidden_thread = ThreadFactory(title="Hidden thread about a refund scam")
    reply_on_hidden = ReplyFactory(thread=hidden_thread, body="Reply under the hidden thread")
    services.thread_hide(moderator=superuser, thread=hidden_thread, reason="Scam link posted")
    open_thread = ThreadFactory(title="Visible thread about milk frothers")
    hidden_reply = ReplyFactory(thread=open_thread, body="Hidden reply selling watches")
    services.reply_hide(moderator=superuser, reply=hidden_reply, reason="Watch spam reason")
    pending = ThreadFactory(title="Pending thread awaiting approval", visibility=Visibility.PENDING)
    reporter = UserFactory()
    reports = [
        Report.objects.create(reporter=reporter, thread=hidden_thread, reason="spam"),
        Report.objects.create(
            reporter=reporter, thread=open_thread, reply=hidden_reply, reason="spam"
        ),
    ]
    return {
        "threads": [hidden_thread, pending],
        "replies": [hidden_reply, reply_on_hidden],
        "reports": reports,
        "open_thread": open_thread,
    }


SECRETS = (
    "Hidden thread about a refund scam",
    "Reply under the hidden thread",
    "Hidden reply selling watches",
    "Pending thread awaiting approval",
    "Scam link posted",
    "Watch spam reason",
)


def _inspect_urls(posts):
    urls = [reverse("community_threads:inspect", args=[t.pk]) for t in posts["threads"]]
    urls += [reverse("community_threads:history", args=[t.pk]) for t in posts["threads"]]
    urls += [reverse("community_replies:inspect", args=[r.pk]) for r in posts["replies"]]
    urls += [reverse("community_replies:history", args=[r.pk]) for r in posts["replies"]]
    urls += [reverse("community_reports:inspect", args=[r.pk]) for r in posts["reports"]]
    return urls


def test_editor_lists_no_hidden_or_pending_post(editor_client, hidden_posts):
    for name in LIST_URLS:
        html = editor_client.get(reverse(name)).content.decode()
        for secret in SECRETS:
            assert secret not in html, (name, secret)
    # The visible thread stays in the list.
    html = editor_client.get(reverse("community_threads:index")).content.decode()
    assert "Visible thread about milk frothers" in html
    html = editor_client.get(reverse("community_threads:index"), {"hidden": "true"})
    assert "Hidden thread about a refund scam" not in html.content.decode()


def test_editor_cannot_open_a_hidden_or_pending_post(editor_client, hidden_posts):
    for url in _inspect_urls(hidden_posts):
        response = editor_client.get(url)
        assert response.status_code == 404, url
        for secret in SECRETS:
            assert secret not in response.content.decode(), (url, secret)


def test_moderating_editor_reads_hidden_posts_and_their_reasons(
    moderating_editor_client, hidden_posts
):
    html = "".join(
        moderating_editor_client.get(reverse(name)).content.decode() for name in LIST_URLS
    )
    for secret in SECRETS[:4]:
        assert secret in html
    for url in _inspect_urls(hidden_posts):
        assert moderating_editor_client.get(url).status_code == 200, url
    thread = hidden_posts["threads"][0]
    inspect = reverse("community_threads:inspect", args=[thread.pk])
    assert "Scam link posted" in moderating_editor_client.get(inspect).content.decode()
    reply = hidden_posts["replies"][0]
    inspect = reverse("community_replies:inspect", args=[reply.pk])
    assert "Watch spam reason" in moderating_editor_client.get(inspect).content.decode()


def test_editor_reads_no_hide_reason_in_the_admin(editor, editor_client, superuser):
    """An editor's own hidden thread is theirs to read, as on the site; the admin's
    inspect view still leaves out the moderator's reason, a moderators' field."""
    own = ThreadFactory(author=editor, title="The editor's own question")
    services.thread_hide(moderator=superuser, thread=own, reason="Kept from the editors")
    response = editor_client.get(reverse("community_threads:inspect", args=[own.pk]))
    assert response.status_code == 200
    assert "The editor&#x27;s own question" in response.content.decode()
    assert "Kept from the editors" not in response.content.decode()

"""Reports: members flag posts once, enough of them hide a post pending review, and
moderators dismiss, hide or suspend, every decision logged (promises 1, 3 and 6)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import ModelLogEntry

from community import services as community_services
from community.models import CommunitySettings, Reply, Thread, Visibility
from moderation import selectors, services
from moderation.models import Report
from tests.factories import CategoryFactory, ModeratorFactory, ThreadFactory, UserFactory
from tests.helpers import MODERATORS_ONLY, caches_cold, in_queue

pytestmark = pytest.mark.django_db


@pytest.fixture
def reply(thread):
    return community_services.reply_create(
        author=UserFactory(), thread=thread, body="Buy cheap pills at example.com"
    )


def threshold(value: int) -> None:
    rules = CommunitySettings.load()
    rules.report_auto_hide_threshold = value
    rules.save()


def report(reporter, thread, reply=None, reason="spam", note=""):
    return services.report_create(
        reporter=reporter, thread=thread, reply=reply, reason=reason, note=note
    )


def actions_on(instance) -> list[str]:
    return list(
        ModelLogEntry.objects.for_instance(instance)
        .order_by("timestamp", "pk")
        .values_list("action", flat=True)
    )


# Reporting: who may, and how often ------------------------------------------------------


def test_report_urls_send_visitors_to_sign_in(client, thread, reply):
    for url in (f"/moderation/report/t/{thread.pk}/", f"/moderation/report/r/{reply.pk}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(f"/accounts/login/?next={url}")
        assert client.post(url, {"reason": "spam"}).status_code == 302
    assert not Report.objects.exists()


def test_a_member_reports_a_thread_through_the_form_page(member_client, member, thread):
    url = f"/moderation/report/t/{thread.pk}/"
    page = member_client.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert thread.title in content
    assert 'name="reason"' in content and "Spam or advertising" in content

    response = member_client.post(url, {"reason": "off_topic", "note": "Not about kettles"})

    assert response.status_code == 302
    assert response["Location"] == thread.get_absolute_url()
    report_row = Report.objects.get()
    assert (report_row.reporter, report_row.thread, report_row.reply) == (member, thread, None)
    assert (report_row.reason, report_row.note, report_row.status) == (
        "off_topic",
        "Not about kettles",
        Report.Status.OPEN,
    )
    followed = member_client.get(response["Location"])
    assert "Thanks, a moderator will look at it." in followed.content.decode()


def test_a_member_reports_a_reply_and_is_sent_back_to_it(member_client, member, reply):
    url = f"/moderation/report/r/{reply.pk}/"
    assert reply.body in member_client.get(url).content.decode()

    response = member_client.post(url, {"reason": "spam"})

    assert response.status_code == 302
    assert response["Location"] == reply.get_absolute_url()
    assert Report.objects.get().reply == reply


def test_the_author_cannot_report_their_own_post(client, thread, reply):
    client.force_login(thread.author)
    assert client.get(f"/moderation/report/t/{thread.pk}/").status_code == 403
    assert client.post(f"/moderation/report/t/{thread.pk}/", {"reason": "spam"}).status_code == 403
    client.force_login(reply.author)
    assert client.post(f"/moderation/report/r/{reply.pk}/", {"reason": "spam"}).status_code == 403
    assert not Report.objects.exists()
    with pytest.raises(PermissionDenied):
        report(thread.author, thread)


def test_a_suspended_member_cannot_report(client, thread):
    suspended = UserFactory(
        suspended_until=timezone.now() + timedelta(days=2), suspension_reason="Spamming"
    )
    client.force_login(suspended)

    response = client.post(f"/moderation/report/t/{thread.pk}/", {"reason": "spam"})

    assert response.status_code == 403
    assert "Your account is suspended until" in response.content.decode()
    assert "Spamming" in response.content.decode()
    assert not Report.objects.exists()


@pytest.mark.parametrize("role", ["moderator", "superuser"])
def test_moderators_hide_directly_instead_of_reporting(request, client, thread, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(f"/moderation/report/t/{thread.pk}/").status_code == 403
    assert not Report.objects.exists()


def test_an_editor_who_is_not_a_moderator_may_report(editor_client, thread):
    assert (
        editor_client.post(f"/moderation/report/t/{thread.pk}/", {"reason": "spam"}).status_code
        == 302
    )
    assert Report.objects.count() == 1


def test_hidden_or_pending_posts_cannot_be_reported(
    member_client, member, thread, reply, moderator
):
    services.reply_hide(moderator=moderator, reply=reply, reason="Spam")
    assert member_client.get(f"/moderation/report/r/{reply.pk}/").status_code == 404
    with pytest.raises(ValidationError):
        report(member, thread, reply)

    Thread.objects.filter(pk=thread.pk).update(visibility=Visibility.PENDING)
    assert member_client.get(f"/moderation/report/t/{thread.pk}/").status_code == 404
    assert not Report.objects.exists()


def test_a_double_submit_leaves_one_open_report(member_client, member, thread):
    url = f"/moderation/report/t/{thread.pk}/"
    member_client.post(url, {"reason": "spam"})
    member_client.post(url, {"reason": "abuse", "note": "again"})

    assert Report.objects.filter(reporter=member, thread=thread).count() == 1
    first = Report.objects.get()
    assert report(member, thread, reason="other") == first
    page = member_client.get(url).content.decode()
    assert "You have already reported this post." in page


def test_a_member_may_report_a_thread_and_its_reply_separately(member, thread, reply):
    report(member, thread)
    report(member, thread, reply)
    assert Report.objects.filter(reporter=member).count() == 2


def test_an_invalid_reason_is_a_form_error_and_the_note_is_kept(member_client, thread):
    response = member_client.post(
        f"/moderation/report/t/{thread.pk}/", {"reason": "boring", "note": "My careful note"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert "My careful note" in response.content.decode()
    assert not Report.objects.exists()


def test_a_note_too_long_is_a_form_error(member_client, thread):
    response = member_client.post(
        f"/moderation/report/t/{thread.pk}/", {"reason": "other", "note": "x" * 501}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["note"]
    with pytest.raises(ValidationError):
        report(UserFactory(), thread, note="x" * 501)
    with pytest.raises(ValidationError):
        report(UserFactory(), thread, reason="boring")
    assert not Report.objects.exists()


def test_the_report_link_is_shown_to_members_who_may_report(
    client, member, moderator, thread, reply
):
    client.force_login(member)
    content = client.get(thread.get_absolute_url()).content.decode()
    assert f"/moderation/report/t/{thread.pk}/" in content
    assert f"/moderation/report/r/{reply.pk}/" in content

    client.force_login(thread.author)
    content = client.get(thread.get_absolute_url()).content.decode()
    assert f"/moderation/report/t/{thread.pk}/" not in content
    assert f"/moderation/report/r/{reply.pk}/" in content

    client.force_login(moderator)
    content = client.get(thread.get_absolute_url()).content.decode()
    assert "/moderation/report/" not in content

    client.logout()
    assert "/moderation/report/" not in client.get(thread.get_absolute_url()).content.decode()


# Hiding pending review -------------------------------------------------------------------


def test_enough_different_reporters_hide_the_post_pending_review(thread, reply):
    threshold(3)
    first, second = UserFactory(), UserFactory()
    report(first, thread, reply)
    report(first, thread, reply)  # the same member twice counts once
    report(second, thread, reply, reason="abuse")
    reply.refresh_from_db()
    assert reply.visibility == Visibility.VISIBLE

    report(UserFactory(), thread, reply)

    reply.refresh_from_db()
    assert reply.visibility == Visibility.HIDDEN
    assert reply.hidden_reason == "Hidden after several reports, pending a moderator's review"
    assert Report.objects.filter(reply=reply, status=Report.Status.OPEN).count() == 3
    entry = ModelLogEntry.objects.for_instance(reply).get(action="relais.report.auto_hide")
    assert entry.user_id is None
    assert (entry.data["reporters"], entry.data["threshold"]) == (3, 3)
    thread.refresh_from_db()
    assert thread.reply_count == 0


def test_reports_never_hide_an_official_reply_nor_put_the_thread_back_in_the_queue(
    moderator_client, thread, moderator
):
    threshold(2)
    official = community_services.reply_create(author=moderator, thread=thread, body="Fixed.")
    assert not in_queue(thread)

    for _ in range(3):
        report(UserFactory(), thread, official)

    official.refresh_from_db()
    thread.refresh_from_db()
    assert official.visibility == Visibility.VISIBLE
    assert "relais.report.auto_hide" not in actions_on(official)
    assert not in_queue(thread)
    assert thread.first_official_reply_at is not None
    assert selectors.queue_problems() == []
    # The reports wait for a moderator on the report list.
    assert Report.objects.filter(reply=official, status=Report.Status.OPEN).count() == 3
    items = moderator_client.get("/moderation/reports/").context["page"].object_list
    assert [(item.reply, item.reporters) for item in items] == [(official, 3)]


@pytest.mark.parametrize("post", ["thread", "reply"])
def test_reports_never_hide_a_staff_members_post(category, moderator, post):
    threshold(1)
    staff_thread = community_services.thread_create(
        author=moderator, category=category, title="Maintenance tonight", body="From 22:00."
    )
    staff_reply = community_services.reply_create(
        author=ModeratorFactory(), thread=staff_thread, body="See the status page."
    )
    reported = staff_reply if post == "reply" else None

    report(UserFactory(), staff_thread, reported)

    target = staff_reply if post == "reply" else staff_thread
    target.refresh_from_db()
    assert target.visibility == Visibility.VISIBLE
    assert Report.objects.filter(status=Report.Status.OPEN).count() == 1


def test_a_members_reply_is_still_hidden_by_enough_reports(thread, reply):
    threshold(1)

    report(UserFactory(), thread, reply)

    reply.refresh_from_db()
    assert reply.visibility == Visibility.HIDDEN


def test_a_thread_reported_enough_is_hidden_and_leaves_the_lists(client, thread):
    threshold(1)
    client.force_login(UserFactory())

    response = client.post(f"/moderation/report/t/{thread.pk}/", {"reason": "spam"})

    thread.refresh_from_db()
    assert thread.visibility == Visibility.HIDDEN
    assert not in_queue(thread)
    # The reporter can no longer read it: they go back to the category.
    assert response["Location"] == thread.category.get_absolute_url()
    assert client.get(thread.get_absolute_url()).status_code == 404


# Review (moderators) ----------------------------------------------------------------------


@pytest.mark.parametrize(("role", "expected"), MODERATORS_ONLY)
def test_the_reports_page_is_for_moderators_only(request, client, role, expected):
    client.force_login(request.getfixturevalue(role))
    assert client.get("/moderation/reports/").status_code == expected
    assert client.get("/moderation/reports/?status=resolved").status_code == expected


def test_visitors_are_sent_to_sign_in_from_the_reports_pages(client, thread, reply):
    for url, method in [
        ("/moderation/reports/", "get"),
        (f"/moderation/reports/t/{thread.pk}/dismiss/", "post"),
        (f"/moderation/reports/r/{reply.pk}/dismiss/", "post"),
        (f"/moderation/reports/t/{thread.pk}/hide/", "post"),
        (f"/moderation/reports/r/{reply.pk}/hide/", "post"),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


@pytest.mark.parametrize("role", ["member", "editor"])
def test_members_and_editors_cannot_decide_on_reports(request, client, role, thread, reply):
    report(UserFactory(), thread, reply)
    client.force_login(request.getfixturevalue(role))
    for url in [
        f"/moderation/reports/t/{thread.pk}/dismiss/",
        f"/moderation/reports/r/{reply.pk}/dismiss/",
        f"/moderation/reports/t/{thread.pk}/hide/",
        f"/moderation/reports/r/{reply.pk}/hide/",
    ]:
        assert client.post(url, {"reason": "because"}).status_code == 403, url
    assert Report.objects.get().status == Report.Status.OPEN


def test_the_reports_page_groups_open_reports_by_post(moderator_client, thread, reply):
    first, second = UserFactory(), UserFactory()
    report(first, thread, reply, reason="spam", note="Selling pills")
    report(second, thread, reply, reason="spam")
    report(UserFactory(), thread, reply, reason="abuse")
    report(first, thread, reason="off_topic")

    response = moderator_client.get("/moderation/reports/")

    assert response.status_code == 200
    items = response.context["page"].object_list
    assert [(item.thread, item.reply, item.reporters) for item in items] == [
        (thread, reply, 3),
        (thread, None, 1),
    ]
    assert items[0].reasons == [("Spam or advertising", 2), ("Abusive or harassing", 1)]
    assert [note.note for note in items[0].notes] == ["Selling pills"]
    content = response.content.decode()
    assert "Selling pills" in content
    assert "4 open reports wait for a moderator." in content
    assert f"/moderation/reports/r/{reply.pk}/dismiss/" in content
    assert f"/moderation/u/{reply.author.username}/suspend/?reply={reply.pk}" in content


def test_dismissing_reports_restores_a_post_hidden_by_them_and_logs(
    moderator_client, moderator, thread, reply
):
    threshold(2)
    report(UserFactory(), thread, reply)
    report(UserFactory(), thread, reply)
    reply.refresh_from_db()
    assert reply.visibility == Visibility.HIDDEN

    response = moderator_client.post(
        f"/moderation/reports/r/{reply.pk}/dismiss/", {"reason": "It is a real answer"}
    )

    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.visibility == Visibility.VISIBLE
    assert reply.hidden_reason == ""
    reports = Report.objects.filter(reply=reply)
    assert {row.status for row in reports} == {Report.Status.DISMISSED}
    assert {row.resolved_by_id for row in reports} == {moderator.pk}
    assert actions_on(reply) == [
        "relais.report.auto_hide",
        "relais.reply.restore",
        "relais.report.dismiss",
    ]
    entry = ModelLogEntry.objects.for_instance(reply).get(action="relais.report.dismiss")
    assert entry.user_id == moderator.pk
    assert entry.data["reports"] == 2 and entry.data["restored"] is True
    thread.refresh_from_db()
    assert thread.reply_count == 1

    # A double submit changes nothing more.
    moderator_client.post(f"/moderation/reports/r/{reply.pk}/dismiss/")
    assert actions_on(reply).count("relais.report.dismiss") == 1


def test_dismissing_keeps_a_post_a_moderator_hid_hidden(moderator, thread, reply):
    report(UserFactory(), thread, reply)
    services.reply_hide(moderator=ModeratorFactory(), reply=reply, reason="Advertising")

    assert services.reports_dismiss(moderator=moderator, thread=thread, reply=reply) == 1

    reply.refresh_from_db()
    assert reply.visibility == Visibility.HIDDEN
    assert reply.hidden_reason == "Advertising"


def test_dismissing_restores_an_auto_hidden_thread(moderator, thread):
    threshold(1)
    report(UserFactory(), thread)
    thread.refresh_from_db()
    assert thread.visibility == Visibility.HIDDEN and not in_queue(thread)

    services.reports_dismiss(moderator=moderator, thread=thread)

    thread.refresh_from_db()
    assert thread.visibility == Visibility.VISIBLE
    assert in_queue(thread)
    assert actions_on(thread)[-1] == "relais.report.dismiss"


def test_hiding_through_reports_logs_keeps_the_row_and_closes_the_reports(
    moderator_client, moderator, thread, reply
):
    report(UserFactory(), thread, reply)
    report(UserFactory(), thread, reply)

    response = moderator_client.post(
        f"/moderation/reports/r/{reply.pk}/hide/", {"reason": "Advertising"}
    )

    assert response.status_code == 302
    reply.refresh_from_db()
    assert Reply.objects.filter(pk=reply.pk).exists()
    assert (reply.visibility, reply.hidden_reason) == (Visibility.HIDDEN, "Advertising")
    assert set(Report.objects.values_list("status", flat=True)) == {Report.Status.HIDDEN}
    entry = ModelLogEntry.objects.for_instance(reply).get(action="relais.reply.hide")
    assert (entry.user_id, entry.data["reason"]) == (moderator.pk, "Advertising")
    assert Report.objects.filter(resolution_note="Advertising").count() == 2


def test_keeping_an_auto_hidden_post_hidden_records_the_moderators_reason(moderator, thread, reply):
    threshold(1)
    report(UserFactory(), thread, reply)

    services.reports_hide_post(moderator=moderator, thread=thread, reply=reply, reason="Spam")

    reply.refresh_from_db()
    assert reply.hidden_reason == "Spam"
    assert actions_on(reply) == ["relais.report.auto_hide", "relais.reply.hide"]
    assert Report.objects.get().status == Report.Status.HIDDEN


def test_hiding_without_a_reason_is_refused_with_a_message(moderator_client, thread, reply):
    report(UserFactory(), thread, reply)

    response = moderator_client.post(
        f"/moderation/reports/r/{reply.pk}/hide/", {"reason": "  "}, follow=True
    )

    assert response.status_code == 200
    assert "Say why" in response.content.decode()
    reply.refresh_from_db()
    assert reply.visibility == Visibility.VISIBLE
    assert Report.objects.get().status == Report.Status.OPEN


def test_hiding_a_thread_through_reports(moderator, thread):
    report(UserFactory(), thread)
    services.reports_hide_post(moderator=moderator, thread=thread, reason="Off-topic")
    thread.refresh_from_db()
    assert thread.visibility == Visibility.HIDDEN
    assert "relais.thread.hide" in actions_on(thread)


def test_the_resolved_list_shows_who_decided_and_how(moderator_client, moderator, thread, reply):
    report(UserFactory(), thread, reply)
    services.reports_dismiss(moderator=moderator, thread=thread, reply=reply, reason="Fine")

    response = moderator_client.get("/moderation/reports/?status=resolved")

    content = response.content.decode()
    assert [row.status for row in response.context["page"].object_list] == ["dismissed"]
    assert "Dismissed" in content and moderator.public_name in content and "Fine" in content
    assert response.context["open_report_count"] == 0


def test_bad_page_and_status_values_do_not_break_the_page(moderator_client):
    for query in ("?page=abc", "?page=999", "?status=<script>", "?status=resolved&page=-1"):
        assert moderator_client.get(f"/moderation/reports/{query}").status_code == 200


def test_unknown_posts_answer_404(moderator_client):
    assert moderator_client.post("/moderation/reports/r/999999/dismiss/").status_code == 404
    assert moderator_client.post("/moderation/reports/t/999999/hide/").status_code == 404


def test_reports_page_queries_stay_constant(moderator_client):
    category = CategoryFactory()

    def reported(count: int) -> None:
        for index in range(count):
            thread = community_services.thread_create(
                author=UserFactory(),
                category=category,
                title=f"A reported question number {index}",
                body="Body.",
            )
            reply = community_services.reply_create(
                author=UserFactory(), thread=thread, body="Spam."
            )
            target = reply if index % 2 == 0 else None
            report(UserFactory(), thread, target, note="See this")
            report(UserFactory(), thread, target, reason="abuse")

    def count() -> int:
        caches_cold()  # measure from cold caches, as after a write
        with CaptureQueriesContext(connection) as context:
            assert moderator_client.get("/moderation/reports/").status_code == 200
        return len(context.captured_queries)

    reported(2)  # one thread item and one reply item
    count()
    with_few = count()
    reported(48)
    assert Report.objects.values("thread_id", "reply_id").distinct().count() == 50
    assert count() == with_few

    def count_resolved() -> int:
        caches_cold()  # measure from cold caches, as after a write
        with CaptureQueriesContext(connection) as context:
            moderator_client.get("/moderation/reports/?status=resolved")
        return len(context.captured_queries)

    moderator = ModeratorFactory()
    first = Report.objects.order_by("pk").first()
    services.reports_dismiss(moderator=moderator, thread=first.thread, reply=first.reply)
    one = count_resolved()
    for row in Report.objects.filter(status="open").order_by("pk")[:60]:
        services.reports_dismiss(moderator=moderator, thread=row.thread, reply=row.reply)
    assert count_resolved() == one


def test_suspending_the_author_from_a_report_closes_it_and_may_hide_the_post(
    moderator_client, moderator, thread, reply
):
    report(UserFactory(), thread, reply)
    url = f"/moderation/u/{reply.author.username}/suspend/?reply={reply.pk}"
    page = moderator_client.get(url)
    assert page.status_code == 200
    assert reply.body in page.content.decode()
    assert 'name="hide_post"' in page.content.decode()

    response = moderator_client.post(
        f"/moderation/u/{reply.author.username}/suspend/",
        {"duration": "7", "reason": "Spam links", "hide_post": "on", "reply": reply.pk},
    )

    assert response.status_code == 302
    assert response["Location"] == "/moderation/reports/"
    reply.refresh_from_db()
    reply.author.refresh_from_db()
    assert reply.author.is_suspended
    assert reply.visibility == Visibility.HIDDEN
    assert Report.objects.get().status == Report.Status.SUSPENDED
    assert "relais.member.suspend" in actions_on(reply.author)
    assert "relais.reply.hide" in actions_on(reply)


def test_a_report_link_for_another_members_post_is_refused(moderator_client, thread, reply):
    other = UserFactory()
    response = moderator_client.get(f"/moderation/u/{other.username}/suspend/?reply={reply.pk}")
    assert response.status_code == 404
    assert (
        moderator_client.get(f"/moderation/u/{other.username}/suspend/?reply=abc").status_code
        == 404
    )


def test_every_post_form_on_the_report_pages_has_a_csrf_token(moderator, thread, reply):
    from django.test import Client

    from tests.test_csrf_forms import post_forms_without_token

    report(UserFactory(), thread, reply)
    report(UserFactory(), thread)
    suspended = UserFactory(suspended_until=timezone.now() + timedelta(days=1))
    client = Client(enforce_csrf_checks=True)
    client.force_login(moderator)
    for path in [
        "/moderation/reports/",
        f"/moderation/u/{reply.author.username}/suspend/?reply={reply.pk}",
        suspended.get_absolute_url(),
        reply.author.get_absolute_url(),
    ]:
        content = client.get(path).content.decode()
        assert "<form" in content, path
        assert post_forms_without_token(content) == [], path
    member = Client(enforce_csrf_checks=True)
    member.force_login(UserFactory())
    content = member.get(f"/moderation/report/r/{reply.pk}/").content.decode()
    assert post_forms_without_token(content) == []


def test_moderators_see_open_reports_in_the_header_and_the_moderation_tabs(
    moderator_client, member_client, member
):
    assert 'data-testid="reports-link"' not in moderator_client.get("/community/").content.decode()

    thread = ThreadFactory()
    services.report_create(reporter=member, thread=thread, reason="spam")

    header = moderator_client.get("/community/").content.decode()
    assert 'data-testid="reports-link"' in header
    assert 'data-testid="open-reports">1<' in header
    assert 'data-testid="reports-link"' not in member_client.get("/community/").content.decode()
    tabs = moderator_client.get("/moderation/").content.decode()
    assert 'href="/moderation/reports/"' in tabs
    assert 'href="/moderation/metrics/"' in tabs
    assert 'href="/moderation/approvals/"' in tabs

"""Pre-moderation: moderators approve or reject new members' pending posts (issue 4, 7).

Approving publishes the post (a thread then enters the official-reply queue, due
from the approval); rejecting hides it with a reason its author reads; both are
logged, idempotent and reversible.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community import services as community_services
from community.models import Notification, Reply, Thread, Visibility
from moderation import selectors, services
from tests.community.test_queries import assert_same_queries
from tests.factories import CategoryFactory, EditorFactory, ModeratorFactory, UserFactory
from tests.helpers import MODERATORS_ONLY, assert_asks_to_sign_in, caches_cold, in_queue, logged

pytestmark = [pytest.mark.django_db, pytest.mark.premoderation]


@pytest.fixture
def newcomer():
    return UserFactory()


@pytest.fixture
def pending_thread(newcomer):
    thread = community_services.thread_create(
        author=newcomer,
        category=CategoryFactory(first_response_hours=8),
        title="My first question about the blender",
        body="Hello, the **lid** does not close. See <script>alert(1)</script>",
    )
    assert thread.visibility == Visibility.PENDING
    return thread


@pytest.fixture
def public_thread():
    # Staff posts never wait for approval.
    return community_services.thread_create(
        author=ModeratorFactory(),
        category=CategoryFactory(),
        title="Tips for descaling the kettle",
        body="Share yours.",
    )


@pytest.fixture
def pending_reply(newcomer, public_thread):
    reply = community_services.reply_create(
        author=newcomer,
        thread=public_thread,
        body="Vinegar works: https://a.example https://b.example https://c.example",
    )
    assert reply.visibility == Visibility.PENDING
    return reply


# The approvals page ---------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), MODERATORS_ONLY)
def test_approvals_page_is_for_moderators(request, client, role, status):
    client.force_login(request.getfixturevalue(role))
    assert client.get("/moderation/approvals/").status_code == status


def test_approvals_page_sends_visitors_to_sign_in(client):
    response = client.get("/moderation/approvals/")
    assert_asks_to_sign_in(response, then="/moderation/approvals/")


def test_approvals_page_lists_pending_posts_oldest_first_with_what_to_decide(
    moderator_client, pending_thread, pending_reply, public_thread
):
    Thread.objects.filter(pk=pending_thread.pk).update(
        created_at=timezone.now() - timedelta(hours=2)
    )

    response = moderator_client.get("/moderation/approvals/")
    content = response.content.decode()

    items = response.context["page"].object_list
    assert [(item.kind, item.post.pk) for item in items] == [
        ("thread", pending_thread.pk),
        ("reply", pending_reply.pk),
    ]
    assert [item.link_count for item in items] == [0, 3]
    assert items[0].why == "A new member's first post."
    assert items[0].approved_posts == 0
    assert "My first question about the blender" in content
    thread_link = f'<a href="{public_thread.get_absolute_url()}">{public_thread.title}</a>'
    assert f"Reply to {thread_link}" in content
    assert "<strong>lid</strong>" in content  # the rendered body, sanitized
    assert "<script>alert(1)</script>" not in content
    assert content.count('data-testid="approval"') == 2
    assert f"/moderation/t/{pending_thread.pk}/approve/" in content
    assert f"/moderation/r/{pending_reply.pk}/reject/" in content


def test_approvals_page_explains_a_post_held_for_its_links(moderator_client, newcomer):
    public = ModeratorFactory()
    thread = community_services.thread_create(
        author=public, category=CategoryFactory(), title="Where to buy filters", body="?"
    )
    first = community_services.reply_create(author=newcomer, thread=thread, body="Any shop.")
    services.reply_approve(moderator=public, reply=first)
    links = " ".join(f"https://shop{n}.example" for n in range(3))
    held = community_services.reply_create(author=newcomer, thread=thread, body=links)

    item = moderator_client.get("/moderation/approvals/").context["page"].object_list[0]

    assert item.post.pk == held.pk
    assert item.approved_posts == 1
    assert item.why == "More links than a new member may add (2 allowed)."


def test_approvals_page_is_empty_when_nothing_waits(moderator_client, public_thread):
    content = moderator_client.get("/moderation/approvals/").content.decode()
    assert "No post or change is waiting for approval." in content


def test_approvals_page_queries_are_constant_for_1_and_50_posts(moderator_client):
    category = CategoryFactory()
    public = community_services.thread_create(
        author=ModeratorFactory(), category=category, title="Open thread for replies", body="."
    )

    def add(count):
        for number in range(count):
            author = UserFactory()
            if number % 2:
                community_services.reply_create(author=author, thread=public, body=f"Hi {number}")
            else:
                community_services.thread_create(
                    author=author,
                    category=category,
                    title=f"A newcomer question {number}",
                    body=f"Body {number} with https://link.example",
                    tags=["new", f"tag-{number % 3}"],
                )

    add(2)  # one pending thread and one pending reply
    moderator_client.get("/moderation/approvals/")  # warm caches

    def count_queries():
        caches_cold()  # measure from cold caches, as after a write
        with CaptureQueriesContext(connection) as context:
            response = moderator_client.get("/moderation/approvals/")
        assert response.status_code == 200
        return [query["sql"] for query in context.captured_queries], response

    with_few, _response = count_queries()
    add(60)
    with_many, response = count_queries()

    assert response.content.decode().count('data-testid="approval"') == 50
    assert_same_queries(with_few, with_many, "/moderation/approvals/")


def test_header_shows_the_number_of_pending_posts_to_moderators_only(
    client, moderator, member, pending_thread, pending_reply
):
    client.force_login(moderator)
    as_moderator = client.get("/community/").content.decode()
    client.force_login(member)
    as_member = client.get("/community/").content.decode()

    assert 'data-testid="approvals-link"' in as_moderator
    assert 'data-testid="approvals-pending">2<' in as_moderator
    assert 'data-testid="approvals-link"' not in as_member


def test_pending_count_is_one_query(pending_thread, pending_reply, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert selectors.pending_count() == 2


# Approving -------------------------------------------------------------------------------


def test_approving_a_thread_publishes_it_into_the_queue_due_from_the_asking(
    pending_thread, moderator
):
    # The clock started when the member asked: the category's target (8 hours).
    assert pending_thread.response_due_at == pending_thread.created_at + timedelta(hours=8)
    assert not in_queue(pending_thread)
    before = timezone.now()

    services.thread_approve(moderator=moderator, thread=pending_thread)

    pending_thread.refresh_from_db()
    assert pending_thread.visibility == Visibility.VISIBLE
    assert before <= pending_thread.published_at <= timezone.now()
    # Approval neither restarts nor moves the clock.
    assert pending_thread.response_due_at == pending_thread.created_at + timedelta(hours=8)
    assert in_queue(pending_thread)
    assert selectors.queue_problems() == []
    [(action, user_id, data)] = logged(pending_thread)
    assert (action, user_id) == ("relais.thread.approve", moderator.pk)
    assert data["response_due_at"] == pending_thread.response_due_at.isoformat()


def test_approving_a_question_that_waited_past_its_target_makes_it_overdue_at_once(
    pending_thread, moderator
):
    asked = timezone.now() - timedelta(days=3)
    Thread.objects.filter(pk=pending_thread.pk).update(
        created_at=asked, response_due_at=asked + timedelta(hours=8)
    )

    services.thread_approve(moderator=moderator, thread=pending_thread)

    assert Thread.objects.overdue(timezone.now()).filter(pk=pending_thread.pk).exists()


def test_approving_a_thread_asked_before_the_clock_rule_is_due_from_its_asking(
    pending_thread, moderator
):
    asked = timezone.now() - timedelta(hours=2)
    Thread.objects.filter(pk=pending_thread.pk).update(created_at=asked, response_due_at=None)

    services.thread_approve(moderator=moderator, thread=pending_thread)

    pending_thread.refresh_from_db()
    assert pending_thread.response_due_at == asked + timedelta(hours=8)


def test_approving_twice_changes_nothing_the_second_time(pending_thread, moderator):
    services.thread_approve(moderator=moderator, thread=pending_thread)
    pending_thread.refresh_from_db()
    due = pending_thread.response_due_at

    services.thread_approve(moderator=ModeratorFactory(), thread=pending_thread)

    pending_thread.refresh_from_db()
    assert pending_thread.response_due_at == due
    assert [entry[0] for entry in logged(pending_thread)] == ["relais.thread.approve"]


def test_an_approved_thread_is_public(client, pending_thread, moderator):
    assert client.get(pending_thread.get_absolute_url()).status_code == 404

    services.thread_approve(moderator=moderator, thread=pending_thread)

    assert client.get(pending_thread.get_absolute_url()).status_code == 200
    assert pending_thread.title in client.get("/community/").content.decode()


def test_approving_a_reply_counts_it_and_tells_the_followers(
    pending_reply, public_thread, moderator
):
    public_thread.refresh_from_db()
    assert public_thread.reply_count == 0

    services.reply_approve(moderator=moderator, reply=pending_reply)
    services.reply_approve(moderator=moderator, reply=pending_reply)  # a double submit

    pending_reply.refresh_from_db()
    public_thread.refresh_from_db()
    assert pending_reply.visibility == Visibility.VISIBLE
    assert public_thread.reply_count == 1
    assert Notification.objects.filter(
        recipient=public_thread.author, kind=Notification.Kind.REPLY, reply=pending_reply
    ).exists()
    assert logged(pending_reply) == [
        ("relais.reply.approve", moderator.pk, {"thread": public_thread.pk})
    ]


def test_approving_needs_a_moderator(pending_thread, pending_reply, member):
    for not_a_moderator in (member, EditorFactory(), pending_thread.author):
        with pytest.raises(PermissionDenied):
            services.thread_approve(moderator=not_a_moderator, thread=pending_thread)
        with pytest.raises(PermissionDenied):
            services.reply_approve(moderator=not_a_moderator, reply=pending_reply)
    pending_thread.refresh_from_db()
    pending_reply.refresh_from_db()
    assert pending_thread.visibility == pending_reply.visibility == Visibility.PENDING


# Rejecting -------------------------------------------------------------------------------


def test_rejecting_a_thread_hides_it_with_the_reason_its_author_reads(
    client, pending_thread, moderator
):
    services.thread_reject(moderator=moderator, thread=pending_thread, reason="Advertising")

    pending_thread.refresh_from_db()
    assert pending_thread.visibility == Visibility.HIDDEN
    assert pending_thread.hidden_reason == "Advertising"
    assert pending_thread.body.startswith("Hello")  # nothing deleted
    assert not in_queue(pending_thread)
    assert logged(pending_thread) == [
        ("relais.thread.reject", moderator.pk, {"reason": "Advertising"})
    ]
    client.force_login(pending_thread.author)
    page = client.get(pending_thread.get_absolute_url()).content.decode()
    assert "Hidden by a moderator" in page and "Advertising" in page
    client.force_login(UserFactory())
    assert client.get(pending_thread.get_absolute_url()).status_code == 404


def test_a_rejected_thread_restored_is_still_due_from_its_asking(pending_thread, moderator):
    services.thread_reject(moderator=moderator, thread=pending_thread, reason="Looks like spam")
    services.thread_reject(moderator=moderator, thread=pending_thread, reason="Again")  # no-op
    before = timezone.now()

    services.thread_restore(moderator=moderator, thread=pending_thread, reason="A real question")

    pending_thread.refresh_from_db()
    assert pending_thread.visibility == Visibility.VISIBLE
    assert pending_thread.published_at >= before
    assert pending_thread.response_due_at == pending_thread.created_at + timedelta(hours=8)
    assert in_queue(pending_thread)
    assert selectors.queue_problems() == []
    assert [entry[0] for entry in logged(pending_thread)] == [
        "relais.thread.reject",
        "relais.thread.restore",
    ]


def test_rejecting_a_reply_hides_it_and_restoring_counts_it(
    pending_reply, public_thread, moderator
):
    services.reply_reject(moderator=moderator, reply=pending_reply, reason="Off topic")

    pending_reply.refresh_from_db()
    public_thread.refresh_from_db()
    assert (pending_reply.visibility, pending_reply.hidden_reason) == (
        Visibility.HIDDEN,
        "Off topic",
    )
    assert public_thread.reply_count == 0

    services.reply_restore(moderator=moderator, reply=pending_reply)

    pending_reply.refresh_from_db()
    public_thread.refresh_from_db()
    assert pending_reply.visibility == Visibility.VISIBLE
    assert public_thread.reply_count == 1
    assert [entry[0] for entry in logged(pending_reply)] == [
        "relais.reply.reject",
        "relais.reply.restore",
    ]


def test_rejecting_needs_a_reason_and_a_pending_post(pending_thread, public_thread, moderator):
    with pytest.raises(ValidationError):
        services.thread_reject(moderator=moderator, thread=pending_thread, reason="  ")
    with pytest.raises(ValidationError):
        services.thread_reject(moderator=moderator, thread=public_thread, reason="Too late")
    pending_thread.refresh_from_db()
    public_thread.refresh_from_db()
    assert pending_thread.visibility == Visibility.PENDING
    assert public_thread.visibility == Visibility.VISIBLE
    assert logged(pending_thread) == [] and logged(public_thread) == []


# Through the URLs --------------------------------------------------------------------------


ACTIONS = [("t", "approve"), ("t", "reject"), ("r", "approve"), ("r", "reject")]


def _target(kind, pending_thread, pending_reply):
    return pending_thread if kind == "t" else pending_reply


@pytest.mark.parametrize(("kind", "action"), ACTIONS)
@pytest.mark.parametrize(("role", "status"), [("member", 403), ("editor", 403), ("moderator", 302)])
def test_approval_urls_are_for_moderators(
    request, client, pending_thread, pending_reply, kind, action, role, status
):
    post = _target(kind, pending_thread, pending_reply)
    client.force_login(request.getfixturevalue(role))

    response = client.post(f"/moderation/{kind}/{post.pk}/{action}/", {"reason": "Spam"})

    assert response.status_code == status
    post.refresh_from_db()
    if status == 403:
        assert post.visibility == Visibility.PENDING
    else:
        expected = Visibility.VISIBLE if action == "approve" else Visibility.HIDDEN
        assert post.visibility == expected
        assert response["Location"] == "/moderation/approvals/"


@pytest.mark.parametrize(("kind", "action"), ACTIONS)
def test_approval_urls_send_visitors_to_sign_in_and_refuse_get(
    client, moderator_client, pending_thread, pending_reply, kind, action
):
    post = _target(kind, pending_thread, pending_reply)
    url = f"/moderation/{kind}/{post.pk}/{action}/"

    response = client.post(url, {"reason": "Spam"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert moderator_client.get(url).status_code == 405
    post.refresh_from_db()
    assert post.visibility == Visibility.PENDING


def test_approving_from_the_thread_page_goes_back_there(moderator_client, pending_thread):
    page = moderator_client.get(pending_thread.get_absolute_url()).content.decode()
    assert f'action="/moderation/t/{pending_thread.pk}/approve/"' in page
    assert f'action="/moderation/t/{pending_thread.pk}/reject/"' in page

    response = moderator_client.post(
        f"/moderation/t/{pending_thread.pk}/approve/",
        {"next": pending_thread.get_absolute_url()},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == pending_thread.get_absolute_url()
    assert "Approved: the question is public" in response.content.decode()


def test_a_foreign_next_address_is_ignored(moderator_client, pending_thread):
    response = moderator_client.post(
        f"/moderation/t/{pending_thread.pk}/approve/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == "/moderation/approvals/"


def test_a_rejection_without_reason_is_a_message_not_an_error(moderator_client, pending_thread):
    response = moderator_client.post(
        f"/moderation/t/{pending_thread.pk}/reject/", {"reason": ""}, follow=True
    )

    assert response.status_code == 200
    assert "Say why: the author will read it." in response.content.decode()
    pending_thread.refresh_from_db()
    assert pending_thread.visibility == Visibility.PENDING


def test_a_second_decision_on_the_same_post_says_it_was_already_decided(
    moderator_client, pending_reply
):
    moderator_client.post(f"/moderation/r/{pending_reply.pk}/approve/")
    response = moderator_client.post(
        f"/moderation/r/{pending_reply.pk}/reject/", {"reason": "Spam"}, follow=True
    )

    assert "already public" in response.content.decode()
    pending_reply.refresh_from_db()
    assert pending_reply.visibility == Visibility.VISIBLE
    assert Reply.objects.filter(pk=pending_reply.pk).count() == 1


def test_approved_posts_leave_the_approvals_page(moderator_client, pending_thread, pending_reply):
    moderator_client.post(f"/moderation/t/{pending_thread.pk}/approve/")

    items = moderator_client.get("/moderation/approvals/").context["page"].object_list
    assert [item.post.pk for item in items] == [pending_reply.pk]

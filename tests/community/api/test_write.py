"""Writing through the API: as the token's member, through the site's services, so
the queue, pre-moderation, limits and double submits behave as on the site."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import services as account_services
from community.models import Follow, HelpfulVote, MeToo, Reply, Thread
from moderation import services as moderation_services
from tests.community.api.conftest import authed
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def ask(client, category, **extra):
    body = {
        "title": "The grinder jams",
        "body": "Beans stay in the hopper.",
        "category": category.slug,
    }
    return client.post("/api/v1/threads/", {**body, **extra}, format="json")


def test_a_question_asked_through_the_api_stands_in_the_queue(member_api, category, member):
    response = ask(member_api, category, tags=["grinder"], language="fr")

    assert response.status_code == 201, response.json()
    body = response.json()
    thread = Thread.objects.get(pk=body["id"])
    assert thread.author == member and thread.language == "fr"
    assert body["tags"] == ["grinder"] and body["visibility"] == "visible"
    assert Thread.objects.awaiting_brand().filter(pk=thread.pk).exists()
    # The asker follows it and counts as the first "me too", as on the site.
    assert Follow.objects.filter(thread=thread, user=member).exists()
    assert member_api.get(f"/api/v1/threads/{thread.pk}/").json()["title"] == "The grinder jams"


def test_asking_twice_with_one_submission_key_makes_one_thread(member_api, category):
    first = ask(member_api, category, submission_key="ask-kettle-2026-12-07").json()
    second = ask(member_api, category, submission_key="ask-kettle-2026-12-07")
    assert second.status_code == 201 and second.json()["id"] == first["id"]
    assert Thread.objects.count() == 1
    short = ask(member_api, category, title="Another one", submission_key="k")
    assert short.status_code == 400 and "submission_key" in short.json()["error"]["fields"]


def test_bad_input_says_what_to_fix_and_changes_nothing(member_api, category):
    cases = [
        {"title": "", "body": "x", "category": category.slug},
        {"title": "A title", "body": "x", "category": "no-such-category"},
        {"title": "A title", "body": "x", "category": category.slug, "tags": "notalist"},
        {"title": "A title", "body": "x\x00y", "category": category.slug},
        {"title": "A title", "body": "x", "category": category.slug, "language": "de"},
    ]
    for case in cases:
        response = member_api.post("/api/v1/threads/", case, format="json")
        assert response.status_code == 400, (case, response.json())
        assert response.json()["error"]["fields"], case
    not_json = member_api.post("/api/v1/threads/", "title=x", content_type="text/plain")
    assert not_json.status_code == 415
    assert Thread.objects.count() == 0


@pytest.mark.premoderation
def test_a_new_members_question_waits_for_approval(category):
    newcomer = UserFactory()
    response = ask(authed(newcomer), category)
    assert response.status_code == 201
    assert response.json()["visibility"] == "pending"
    # The author reads it back; nobody else does until a moderator approves it.
    thread_id = response.json()["id"]
    assert authed(newcomer, "read").get(f"/api/v1/threads/{thread_id}/").status_code == 200
    assert authed(UserFactory(), "read").get(f"/api/v1/threads/{thread_id}/").status_code == 404


@pytest.mark.posting_limits
def test_a_posting_limit_answers_429_with_retry_after(member_api, category):
    statuses = [
        ask(member_api, category, title=f"Question {n} about the kettle", body=f"Body {n} " * 5)
        for n in range(12)
    ]
    refused = [response for response in statuses if response.status_code == 429]
    assert refused, [response.status_code for response in statuses]
    assert int(refused[0]["Retry-After"]) > 0
    assert refused[0].json()["error"]["code"] == "posting_limit"


def test_a_read_only_token_cannot_write(member, category):
    response = ask(authed(member, "read"), category)
    assert response.status_code == 403
    assert "write access" in response.json()["error"]["message"]


def test_a_suspended_member_reads_but_cannot_write(member, moderator, category, thread):
    client = authed(member)
    moderation_services.member_suspend(
        moderator=moderator, member=member, until=timezone.now() + timedelta(days=3), reason="Spam."
    )
    assert client.get("/api/v1/threads/").status_code == 200
    refused = ask(client, category)
    assert refused.status_code == 403 and "suspended" in refused.json()["error"]["message"]


def test_a_moderators_reply_is_official_and_takes_the_thread_out_of_the_queue(
    moderator_api, thread
):
    response = moderator_api.post(
        f"/api/v1/threads/{thread.pk}/replies/", {"body": "Please descale it."}, format="json"
    )
    assert response.status_code == 201 and response.json()["is_official"] is True
    assert not Thread.objects.awaiting_brand().filter(pk=thread.pk).exists()


def test_a_members_reply_is_not_official_and_leaves_the_thread_in_the_queue(thread):
    response = authed(UserFactory()).post(
        f"/api/v1/threads/{thread.pk}/replies/", {"body": "Same here, sadly."}, format="json"
    )
    assert response.status_code == 201 and response.json()["is_official"] is False
    assert Thread.objects.awaiting_brand().filter(pk=thread.pk).exists()


def test_authors_edit_their_own_posts_only(member_api, thread):
    url = f"/api/v1/threads/{thread.pk}/"
    edited = member_api.patch(url, {"body": "Water under it, every morning."}, format="json")
    assert edited.status_code == 200 and edited.json()["body"] == "Water under it, every morning."
    assert authed(UserFactory()).patch(url, {"body": "Mine now."}, format="json").status_code == 403

    reply = (
        authed(UserFactory())
        .post(f"/api/v1/threads/{thread.pk}/replies/", {"body": "Check the seal."}, format="json")
        .json()
    )
    other = member_api.patch(f"/api/v1/replies/{reply['id']}/", {"body": "x"}, format="json")
    assert other.status_code == 403


def test_marks_are_set_and_taken_back_idempotently(member_api, thread, member):
    reply = Reply.objects.create(
        thread=thread, author=UserFactory(), body="Descale.", body_html="<p>Descale.</p>"
    )
    url = f"/api/v1/replies/{reply.pk}/helpful/"
    assert member_api.put(url).json() == {"active": True, "count": 1}
    assert member_api.put(url).json() == {"active": True, "count": 1}
    assert HelpfulVote.objects.filter(reply=reply, user=member).count() == 1
    assert member_api.delete(url).json() == {"active": False, "count": 0}

    other = authed(UserFactory())
    assert other.put(f"/api/v1/threads/{thread.pk}/me-too/").json()["count"] == 2
    assert MeToo.objects.filter(thread=thread).count() == 2
    assert other.delete(f"/api/v1/threads/{thread.pk}/follow/").json() == {"active": False}


def test_only_the_asker_accepts_a_solution(member_api, thread):
    reply = Reply.objects.create(
        thread=thread, author=UserFactory(), body="Descale.", body_html="<p>Descale.</p>"
    )
    url = f"/api/v1/threads/{thread.pk}/solution/"
    assert authed(UserFactory()).put(url, {"reply": reply.pk}, format="json").status_code == 403
    accepted = member_api.put(url, {"reply": reply.pk}, format="json")
    assert accepted.status_code == 200 and accepted.json()["solution"]["id"] == reply.pk
    assert member_api.put(url, {"reply": 999999}, format="json").status_code == 400
    assert member_api.delete(url).json()["solution"] is None


def test_recommending_and_the_queue_need_a_moderating_token(moderator, thread):
    reply = Reply.objects.create(
        thread=thread, author=UserFactory(), body="Descale.", body_html="<p>Descale.</p>"
    )
    url = f"/api/v1/replies/{reply.pk}/recommendation/"
    for refused in [authed(UserFactory()), authed(moderator, "write")]:
        assert refused.put(url).status_code == 403
        assert refused.get("/api/v1/queue/").status_code == 403
    staff = authed(moderator, "moderate")
    assert staff.put(url).json() == {"active": True}
    queue = staff.get("/api/v1/queue/").json()["results"]
    assert [row["id"] for row in queue] == [thread.pk]
    assert queue[0]["awaiting"] == "first_reply" and queue[0]["due_at"]


def test_a_revoked_token_stops_at_once(member):
    credential, secret = account_services.api_token_create(
        user=member, name="Script", scope="write"
    )
    url = "/api/v1/me/"
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    me = client.get(url).json()
    assert me["username"] == member.username and me["access"] == "write"

    account_services.api_credential_revoke(user=member, credential=credential)

    refused = client.get(url)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "not_authenticated"
    # Even reads: a revoked token is refused, never taken for a visitor.
    assert client.get("/api/v1/threads/").status_code == 401


def test_an_expired_or_forged_token_is_refused(member):
    from rest_framework.test import APIClient

    credential, secret = account_services.api_credential_issue(
        user=member, name="Old", scope="read", expires_at=timezone.now() + timedelta(seconds=1)
    )
    type(credential).objects.filter(pk=credential.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    for header in [f"Bearer {secret}", f"Bearer {secret[:-2]}xx", "Bearer relais_x_y", "Bearer"]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=header)
        assert client.get("/api/v1/me/").status_code == 401, header


def test_a_closed_accounts_tokens_stop_working(member):
    client = authed(member, "read")
    assert client.get("/api/v1/me/").status_code == 200
    account_services.user_close(user=member)
    assert client.get("/api/v1/me/").status_code == 401


def test_each_credential_has_its_own_request_limit(member, settings):
    from rest_framework.test import APIClient

    from tests.community.api.conftest import token_for

    slow = APIClient()
    slow.credentials(
        HTTP_AUTHORIZATION=f"Bearer {token_for(member, 'read', requests_per_minute=3)}"
    )
    answers = [slow.get("/api/v1/categories/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    limited = slow.get("/api/v1/categories/")
    assert int(limited["Retry-After"]) > 0
    assert authed(member, "read").get("/api/v1/categories/").status_code == 200

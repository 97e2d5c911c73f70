"""Hiding, restoring, locking and unlocking threads: logged, reversible, nothing lost."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from community import services as community_services
from community.models import Reply, Thread, Visibility
from moderation import services
from tests.factories import CategoryFactory, EditorFactory, ModeratorFactory, UserFactory
from tests.helpers import in_queue, logged

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread_title():
    return "The blender lid cracked"


@pytest.fixture
def thread_body():
    return "After a week of use."  # test_nothing_is_lost_when_a_thread_is_hidden reads it back


def actions_logged(thread) -> list[str]:
    return [action for action, _user, _data in logged(thread)]


def test_hidden_thread_leaves_lists_and_queue_and_comes_back_with_its_due_time(
    client, thread, moderator
):
    due = thread.response_due_at

    services.thread_hide(moderator=moderator, thread=thread, reason="Duplicate of another")

    assert not in_queue(thread)
    assert thread.title not in client.get("/community/").content.decode()
    assert client.get(thread.get_absolute_url()).status_code == 404

    services.thread_restore(moderator=moderator, thread=thread)

    thread.refresh_from_db()
    assert in_queue(thread)
    assert thread.response_due_at == due
    assert actions_logged(thread) == ["relais.thread.hide", "relais.thread.restore"]


def test_the_author_and_moderators_still_read_a_hidden_thread(client, thread, moderator):
    services.thread_hide(moderator=moderator, thread=thread, reason="Personal data in title")

    client.force_login(thread.author)
    as_author = client.get(thread.get_absolute_url()).content.decode()
    client.force_login(moderator)
    as_moderator = client.get(thread.get_absolute_url()).content.decode()
    client.force_login(UserFactory())

    assert "Hidden by a moderator" in as_author and "Personal data in title" in as_author
    assert f"/moderation/t/{thread.pk}/restore/" in as_moderator
    assert client.get(thread.get_absolute_url()).status_code == 404


def test_nothing_is_lost_when_a_thread_is_hidden(thread, moderator):
    reply = community_services.reply_create(author=UserFactory(), thread=thread, body="Help")

    services.thread_hide(moderator=moderator, thread=thread, reason="Spam")

    assert Thread.objects.filter(pk=thread.pk, body="After a week of use.").exists()
    assert Reply.objects.filter(pk=reply.pk, visibility=Visibility.VISIBLE).exists()


def test_locking_stops_member_replies_and_is_logged_and_reversible(client, thread, moderator):
    member = UserFactory()

    services.thread_set_locked(moderator=moderator, thread=thread, locked=True, reason="Heated")
    client.force_login(member)
    refused = client.post(f"/community/t/{thread.pk}/reply/", {"body": "One more thing"})
    services.thread_set_locked(moderator=moderator, thread=thread, locked=False)
    accepted = client.post(f"/community/t/{thread.pk}/reply/", {"body": "One more thing"})

    assert refused.status_code == 403
    assert accepted.status_code == 302
    assert Reply.objects.filter(thread=thread).count() == 1
    assert actions_logged(thread) == ["relais.thread.lock", "relais.thread.unlock"]


def test_hiding_and_locking_need_a_reason_and_a_moderator(thread, member, moderator):
    with pytest.raises(ValidationError):
        services.thread_hide(moderator=moderator, thread=thread, reason="")
    with pytest.raises(ValidationError):
        services.thread_set_locked(moderator=moderator, thread=thread, locked=True, reason=" ")
    for not_a_moderator in (member, EditorFactory(), thread.author):
        with pytest.raises(PermissionDenied):
            services.thread_hide(moderator=not_a_moderator, thread=thread, reason="No")
    thread.refresh_from_db()
    assert thread.visibility == Visibility.VISIBLE
    assert not thread.is_locked


@pytest.mark.parametrize("action", ["hide", "restore", "lock", "unlock"])
@pytest.mark.parametrize(("role", "status"), [("member", 403), ("editor", 403), ("moderator", 302)])
def test_thread_action_urls_are_for_moderators(request, client, thread, action, role, status):
    client.force_login(request.getfixturevalue(role))

    response = client.post(f"/moderation/t/{thread.pk}/{action}/", {"reason": "Because"})

    assert response.status_code == status
    if status == 403:
        thread.refresh_from_db()
        assert (thread.visibility, thread.is_locked) == (Visibility.VISIBLE, False)


def test_thread_actions_send_visitors_to_sign_in(client, thread):
    response = client.post(f"/moderation/t/{thread.pk}/hide/", {"reason": "Because"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# Pin, move, duplicate (issue 4, point 6) ------------------------------------------------------


def test_pinning_is_logged_idempotent_and_reversible(thread, moderator):
    services.thread_set_pinned(moderator=moderator, thread=thread, pinned=True, reason="FAQ")
    services.thread_set_pinned(moderator=moderator, thread=thread, pinned=True)  # double submit
    thread.refresh_from_db()
    assert thread.is_pinned

    services.thread_set_pinned(moderator=moderator, thread=thread, pinned=False)

    thread.refresh_from_db()
    assert not thread.is_pinned
    assert logged(thread) == [
        ("relais.thread.pin", moderator.pk, {"reason": "FAQ"}),
        ("relais.thread.unpin", moderator.pk, {"reason": ""}),
    ]


def test_moving_keeps_the_due_time_and_is_logged_and_reversible(thread, moderator):
    origin = thread.category
    due = thread.response_due_at
    target = CategoryFactory(name="Orders", first_response_hours=2)

    services.thread_move(moderator=moderator, thread=thread, category=target, reason="Wrong place")

    thread.refresh_from_db()
    assert thread.category == target
    assert thread.response_due_at == due  # the promise made when asked stands
    assert in_queue(thread)

    services.thread_move(moderator=moderator, thread=thread, category=origin, reason="Back")

    thread.refresh_from_db()
    assert (thread.category, thread.response_due_at) == (origin, due)
    assert logged(thread) == [
        (
            "relais.thread.move",
            moderator.pk,
            {
                "from": {"id": origin.pk, "name": origin.name},
                "to": {"id": target.pk, "name": "Orders"},
                "reason": "Wrong place",
            },
        ),
        (
            "relais.thread.move",
            moderator.pk,
            {
                "from": {"id": target.pk, "name": "Orders"},
                "to": {"id": origin.pk, "name": origin.name},
                "reason": "Back",
            },
        ),
    ]


def test_moving_needs_a_reason_and_another_category(thread, moderator, member):
    with pytest.raises(ValidationError):
        services.thread_move(
            moderator=moderator, thread=thread, category=CategoryFactory(), reason=""
        )
    with pytest.raises(ValidationError):
        services.thread_move(
            moderator=moderator, thread=thread, category=thread.category, reason="Same"
        )
    with pytest.raises(PermissionDenied):
        services.thread_move(
            moderator=member, thread=thread, category=CategoryFactory(), reason="x"
        )
    assert logged(thread) == []


def test_the_move_form_lists_the_categories_and_moves(moderator_client, thread):
    target = CategoryFactory(name="Deliveries")
    page = moderator_client.get(thread.get_absolute_url()).content.decode()
    assert f'action="/moderation/t/{thread.pk}/move/"' in page
    assert f'<option value="{target.pk}">Deliveries</option>' in page

    response = moderator_client.post(
        f"/moderation/t/{thread.pk}/move/", {"category": target.pk, "reason": "Delivery issue"}
    )

    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.category == target


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"category": "", "reason": "x"}, "Choose the category"),
        ({"category": "999999", "reason": "x"}, "Choose the category"),
        ({"category": "99999999999999999999", "reason": "x"}, "Choose the category"),
        ({"category": "²", "reason": "x"}, "Choose the category"),
        ({"category": "SAME", "reason": "x"}, "already in"),
        ({"category": "OTHER", "reason": ""}, "Say why"),
    ],
)
def test_a_bad_move_is_a_message_and_changes_nothing(moderator_client, thread, data, message):
    other = CategoryFactory()
    data = {
        **data,
        "category": {"SAME": thread.category_id, "OTHER": other.pk}.get(
            data["category"], data["category"]
        ),
    }

    response = moderator_client.post(f"/moderation/t/{thread.pk}/move/", data, follow=True)

    assert response.status_code == 200
    assert message in response.content.decode()
    thread.refresh_from_db()
    assert thread.category_id != other.pk
    assert logged(thread) == []


@pytest.fixture
def original(thread):
    return community_services.thread_create(
        author=UserFactory(),
        category=thread.category,
        title="The blender lid cracked after a month",
        body="The first report.",
    )


def test_marking_a_duplicate_closes_it_links_both_ways_and_reopens(
    client, thread, original, moderator
):
    member = UserFactory()
    services.thread_mark_duplicate(moderator=moderator, thread=thread, original=original)
    services.thread_mark_duplicate(moderator=moderator, thread=thread, original=original)  # again

    thread.refresh_from_db()
    assert thread.duplicate_of == original and thread.is_closed
    client.force_login(member)
    refused = client.post(f"/community/t/{thread.pk}/reply/", {"body": "Same here"})
    assert refused.status_code == 403
    duplicate_page = client.get(thread.get_absolute_url()).content.decode()
    original_page = client.get(original.get_absolute_url()).content.decode()
    assert f'href="{original.get_absolute_url()}"' in duplicate_page
    assert 'data-testid="duplicates"' in original_page
    assert f'href="{thread.get_absolute_url()}">{thread.title}</a>' in original_page
    listing = client.get("/community/").content.decode()
    assert listing.count(">Duplicate</span>") == 1

    services.thread_unmark_duplicate(moderator=moderator, thread=thread, reason="Different model")
    services.thread_unmark_duplicate(moderator=moderator, thread=thread)  # double submit

    thread.refresh_from_db()
    assert thread.duplicate_of is None
    assert client.post(f"/community/t/{thread.pk}/reply/", {"body": "Same"}).status_code == 302
    assert (
        'data-testid="duplicates"' not in client.get(original.get_absolute_url()).content.decode()
    )
    assert logged(thread) == [
        (
            "relais.thread.mark_duplicate",
            moderator.pk,
            {"original": original.pk, "title": original.title, "reason": ""},
        ),
        (
            "relais.thread.unmark_duplicate",
            moderator.pk,
            {"original": original.pk, "reason": "Different model"},
        ),
    ]


def test_the_original_lists_visible_duplicates_only(client, thread, original, moderator):
    services.thread_mark_duplicate(moderator=moderator, thread=thread, original=original)
    services.thread_hide(moderator=moderator, thread=thread, reason="Spam")

    page = client.get(original.get_absolute_url()).content.decode()

    assert 'data-testid="duplicates"' not in page


def test_a_duplicate_needs_a_different_visible_original_without_a_loop(thread, original, moderator):
    hidden = community_services.thread_create(
        author=UserFactory(), category=thread.category, title="A hidden question", body="."
    )
    services.thread_hide(moderator=moderator, thread=hidden, reason="Spam")
    services.thread_mark_duplicate(moderator=moderator, thread=original, original=thread)

    for candidate in (thread, hidden, original):  # itself, hidden, a loop back
        with pytest.raises(ValidationError):
            services.thread_mark_duplicate(moderator=moderator, thread=thread, original=candidate)
    # A longer loop: third → thread → ... refused from the chain.
    third = community_services.thread_create(
        author=UserFactory(), category=thread.category, title="A third report of it", body="."
    )
    services.thread_unmark_duplicate(moderator=moderator, thread=original)
    services.thread_mark_duplicate(moderator=moderator, thread=third, original=original)
    services.thread_mark_duplicate(moderator=moderator, thread=original, original=thread)
    with pytest.raises(ValidationError):
        services.thread_mark_duplicate(moderator=moderator, thread=thread, original=third)

    thread.refresh_from_db()
    assert thread.duplicate_of is None


@pytest.mark.parametrize(
    "reference",
    ["{pk}", " #{pk} ", "/community/t/{pk}/", "https://testserver/community/t/{pk}/some-slug/"],
)
def test_the_original_can_be_given_by_number_or_address(
    moderator_client, thread, original, reference
):
    response = moderator_client.post(
        f"/moderation/t/{thread.pk}/duplicate/",
        {"original": reference.format(pk=original.pk), "reason": "Same lid"},
        follow=True,
    )

    assert "Closed as a duplicate of" in response.content.decode()
    thread.refresh_from_db()
    assert thread.duplicate_of_id == original.pk


@pytest.mark.parametrize(
    "reference", ["", "lid", "999999", "/community/t/abc/", "https://x.example/t/1/", "9" * 40]
)
def test_an_unknown_original_is_a_message_and_changes_nothing(moderator_client, thread, reference):
    response = moderator_client.post(
        f"/moderation/t/{thread.pk}/duplicate/", {"original": reference}, follow=True
    )

    assert response.status_code == 200
    assert "Paste the address or the number of the original thread." in response.content.decode()
    thread.refresh_from_db()
    assert thread.duplicate_of_id is None


def test_the_staff_tools_offer_pin_move_and_duplicate(moderator_client, thread, original):
    page = moderator_client.get(thread.get_absolute_url()).content.decode()
    for action in ("pin", "move", "duplicate"):
        assert f'action="/moderation/t/{thread.pk}/{action}/"' in page

    moderator_client.post(f"/moderation/t/{thread.pk}/pin/")
    moderator_client.post(f"/moderation/t/{thread.pk}/duplicate/", {"original": str(original.pk)})
    page = moderator_client.get(thread.get_absolute_url()).content.decode()

    assert f'action="/moderation/t/{thread.pk}/unpin/"' in page
    assert f'action="/moderation/t/{thread.pk}/not-duplicate/"' in page


NEW_ACTIONS = ["pin", "unpin", "move", "duplicate", "not-duplicate"]


def _prepare(action, thread, original, moderator) -> dict:
    """The thread in the state the action changes, and the form data it needs."""
    if action == "unpin":
        services.thread_set_pinned(moderator=moderator, thread=thread, pinned=True)
    if action == "not-duplicate":
        services.thread_mark_duplicate(moderator=moderator, thread=thread, original=original)
    if action == "move":
        return {"category": CategoryFactory().pk, "reason": "Better there"}
    if action == "duplicate":
        return {"original": str(original.pk), "reason": "Same"}
    return {"reason": "Because"}


def _state(thread):
    thread.refresh_from_db()
    return (thread.is_pinned, thread.category_id, thread.duplicate_of_id)


@pytest.mark.parametrize("action", NEW_ACTIONS)
@pytest.mark.parametrize(("role", "status"), [("member", 403), ("editor", 403), ("moderator", 302)])
def test_pin_move_and_duplicate_urls_are_for_moderators(
    request, client, thread, original, action, role, status
):
    data = _prepare(action, thread, original, ModeratorFactory())
    before = _state(thread)
    user = request.getfixturevalue(role)
    client.force_login(user)

    response = client.post(f"/moderation/t/{thread.pk}/{action}/", data)

    assert response.status_code == status
    if status == 403:
        assert _state(thread) == before
    else:
        assert _state(thread) != before
        assert response["Location"] == thread.get_absolute_url()
        assert logged(thread)[-1][1] == user.pk


@pytest.mark.parametrize("action", NEW_ACTIONS)
def test_pin_move_and_duplicate_urls_send_visitors_to_sign_in_and_refuse_get(
    client, moderator_client, thread, original, action
):
    data = _prepare(action, thread, original, ModeratorFactory())
    before = _state(thread)

    response = client.post(f"/moderation/t/{thread.pk}/{action}/", data)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert moderator_client.get(f"/moderation/t/{thread.pk}/{action}/").status_code == 405
    assert _state(thread) == before


def test_a_double_submit_of_pin_and_duplicate_logs_once(moderator_client, thread, original):
    for _attempt in range(2):
        moderator_client.post(f"/moderation/t/{thread.pk}/pin/")
        moderator_client.post(f"/moderation/t/{thread.pk}/duplicate/", {"original": original.pk})

    assert [entry[0] for entry in logged(thread)] == [
        "relais.thread.pin",
        "relais.thread.mark_duplicate",
    ]


def test_parse_thread_reference():
    from moderation.views.actions import parse_thread_reference

    assert parse_thread_reference("42") == 42
    assert parse_thread_reference("http://x/fr/community/t/7/slug/?page=2#reply-3") == 7
    assert parse_thread_reference("/community/t/8") == 8
    assert parse_thread_reference("/community/r/9/") is None
    assert parse_thread_reference("4 2") is None

"""Who may do what: every community action, for every role, asked of the
permission functions directly and through its URL.

Each action is one row of ACTIONS: the roles it allows, its can_*/check_* pair
and the request that performs it. A denied request must answer 302 to the login
page (visitors, deactivated accounts) or 403 (members without the right) and
change no row.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied

from accounts.models import User
from community import permissions, services
from community.models import Follow, HelpfulVote, MeToo, Reply, Revision, Thread, Visibility
from tests.community.helpers import LOGIN_PREFIX, ROLES, SIGNED_OUT, database_state
from tests.factories import ModeratorFactory

pytestmark = pytest.mark.django_db

MEMBERS = frozenset({"author", "other_member", "moderator", "editor", "superuser"})
AUTHOR_OR_MODERATOR = frozenset({"author", "moderator", "superuser"})
NOT_THE_AUTHOR = frozenset({"other_member", "moderator", "editor", "superuser"})
MODERATORS = frozenset({"moderator", "superuser"})

ASK_TITLE = "The milk frother stays cold today"


# What an allowed request must have done -----------------------------------------------


def _asked(scene, user):
    assert Thread.objects.filter(author=user, title=ASK_TITLE).exists()


def _replied_to(attribute):
    def check(scene, user):
        thread = getattr(scene, attribute)
        assert Reply.objects.filter(thread=thread, author=user).exists()
        thread.refresh_from_db()
        assert thread.reply_count == Reply.objects.visible().filter(thread=thread).count()

    return check


def _thread_edited(scene, user):
    scene.thread.refresh_from_db()
    assert scene.thread.title == "The grinder jams every single morning"
    assert Revision.objects.filter(thread=scene.thread, editor=user).count() == 1


def _reply_edited(scene, user):
    scene.reply.refresh_from_db()
    assert scene.reply.body == "Try descaling it twice."
    assert Revision.objects.filter(reply=scene.reply, editor=user).count() == 1


def _nothing(scene, user):
    pass


def _marked_helpful(scene, user):
    scene.reply.refresh_from_db()
    assert HelpfulVote.objects.filter(reply=scene.reply, user=user).exists()
    assert scene.reply.helpful_count == 1


def _said_me_too(scene, user):
    scene.thread.refresh_from_db()
    assert MeToo.objects.filter(thread=scene.thread, user=user).exists()
    assert scene.thread.me_too_count == 2


def _followed(scene, user):
    assert Follow.objects.filter(thread=scene.quiet_thread, user=user).exists()


def _accepted(scene, user):
    scene.thread.refresh_from_db()
    assert scene.thread.solution_id == scene.thread_reply.pk
    assert scene.thread.solution_marked_by_id == user.pk


def _solution_undone(scene, user):
    scene.thread.refresh_from_db()
    assert scene.thread.solution_id is None


def _recommended(scene, user):
    scene.reply.refresh_from_db()
    assert scene.reply.recommended_by_id == user.pk


def _recommendation_undone(scene, user):
    scene.reply.refresh_from_db()
    assert scene.reply.recommended_at is None


def _accept_first(scene):
    services.thread_accept_reply(
        user=scene.people["author"], thread=scene.thread, reply=scene.thread_reply
    )
    scene.thread.refresh_from_db()


def _recommend_first(scene):
    services.reply_set_recommended(
        moderator=scene.people["moderator"], reply=scene.reply, recommended=True
    )
    scene.reply.refresh_from_db()


@dataclass(frozen=True)
class Action:
    name: str
    allowed: frozenset
    can: Callable  # (user, scene) -> bool
    check: Callable  # (user, scene) -> None, raises PermissionDenied
    method: str
    path: Callable  # (scene) -> str
    effect: Callable  # (scene, user) -> None: asserts what an allowed request changed
    data: Callable = lambda scene: {}
    setup: Callable = lambda scene: None
    ok_status: int = 302

    def __str__(self):
        return self.name


def _rule(name: str, post: str | None = None) -> dict:
    """An action's can= and check=: permissions.can_<name> and check_<name>, asked of a
    user about the scene's `post`, or about nothing but the user."""

    def asking(prefix: str) -> Callable:
        def ask(user, s):
            function = getattr(permissions, f"{prefix}_{name}")
            return function(user) if post is None else function(user, getattr(s, post))

        return ask

    return {"can": asking("can"), "check": asking("check")}


def _page(name: str, allowed: frozenset, rule: dict, path: Callable) -> "Action":
    """The GET of a page that goes with an action (its form, a history): 200 when
    allowed, and no change."""
    return Action(name, allowed, **rule, method="get", path=path, effect=_nothing, ok_status=200)


ACTIONS = [
    Action(
        "ask",
        MEMBERS,
        **_rule("ask"),
        method="post",
        path=lambda s: "/community/ask/",
        data=lambda s: {"title": ASK_TITLE, "body": "It does not heat.", "category": s.category_pk},
        effect=_asked,
    ),
    _page("ask-form", MEMBERS, _rule("ask"), lambda s: "/community/ask/"),
    Action(
        "reply",
        MEMBERS,
        **_rule("reply", "thread"),
        method="post",
        path=lambda s: f"/community/t/{s.thread.pk}/reply/",
        data=lambda s: {"body": "Same here, it jams."},
        effect=_replied_to("thread"),
    ),
    Action(
        "reply-on-locked-thread",
        MODERATORS,
        **_rule("reply", "locked_thread"),
        method="post",
        path=lambda s: f"/community/t/{s.locked_thread.pk}/reply/",
        data=lambda s: {"body": "Replying on a locked thread."},
        effect=_replied_to("locked_thread"),
    ),
    Action(
        "edit-thread",
        AUTHOR_OR_MODERATOR,
        **_rule("edit", "thread"),
        method="post",
        path=lambda s: f"/community/t/{s.thread.pk}/edit/",
        data=lambda s: {"title": "The grinder jams every single morning", "body": "It jams."},
        effect=_thread_edited,
    ),
    _page(
        "edit-thread-form",
        AUTHOR_OR_MODERATOR,
        _rule("edit", "thread"),
        lambda s: f"/community/t/{s.thread.pk}/edit/",
    ),
    _page(
        "thread-history",
        AUTHOR_OR_MODERATOR,
        _rule("view_history", "thread"),
        lambda s: f"/community/t/{s.thread.pk}/history/",
    ),
    Action(
        "edit-reply",
        AUTHOR_OR_MODERATOR,
        **_rule("edit", "reply"),
        method="post",
        path=lambda s: f"/community/r/{s.reply.pk}/edit/",
        data=lambda s: {"body": "Try descaling it twice."},
        effect=_reply_edited,
    ),
    _page(
        "edit-reply-form",
        AUTHOR_OR_MODERATOR,
        _rule("edit", "reply"),
        lambda s: f"/community/r/{s.reply.pk}/edit/",
    ),
    _page(
        "reply-history",
        AUTHOR_OR_MODERATOR,
        _rule("view_history", "reply"),
        lambda s: f"/community/r/{s.reply.pk}/history/",
    ),
    Action(
        "helpful",
        NOT_THE_AUTHOR,
        **_rule("mark_helpful", "reply"),
        method="post",
        path=lambda s: f"/community/r/{s.reply.pk}/helpful/",
        data=lambda s: {"value": "on"},
        effect=_marked_helpful,
    ),
    Action(
        "me-too",
        NOT_THE_AUTHOR,
        **_rule("say_me_too", "thread"),
        method="post",
        path=lambda s: f"/community/t/{s.thread.pk}/me-too/",
        data=lambda s: {"value": "on"},
        effect=_said_me_too,
    ),
    Action(
        "follow",
        MEMBERS,
        **_rule("follow"),
        method="post",
        path=lambda s: f"/community/t/{s.quiet_thread.pk}/follow/",
        data=lambda s: {"value": "on"},
        effect=_followed,
    ),
    Action(
        "accept",
        AUTHOR_OR_MODERATOR,
        **_rule("accept", "thread"),
        method="post",
        path=lambda s: f"/community/t/{s.thread.pk}/accept/",
        data=lambda s: {"reply": s.thread_reply.pk},
        effect=_accepted,
    ),
    Action(
        "undo-solution",
        AUTHOR_OR_MODERATOR,
        **_rule("accept", "thread"),
        method="post",
        path=lambda s: f"/community/t/{s.thread.pk}/accept/",
        data=lambda s: {"reply": ""},
        setup=_accept_first,
        effect=_solution_undone,
    ),
    Action(
        "recommend",
        MODERATORS,
        **_rule("recommend", "reply"),
        method="post",
        path=lambda s: f"/community/r/{s.reply.pk}/recommend/",
        data=lambda s: {"value": "on"},
        effect=_recommended,
    ),
    Action(
        "undo-recommendation",
        MODERATORS,
        **_rule("recommend", "reply"),
        method="post",
        path=lambda s: f"/community/r/{s.reply.pk}/recommend/",
        data=lambda s: {"value": "off"},
        setup=_recommend_first,
        effect=_recommendation_undone,
    ),
    Action(
        "recommend-official-reply",
        frozenset(),  # an official reply speaks for the brand already
        **_rule("recommend", "official_reply"),
        method="post",
        path=lambda s: f"/community/r/{s.official_reply.pk}/recommend/",
        data=lambda s: {"value": "on"},
        effect=_nothing,
    ),
]


def _table():
    return [
        pytest.param(action, role, id=f"{action}-{role}") for action in ACTIONS for role in ROLES
    ]


@pytest.mark.parametrize(("action", "role"), _table())
def test_permission_functions_answer_the_table(scene, action, role):
    action.setup(scene)
    user = scene.user(role)
    allowed = role in action.allowed

    assert action.can(user, scene) is allowed
    if allowed:
        action.check(user, scene)
    else:
        with pytest.raises(PermissionDenied):
            action.check(user, scene)


@pytest.mark.parametrize(("action", "role"), _table())
def test_url_answers_the_table_and_a_denied_request_changes_nothing(scene, action, role):
    action.setup(scene)
    client = scene.client(role)
    before = database_state()

    response = getattr(client, action.method)(action.path(scene), action.data(scene))

    if role in action.allowed:
        assert response.status_code == action.ok_status, response.content.decode()[:2000]
        if response.status_code == 302:
            assert not response["Location"].startswith(LOGIN_PREFIX)
        action.effect(scene, scene.user(role))
        return
    if role in SIGNED_OUT:
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN_PREFIX)
    else:
        assert response.status_code == 403
    assert database_state() == before


@pytest.mark.parametrize(
    "path",
    [
        "/community/r/{reply}/helpful/",
        "/community/t/{thread}/me-too/",
        "/community/t/{thread}/follow/",
        "/community/t/{thread}/accept/",
        "/community/r/{reply}/recommend/",
    ],
)
def test_htmx_visitor_is_sent_to_the_login_page(scene, client, path):
    before = database_state()

    response = client.post(
        path.format(reply=scene.reply.pk, thread=scene.thread.pk),
        {"value": "on", "reply": scene.thread_reply.pk},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(LOGIN_PREFIX)
    assert database_state() == before


@pytest.mark.parametrize("role", ["other_member", "editor"])
def test_htmx_denied_member_gets_403_and_nothing_changes(scene, role):
    client = scene.client(role)
    before = database_state()

    response = client.post(
        f"/community/r/{scene.reply.pk}/recommend/", {"value": "on"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 403
    assert "HX-Redirect" not in response
    assert database_state() == before


def test_anonymous_reply_redirects_to_login_and_comes_back_to_the_thread(scene, client):
    response = client.post(f"/community/t/{scene.thread.pk}/reply/", {"body": "Hello"})

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_PREFIX)
    assert scene.thread.get_absolute_url().replace("/", "%2F") in response["Location"]


def test_locked_thread_refusal_says_why(scene):
    response = scene.client("author").post(
        f"/community/t/{scene.locked_thread.pk}/reply/", {"body": "Still broken."}
    )

    assert response.status_code == 403
    assert "This thread is locked" in response.content.decode()


# Special cases of the direct checks -------------------------------------------------


def test_deactivated_author_can_no_longer_edit_or_accept(scene):
    author = scene.people["author"]
    author.is_active = False

    assert permissions.can_edit(author, scene.thread) is False
    assert permissions.can_edit(author, scene.reply) is False
    assert permissions.can_view_history(author, scene.thread) is False
    assert permissions.can_accept(author, scene.thread) is False
    assert permissions.can_ask(author) is False


def test_deactivated_moderator_loses_every_staff_right(scene):
    moderator = ModeratorFactory(is_active=False)

    assert permissions.can_recommend(moderator, scene.reply) is False
    assert permissions.can_reply(moderator, scene.locked_thread) is False
    assert permissions.can_edit(moderator, scene.reply) is False
    assert permissions.can_accept(moderator, scene.thread) is False


@pytest.mark.parametrize("role", ["author", "moderator", "superuser"])
def test_nobody_can_reply_to_a_hidden_thread(scene, role):
    scene.thread.visibility = Visibility.HIDDEN

    assert permissions.can_reply(scene.user(role), scene.thread) is False
    with pytest.raises(PermissionDenied):
        permissions.check_reply(scene.user(role), scene.thread)


def test_asker_may_accept_their_own_reply_but_not_mark_it_helpful(scene):
    own_reply = services.reply_create(
        author=scene.people["author"], thread=scene.thread, body="I found it myself."
    )

    assert permissions.can_accept(scene.people["author"], scene.thread) is True
    assert permissions.can_mark_helpful(scene.people["author"], own_reply) is False


# A solution staff marked ------------------------------------------------------------


def _staff_marks_the_solution(scene):
    services.thread_accept_reply(
        user=scene.people["moderator"], thread=scene.thread, reply=scene.thread_reply
    )
    scene.thread.refresh_from_db()


@pytest.mark.parametrize("choice", ["undo", "another reply"])
def test_asker_cannot_change_or_undo_a_solution_staff_marked(scene, choice):
    _staff_marks_the_solution(scene)
    asker = scene.people["author"]
    posted = "" if choice == "undo" else str(scene.official_reply.pk)

    response = scene.client("author").post(
        f"/community/t/{scene.thread.pk}/accept/", {"reply": posted}
    )

    assert response.status_code == 403
    assert "A moderator marked this solution" in response.content.decode()
    assert permissions.can_accept(asker, scene.thread) is False
    with pytest.raises(PermissionDenied):
        services.thread_accept_reply(user=asker, thread=scene.thread, reply=None)
    scene.thread.refresh_from_db()
    assert scene.thread.solution_id == scene.thread_reply.pk
    assert scene.thread.solution_marked_by_id == scene.people["moderator"].pk


@pytest.mark.parametrize("role", ["moderator", "superuser"])
def test_staff_may_change_and_undo_a_solution_staff_marked(scene, role):
    _staff_marks_the_solution(scene)

    changed = scene.client(role).post(
        f"/community/t/{scene.thread.pk}/accept/", {"reply": str(scene.official_reply.pk)}
    )
    scene.thread.refresh_from_db()
    assert changed.status_code == 302
    assert scene.thread.solution_id == scene.official_reply.pk

    undone = scene.client(role).post(f"/community/t/{scene.thread.pk}/accept/", {"reply": ""})
    scene.thread.refresh_from_db()
    assert undone.status_code == 302
    assert scene.thread.solution_id is None


def test_asker_may_change_their_own_solution_and_again_once_staff_undid_theirs(scene):
    asker = scene.people["author"]
    services.thread_accept_reply(user=asker, thread=scene.thread, reply=scene.thread_reply)
    scene.thread.refresh_from_db()
    assert permissions.can_accept(asker, scene.thread) is True
    services.thread_accept_reply(user=asker, thread=scene.thread, reply=scene.official_reply)

    _staff_marks_the_solution(scene)
    services.thread_accept_reply(user=scene.people["moderator"], thread=scene.thread, reply=None)
    scene.thread.refresh_from_db()

    assert permissions.can_accept(asker, scene.thread) is True


def test_the_thread_page_offers_the_asker_no_button_on_a_staff_solution(scene):
    _staff_marks_the_solution(scene)

    page = scene.client("author").get(scene.thread.get_absolute_url()).content.decode()
    staff_page = scene.client("moderator").get(scene.thread.get_absolute_url()).content.decode()

    assert "Undo solution" not in page
    assert "Accept as solution" not in page
    assert "Undo solution" in staff_page


@pytest.mark.parametrize("role", ROLES)
def test_permission_checks_run_no_queries_once_roles_are_loaded(
    scene, role, django_assert_num_queries
):
    user = scene.user(role)
    posts = [scene.reply, scene.thread_reply, scene.official_reply]
    permissions.can_recommend(user, scene.reply)  # loads the roles once, as a request would

    with django_assert_num_queries(0):
        for thread in (scene.thread, scene.locked_thread, scene.quiet_thread):
            permissions.can_reply(user, thread)
            permissions.can_edit(user, thread)
            permissions.can_say_me_too(user, thread)
            permissions.can_accept(user, thread)
        for reply in posts:
            permissions.can_edit(user, reply)
            permissions.can_mark_helpful(user, reply)
            permissions.can_recommend(user, reply)
        permissions.can_ask(user)
        permissions.can_follow(user)


def test_deactivated_author_is_signed_out_of_their_posts(scene):
    client = scene.client("author")
    User.objects.filter(pk=scene.people["author"].pk).update(is_active=False)
    before = database_state()

    response = client.post(
        f"/community/t/{scene.thread.pk}/edit/",
        {"title": "The grinder jams every single morning", "body": "It jams."},
    )

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_PREFIX)
    assert database_state() == before

"""Who may do what: every community action, for every role, asked of the
permission functions directly and through its URL.

Each action is one row of ACTIONS: the roles it allows, its can_*/check_* pair
and the request that performs it. A denied request must answer 302 to the login
page (visitors, deactivated accounts) or 403 (members without the right) and
change no row.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import Client

from accounts.models import User
from community import permissions, services
from community.models import (
    Follow,
    HelpfulVote,
    MeToo,
    Notification,
    Reply,
    Revision,
    Thread,
    Visibility,
)
from tests.factories import CategoryFactory, ModeratorFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN_PREFIX = "/accounts/login/?next="
ROLES = ["visitor", "author", "other_member", "moderator", "editor", "superuser", "inactive"]
SIGNED_OUT = {"visitor", "inactive"}  # a deactivated account's session is anonymous
MEMBERS = frozenset({"author", "other_member", "moderator", "editor", "superuser"})
AUTHOR_OR_MODERATOR = frozenset({"author", "moderator", "superuser"})
NOT_THE_AUTHOR = frozenset({"other_member", "moderator", "editor", "superuser"})
MODERATORS = frozenset({"moderator", "superuser"})

ASK_TITLE = "The milk frother stays cold today"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Scene:
    """The people of the table and the posts they act on.

    thread: asked by "author", with a peer's reply (thread_reply) and an official one.
    reply: written by "author" on a thread somebody else asked.
    locked_thread: asked by "author", locked.
    quiet_thread: asked by somebody else, nobody follows it.
    """

    people: dict
    thread: Thread
    thread_reply: Reply
    official_reply: Reply
    reply: Reply
    locked_thread: Thread
    quiet_thread: Thread
    category_pk: int = field(default=0)

    def user(self, role):
        return AnonymousUser() if role == "visitor" else self.people[role]

    def client(self, role) -> Client:
        client = Client()
        if role != "visitor":
            client.force_login(self.people[role])
        return client


@pytest.fixture
def scene(member, other_member, moderator, editor, superuser) -> Scene:
    people = {
        "visitor": None,
        "author": member,
        "other_member": other_member,
        "moderator": moderator,
        "editor": editor,
        "superuser": superuser,
        "inactive": UserFactory(is_active=False),
    }
    category = CategoryFactory()
    thread = services.thread_create(
        author=member, category=category, title="The grinder jams every morning", body="It jams."
    )
    thread_reply = services.reply_create(author=UserFactory(), thread=thread, body="Clean it.")
    official_reply = services.reply_create(
        author=ModeratorFactory(), thread=thread, body="We are looking into it."
    )
    other_thread = services.thread_create(
        author=UserFactory(), category=category, title="The kettle whistles all night", body="Hi"
    )
    reply = services.reply_create(author=member, thread=other_thread, body="Try descaling it.")
    locked_thread = services.thread_create(
        author=member, category=category, title="An old question, now locked", body="Old."
    )
    Thread.objects.filter(pk=locked_thread.pk).update(is_locked=True)
    locked_thread.refresh_from_db()
    quiet_thread = ThreadFactory(category=category)
    return Scene(
        people=people,
        thread=thread,
        thread_reply=thread_reply,
        official_reply=official_reply,
        reply=reply,
        locked_thread=locked_thread,
        quiet_thread=quiet_thread,
        category_pk=category.pk,
    )


def database_state() -> dict:
    """Every row an action could touch, to prove that a denied request touched none."""
    return {
        "threads": list(
            Thread.objects.order_by("pk").values_list(
                "pk", "title", "body", "reply_count", "me_too_count", "solution_id", "edited_at"
            )
        ),
        "replies": list(
            Reply.objects.order_by("pk").values_list(
                "pk", "body", "helpful_count", "recommended_by_id", "edited_at", "is_official"
            )
        ),
        "helpful": list(HelpfulVote.objects.order_by("pk").values_list("reply_id", "user_id")),
        "me_too": list(MeToo.objects.order_by("pk").values_list("thread_id", "user_id")),
        "follows": list(Follow.objects.order_by("pk").values_list("thread_id", "user_id")),
        "revisions": Revision.objects.count(),
        "notifications": list(Notification.objects.order_by("pk").values_list("pk", "read_at")),
    }


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


ACTIONS = [
    Action(
        "ask",
        MEMBERS,
        can=lambda user, s: permissions.can_ask(user),
        check=lambda user, s: permissions.check_ask(user),
        method="post",
        path=lambda s: "/community/ask/",
        data=lambda s: {"title": ASK_TITLE, "body": "It does not heat.", "category": s.category_pk},
        effect=_asked,
    ),
    Action(
        "ask-form",
        MEMBERS,
        can=lambda user, s: permissions.can_ask(user),
        check=lambda user, s: permissions.check_ask(user),
        method="get",
        path=lambda s: "/community/ask/",
        effect=_nothing,
        ok_status=200,
    ),
    Action(
        "reply",
        MEMBERS,
        can=lambda user, s: permissions.can_reply(user, s.thread),
        check=lambda user, s: permissions.check_reply(user, s.thread),
        method="post",
        path=lambda s: f"/community/t/{s.thread.pk}/reply/",
        data=lambda s: {"body": "Same here, it jams."},
        effect=_replied_to("thread"),
    ),
    Action(
        "reply-on-locked-thread",
        MODERATORS,
        can=lambda user, s: permissions.can_reply(user, s.locked_thread),
        check=lambda user, s: permissions.check_reply(user, s.locked_thread),
        method="post",
        path=lambda s: f"/community/t/{s.locked_thread.pk}/reply/",
        data=lambda s: {"body": "Replying on a locked thread."},
        effect=_replied_to("locked_thread"),
    ),
    Action(
        "edit-thread",
        AUTHOR_OR_MODERATOR,
        can=lambda user, s: permissions.can_edit(user, s.thread),
        check=lambda user, s: permissions.check_edit(user, s.thread),
        method="post",
        path=lambda s: f"/community/t/{s.thread.pk}/edit/",
        data=lambda s: {"title": "The grinder jams every single morning", "body": "It jams."},
        effect=_thread_edited,
    ),
    Action(
        "edit-thread-form",
        AUTHOR_OR_MODERATOR,
        can=lambda user, s: permissions.can_edit(user, s.thread),
        check=lambda user, s: permissions.check_edit(user, s.thread),
        method="get",
        path=lambda s: f"/community/t/{s.thread.pk}/edit/",
        effect=_nothing,
        ok_status=200,
    ),
    Action(
        "thread-history",
        AUTHOR_OR_MODERATOR,
        can=lambda user, s: permissions.can_view_history(user, s.thread),
        check=lambda user, s: permissions.check_view_history(user, s.thread),
        method="get",
        path=lambda s: f"/community/t/{s.thread.pk}/history/",
        effect=_nothing,
        ok_status=200,
    ),
    Action(
        "edit-reply",
        AUTHOR_OR_MODERATOR,
        can=lambda user, s: permissions.can_edit(user, s.reply),
        check=lambda user, s: permissions.check_edit(user, s.reply),
        method="post",
        path=lambda s: f"/community/r/{s.reply.pk}/edit/",
        data=lambda s: {"body": "Try descaling it twice."},
        effect=_reply_edited,
    ),
    Action(
        "edit-reply-form",
        AUTHOR_OR_MODERATOR,
        can=lambda user, s: permissions.can_edit(user, s.reply),
        check=lambda user, s: permissions.check_edit(user, s.reply),
        method="get",
        path=lambda s: f"/community/r/{s.reply.pk}/edit/",
        effect=_nothing,
        ok_status=200,
    ),
    Action(
        "reply-history",
        AUTHOR_OR_MODERATOR,
        can=lambda user, s: permissions.can_view_history(user, s.reply),
        check=lambda user, s: permissions.check_view_history(user, s.reply),
        method="get",
        path=lambda s: f"/community/r/{s.reply.pk}/history/",
        effect=_nothing,
        ok_status=200,
    ),
    Action(
        "helpful",
        NOT_THE_AUTHOR,
        can=lambda user, s: permissions.can_mark_helpful(user, s.reply),
        check=lambda user, s: permissions.check_mark_helpful(user, s.reply),
        method="post",
        path=lambda s: f"/community/r/{s.reply.pk}/helpful/",
        data=lambda s: {"value": "on"},
        effect=_marked_helpful,
    ),
    Action(
        "me-too",
        NOT_THE_AUTHOR,
        can=lambda user, s: permissions.can_say_me_too(user, s.thread),
        check=lambda user, s: permissions.check_say_me_too(user, s.thread),
        method="post",
        path=lambda s: f"/community/t/{s.thread.pk}/me-too/",
        data=lambda s: {"value": "on"},
        effect=_said_me_too,
    ),
    Action(
        "follow",
        MEMBERS,
        can=lambda user, s: permissions.can_follow(user),
        check=lambda user, s: permissions.check_follow(user),
        method="post",
        path=lambda s: f"/community/t/{s.quiet_thread.pk}/follow/",
        data=lambda s: {"value": "on"},
        effect=_followed,
    ),
    Action(
        "accept",
        AUTHOR_OR_MODERATOR,
        can=lambda user, s: permissions.can_accept(user, s.thread),
        check=lambda user, s: permissions.check_accept(user, s.thread),
        method="post",
        path=lambda s: f"/community/t/{s.thread.pk}/accept/",
        data=lambda s: {"reply": s.thread_reply.pk},
        effect=_accepted,
    ),
    Action(
        "undo-solution",
        AUTHOR_OR_MODERATOR,
        can=lambda user, s: permissions.can_accept(user, s.thread),
        check=lambda user, s: permissions.check_accept(user, s.thread),
        method="post",
        path=lambda s: f"/community/t/{s.thread.pk}/accept/",
        data=lambda s: {"reply": ""},
        setup=_accept_first,
        effect=_solution_undone,
    ),
    Action(
        "recommend",
        MODERATORS,
        can=lambda user, s: permissions.can_recommend(user, s.reply),
        check=lambda user, s: permissions.check_recommend(user, s.reply),
        method="post",
        path=lambda s: f"/community/r/{s.reply.pk}/recommend/",
        data=lambda s: {"value": "on"},
        effect=_recommended,
    ),
    Action(
        "undo-recommendation",
        MODERATORS,
        can=lambda user, s: permissions.can_recommend(user, s.reply),
        check=lambda user, s: permissions.check_recommend(user, s.reply),
        method="post",
        path=lambda s: f"/community/r/{s.reply.pk}/recommend/",
        data=lambda s: {"value": "off"},
        setup=_recommend_first,
        effect=_recommendation_undone,
    ),
    Action(
        "recommend-official-reply",
        frozenset(),  # an official reply speaks for the brand already
        can=lambda user, s: permissions.can_recommend(user, s.official_reply),
        check=lambda user, s: permissions.check_recommend(user, s.official_reply),
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


# Hidden threads: 404 on every action; the page itself only for its author (who reads
# the moderator's reason) and for moderators ----------------------------------------------

HIDDEN_ENDPOINTS = [
    ("get", "/community/t/{thread}/{slug}/", {}, True),
    ("get", "/community/t/{thread}/", {}, True),
    ("post", "/community/t/{thread}/reply/", {"body": "Me too"}, True),
    ("get", "/community/t/{thread}/edit/", {}, False),
    (
        "post",
        "/community/t/{thread}/edit/",
        {"title": "A brand new title here", "body": "x"},
        False,
    ),
    ("get", "/community/t/{thread}/history/", {}, False),
    ("post", "/community/t/{thread}/me-too/", {"value": "on"}, True),
    ("post", "/community/t/{thread}/follow/", {"value": "on"}, True),
    ("post", "/community/t/{thread}/accept/", {"reply": "{reply}"}, True),
    ("get", "/community/r/{reply}/", {}, True),
    ("get", "/community/r/{reply}/edit/", {}, False),
    ("post", "/community/r/{reply}/edit/", {"body": "Edited"}, False),
    ("get", "/community/r/{reply}/history/", {}, False),
    ("post", "/community/r/{reply}/helpful/", {"value": "on"}, True),
    ("post", "/community/r/{reply}/recommend/", {"value": "on"}, True),
]


@pytest.fixture
def hidden(member, other_member):
    """A thread asked by `member`, answered by `other_member`, then hidden by staff."""
    thread = services.thread_create(
        author=member, category=CategoryFactory(), title="A rude question, hidden", body="Rude."
    )
    reply = services.reply_create(author=other_member, thread=thread, body="A rude answer.")
    Thread.objects.filter(pk=thread.pk).update(visibility=Visibility.HIDDEN)
    return thread, reply


def _hidden_request(client, hidden, method, path, data):
    thread, reply = hidden
    path = path.format(thread=thread.pk, slug=thread.slug, reply=reply.pk)
    data = {key: value.format(reply=reply.pk) for key, value in data.items()}
    return getattr(client, method)(path, data)


@pytest.mark.parametrize("role", ["member", "other_member", "moderator", "editor", "superuser"])
@pytest.mark.parametrize(("method", "path", "data", "public"), HIDDEN_ENDPOINTS)
def test_hidden_thread_is_404_but_its_page_stays_readable_by_author_and_staff(
    request, hidden, role, method, path, data, public
):
    client = Client()
    client.force_login(request.getfixturevalue(role))
    before = database_state()

    response = _hidden_request(client, hidden, method, path, data)

    reads_hidden_page = role in {"member", "moderator", "superuser"}  # the asker, or staff
    if method == "get" and path == "/community/t/{thread}/{slug}/" and reads_hidden_page:
        assert response.status_code == 200
        assert "Hidden by a moderator" in response.content.decode()
    elif method == "get" and path == "/community/t/{thread}/" and reads_hidden_page:
        assert response.status_code == 301
    else:
        assert response.status_code == 404
    assert database_state() == before


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [(method, path, data) for method, path, data, public in HIDDEN_ENDPOINTS if public],
)
def test_hidden_thread_is_404_for_visitors(client, hidden, method, path, data):
    before = database_state()

    response = _hidden_request(client, hidden, method, path, data)

    assert response.status_code == 404
    assert database_state() == before


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/community/r/{reply}/", {}),
        ("get", "/community/r/{reply}/edit/", {}),
        ("get", "/community/r/{reply}/history/", {}),
        ("post", "/community/r/{reply}/helpful/", {"value": "on"}),
        ("post", "/community/r/{reply}/recommend/", {"value": "on"}),
        ("post", "/community/t/{thread}/accept/", {"reply": "{reply}"}),
    ],
)
@pytest.mark.parametrize("role", ["member", "moderator"])
def test_hidden_reply_in_a_visible_thread_is_404(request, scene, role, method, path, data):
    """`member` wrote scene.reply and asked scene.thread; both replies are hidden here."""
    Reply.objects.filter(pk__in=[scene.reply.pk, scene.thread_reply.pk]).update(
        visibility=Visibility.HIDDEN
    )
    target = scene.thread_reply if "accept" in path else scene.reply
    client = Client()
    client.force_login(request.getfixturevalue(role))
    before = database_state()

    response = getattr(client, method)(
        path.format(thread=scene.thread.pk, reply=target.pk),
        {key: value.format(reply=target.pk) for key, value in data.items()},
    )

    assert response.status_code == 404
    assert database_state() == before


def test_accepting_a_reply_of_another_thread_is_refused(scene):
    before = database_state()

    response = scene.client("author").post(
        f"/community/t/{scene.thread.pk}/accept/", {"reply": scene.reply.pk}
    )

    assert response.status_code == 404
    assert database_state() == before


# Notifications: only the recipient ---------------------------------------------------------


@pytest.fixture
def notification(scene) -> Notification:
    """The author's notification about the peer reply on their thread."""
    return Notification.objects.get(recipient=scene.people["author"], reply=scene.thread_reply)


@pytest.mark.parametrize("role", ROLES)
def test_notification_list_shows_only_the_viewers_own(scene, notification, role):
    response = scene.client(role).get("/community/notifications/")

    if role in SIGNED_OUT:
        assert response.status_code == 302
        assert response["Location"] == LOGIN_PREFIX + "/community/notifications/"
        return
    assert response.status_code == 200
    opens_it = f"/community/notifications/{notification.pk}/open/" in response.content.decode()
    assert opens_it is (role == "author")


@pytest.mark.parametrize("role", ROLES)
def test_only_the_recipient_can_open_a_notification(scene, notification, role):
    response = scene.client(role).post(f"/community/notifications/{notification.pk}/open/")

    notification.refresh_from_db()
    if role == "author":
        assert response.status_code == 302
        assert response["Location"] == f"/community/r/{scene.thread_reply.pk}/"
        assert notification.read_at is not None
        return
    if role in SIGNED_OUT:
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN_PREFIX)
    else:
        assert response.status_code == 404
    assert notification.read_at is None


@pytest.mark.parametrize("role", ROLES)
def test_read_all_marks_only_the_viewers_own_notifications(scene, notification, role):
    others = Notification.objects.exclude(recipient=scene.people["author"])
    unread_elsewhere = set(others.filter(read_at__isnull=True).values_list("pk", flat=True))
    signed_in_user = None if role in SIGNED_OUT else scene.people[role]

    response = scene.client(role).post("/community/notifications/read-all/")

    assert response.status_code == 302
    notification.refresh_from_db()
    assert (notification.read_at is not None) is (role == "author")
    if role in SIGNED_OUT:
        assert response["Location"].startswith(LOGIN_PREFIX)
    still_unread = set(others.filter(read_at__isnull=True).values_list("pk", flat=True))
    expected = {
        pk
        for pk in unread_elsewhere
        if signed_in_user is None
        or Notification.objects.get(pk=pk).recipient_id != signed_in_user.pk
    }
    assert still_unread == expected


def test_notification_open_answers_post_only(scene, notification):
    response = scene.client("author").get(f"/community/notifications/{notification.pk}/open/")

    assert response.status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None

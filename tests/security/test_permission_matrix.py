"""Issue 8, item 5: who may do what, on every URL the site answers.

The URL resolver is walked whole. Every route of the project (its own views, and
the admin views it registers) has a row in `route_matrix.toml` saying, per role
and per method, what the answer must be; third-party routes (Wagtail, allauth,
Django's admin) are covered group by group through representative URLs listed in
the same file. A route nobody wrote an expectation for fails, and so does an
expectation for a route that no longer exists.

Each route is one test: fresh fixtures, then every role x {GET, POST}. Every cell
runs inside a savepoint that is rolled back, so an allowed POST (a moderator hides
the thread) cannot change what the next cell sees. A cell that must be refused
also compares a fingerprint of the database before and after: a refusal changes
no row; an allowed POST must change one (the action happened), unless its row
says the role's POST leaves every row alone (`unchanged`). POSTs carry a valid
CSRF token (the clients enforce CSRF checks), so a refusal is the permission's
doing, never the CSRF middleware's.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone

from tests.security.figures import record

MATRIX_FILE = Path(__file__).with_name("route_matrix.toml")
MATRIX = tomllib.loads(MATRIX_FILE.read_text())

ROLES = ("visitor", "member", "author", "other", "suspended", "moderator", "editor", "superuser")
METHODS = ("get", "post")
OUTCOMES = {
    "ok",
    "redirect",
    "login",
    "refused",
    "unauthorized",
    "forbidden",
    "not_found",
    "not_allowed",
    "bad",
}
# A refusal: the request must leave every row as it was.
DENIED = {"login", "refused", "unauthorized", "forbidden", "not_found", "not_allowed"}
PROJECT_MODULES = tuple(MATRIX["project"]["view_modules"])
LOGIN_PATHS = set(MATRIX["project"]["login_paths"])
REFUSAL_PATHS = set(MATRIX["project"]["refusal_paths"])


# The routes ------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    pattern: str  # the full pattern, from the root: "community/t/<int:pk>/"
    name: str | None  # with namespaces: "community:thread_detail"
    view: str  # dotted path of the view: "community.views.thread_detail"

    @property
    def key(self) -> str:
        return self.name or self.pattern

    @property
    def namespace(self) -> str:
        return self.name.rpartition(":")[0] if self.name else ""


def walk(patterns=None, prefix: str = "", namespace: str = ""):
    """Every URL pattern under `patterns` (the whole resolver by default)."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from walk(entry.url_patterns, pattern, inner)
        elif isinstance(entry, URLPattern):
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            yield Route(pattern=pattern, name=name or None, view=entry.lookup_str)


def project_routes_and_groups() -> tuple[list[Route], dict[str, list[Route]], list[Route]]:
    """Split the walk into the project's routes, the third-party groups, and strays.

    A route is the project's when its view lives in a project app, or when it shares
    a URL namespace (other than a snippet viewset's) with one that does (a Wagtail
    viewset the project registers uses some of Wagtail's own views: its usage page,
    its chooser's "chosen" view).
    Project routes are never grouped: each needs its own row.
    """
    routes = list(walk())
    owned_namespaces = {
        r.namespace
        for r in routes
        if r.view.startswith(PROJECT_MODULES)
        # A snippet viewset is Wagtail's own, whose listing the project may replace
        # (community.translation_admin): that listing gets its rows, the rest of the
        # viewset stays in Wagtail's group.
        and not r.namespace.startswith("wagtailsnippets_")
    }
    owned_namespaces.discard("")
    project, groups, strays = [], {name: [] for name in MATRIX["groups"]}, []
    for route in routes:
        if route.view.startswith(PROJECT_MODULES) or route.namespace in owned_namespaces:
            project.append(route)
        elif route.key in MATRIX["routes"]:
            project.append(route)  # a third-party route the matrix lists one by one
        else:
            matches = [
                name
                for name, group in MATRIX["groups"].items()
                if route.pattern.startswith(group["prefix"])
                and route.view.startswith(tuple(group["views"]))
            ]
            if len(matches) == 1:
                groups[matches[0]].append(route)
            else:
                strays.append(route)
    return project, groups, strays


# The expectations ------------------------------------------------------------------


def expected_outcome(spec, role: str) -> str:
    """A cell's outcome: the role's own entry, else its role set's, else `all`."""
    if isinstance(spec, str):
        return spec
    if role in spec:
        return spec[role]
    for set_name, members in MATRIX["role_sets"].items():
        if role in members and set_name in spec:
            return spec[set_name]
    return spec["all"]


def _cases() -> list[tuple[str, dict]]:
    cases = [(key, row) for key, row in MATRIX["routes"].items()]
    for group_name, group in MATRIX["groups"].items():
        for url, sample in group["samples"].items():
            cases.append((f"{group_name} {url}", {"url": url, **sample}))
    return cases


CASES = _cases()


def test_the_matrix_file_is_well_formed():
    problems = []
    sets = MATRIX["role_sets"]
    for key, row in MATRIX["routes"].items():
        for state in ("unreadable", *THREAD_STATES):
            table = row.get(state, {})
            known = (*METHODS, "unchanged")
            problems += [f"{key} {state}: unknown key {m}" for m in table if m not in known]
            if table and (key, row) not in STATE_CASES:
                problems.append(f"{key}: a {state} table on a route without the thread")
    for set_name, members in sets.items():
        problems += [f"role set {set_name}: unknown role {r}" for r in members if r not in ROLES]
    state_cases = [
        (f"{key} [{state}]", state_row(row, state))
        for key, row in STATE_CASES
        for state in THREAD_STATES
    ]
    for key, row in CASES + state_cases:
        problems += [f"{key}: no url" for _ in [0] if "url" not in row]
        problems += [
            f"{key}: unchanged names unknown role {name}"
            for name in row.get("unchanged", [])
            if name not in {*ROLES, *sets, "all"}
        ]
        for method in METHODS:
            spec = row.get(method)
            if spec is None:
                problems.append(f"{key}: no expectation for {method.upper()}")
                continue
            specs = {"all": spec} if isinstance(spec, str) else spec
            for who, outcome in specs.items():
                if who not in {*ROLES, *sets, "all"}:
                    problems.append(f"{key} {method}: unknown role {who}")
                if outcome not in OUTCOMES:
                    problems.append(f"{key} {method}: unknown outcome {outcome}")
            given_sets = [name for name in specs if name in sets]
            for role in ROLES:
                if role not in specs and sum(role in sets[name] for name in given_sets) > 1:
                    problems.append(f"{key} {method}: {role} is in two of {given_sets}")
                covered = "all" in specs or any(role in sets[name] for name in given_sets)
                if role not in specs and not covered:
                    problems.append(f"{key} {method}: nothing says what {role} gets")
    assert problems == [], "\n".join(problems)


def test_every_route_has_expectations():
    project, groups, strays = project_routes_and_groups()
    walked = {route.key for route in project}
    listed = set(MATRIX["routes"])
    problems = [f"route without expectations: {key}" for key in sorted(walked - listed)]
    problems += [f"expectations for a route that does not exist: {k}" for k in listed - walked]
    problems += [f"route in no group: {r.pattern} ({r.key}, {r.view})" for r in strays]
    problems += [f"group {name} matches no route" for name, rs in groups.items() if not rs]
    total = len(project) + sum(len(rs) for rs in groups.values()) + len(strays)
    assert total == len(list(walk()))
    assert problems == [], "\n".join(problems)


def test_each_url_reaches_its_route():
    """The URL written for a route resolves to that route (a typo cannot test
    another page), and each group's sample URL resolves into its group."""
    _, groups, _ = project_routes_and_groups()
    grouped = {name: {r.key for r in routes} for name, routes in groups.items()}
    problems = []
    for key, row in MATRIX["routes"].items():
        got = _route_of(row["url"])
        if got != key:
            problems.append(f"{key}: {row['url']} resolves to {got}")
    for name, group in MATRIX["groups"].items():
        for url in group["samples"]:
            got = _route_of(url)
            if got not in grouped[name]:
                problems.append(f"group {name}: {url} resolves to {got}, outside the group")
    assert problems == [], "\n".join(problems)


def _route_of(url: str) -> str | None:
    try:
        match = resolve(urlsplit(url.format(**_placeholder_values())).path)
    except Resolver404:
        return None
    return match.view_name if match.url_name else match.route


def _placeholder_values() -> dict:
    """Stand-ins with the right shape, to resolve the URLs without a database."""
    return dict.fromkeys(WORLD_KEYS, "1") | {
        "thread_slug": "a-thread",
        "article_url": "/help/an-article/",
        "token": "t",
        "resolution_url": "/community/resolution/t/",
    }


# The world each route is tried against -----------------------------------------------

WORLD_KEYS = (
    "thread",
    "thread_slug",
    "reply",
    "peer_reply",
    "original",
    "category",
    "category_slug",
    "other_category",
    "tag",
    "author_username",
    "moderator_id",
    "notification",
    "canned",
    "article",
    "article_url",
    "report",
    "token",
    "attachment",
    "edit",
    "check",
    "resolution_url",
    "webhook",
    "webhook_delivery",
    "api_token",
    "integration_key",
)


@dataclass
class World:
    users: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    clients: dict = field(default_factory=dict)


def build_world(*, with_help_article: bool = True, with_legal_page: bool = False) -> World:
    from accounts.images import clean_upload
    from accounts.models import ApiCredential
    from accounts.services import api_credential_issue, api_token_create
    from accounts.tokens import make_unsubscribe_token
    from community import services
    from community.models import (
        EmbedSettings,
        HelpArticlePage,
        HelpIndexPage,
        HomePage,
        Notification,
        ProposedEdit,
        SatisfactionRating,
    )
    from community.resolution_links import resolution_link_path
    from community.services.conversation import resolution_check_ask
    from moderation.services.reports import report_create
    from tests.factories import (
        CannedResponseFactory,
        CategoryFactory,
        EditorFactory,
        ModeratorFactory,
        UserFactory,
        WebhookSubscriptionFactory,
    )
    from tests.images import upload

    users = {
        "member": UserFactory(username="plain-member"),
        "author": UserFactory(username="the-author"),
        "other": UserFactory(username="other-member"),
        "suspended": UserFactory(
            username="suspended-member",
            suspended_until=timezone.now() + timedelta(days=7),
            suspension_reason="Spam.",
        ),
        "moderator": ModeratorFactory(username="the-moderator"),
        "editor": EditorFactory(username="the-editor"),
        "superuser": UserFactory(username="the-admin", is_superuser=True, is_staff=True),
    }
    category = CategoryFactory(slug="blenders", name="Blenders")
    other_category = CategoryFactory(slug="kettles", name="Kettles")
    author, other = users["author"], users["other"]
    thread = services.thread_create(
        author=author,
        category=category,
        title="My blender stops after a few seconds",
        body="It **stops**, every time.",
        tags=["motor"],
        images=[clean_upload(upload(), max_bytes=10**6, max_pixels=10**6)],
    )
    reply = services.reply_create(author=author, thread=thread, body="It still happens today.")
    # Another member answers, follows the thread (by replying) and notifies the author.
    peer_reply = services.reply_create(author=other, thread=thread, body="Clean the filter.")
    original = services.thread_create(
        author=other, category=other_category, title="Blender stops after seconds", body="Same."
    )
    notification = Notification.objects.filter(recipient=author).order_by("pk").first()
    assert notification is not None
    report = report_create(reporter=users["member"], thread=thread, reply=peer_reply, reason="spam")
    # The author is asked whether the peer answer a moderator recommended solved it.
    check = resolution_check_ask(thread=thread, reply=peer_reply, staff=users["moderator"])
    # ... and how satisfied they are with the help (as when a thread is solved).
    SatisfactionRating.objects.create(thread=thread, member=author)
    # A change to the author's reply waiting for approval (as pre-moderation holds one).
    edit = ProposedEdit.objects.create(
        reply=reply, editor=author, body="See https://shop.example", body_html="<p>See</p>"
    )
    article = None
    if with_help_article:  # the slowest part to build: only for the routes that use it
        index = HelpIndexPage(title="Help centre", slug="help", intro="<p>Answers.</p>")
        HomePage.objects.get().add_child(instance=index)
        index.save_revision().publish()
        article = HelpArticlePage(title="Descaling", slug="descaling", summary="How.", body=[])
        index.add_child(instance=article)
        article.save_revision().publish()

    if with_legal_page:
        from community.models import LegalPage

        terms = LegalPage(kind="terms", title="Terms of use", slug="terms", body="<p>Rules.</p>")
        HomePage.objects.get().add_child(instance=terms)
        terms.save_revision().publish()

    world = World(users=users)
    world.values = {
        "thread": thread.pk,
        "thread_slug": thread.slug,
        "reply": reply.pk,
        "peer_reply": peer_reply.pk,
        "original": original.pk,
        "category": category.pk,
        "category_slug": category.slug,
        "other_category": other_category.pk,
        "tag": "motor",
        "author_username": author.username,
        "moderator_id": users["moderator"].pk,
        "notification": notification.pk,
        "canned": CannedResponseFactory().pk,
        "article": article.pk if article else 0,
        "article_url": article.url if article else "/help/descaling/",
        "report": report.pk,
        "token": make_unsubscribe_token(author),
        "attachment": thread.attachments.get().pk,
        "edit": edit.pk,
        "check": check.pk,
        "resolution_url": resolution_link_path(check, "not_yet"),
        **_webhook_values(WebhookSubscriptionFactory()),
        "api_token": api_token_create(user=author, name="Dashboard", scope="write")[0].pk,
        "integration_key": api_credential_issue(
            user=author, name="Helpdesk", scope="read", kind=ApiCredential.Kind.INTEGRATION
        )[0].pk,
    }
    # The site the help widget's routes are opened for (embed:* in the matrix).
    embed = EmbedSettings.load()
    embed.allowed_origins = "https://shop.example.com"
    embed.save()
    assert set(world.values) == set(WORLD_KEYS)
    for role in ROLES:
        client = Client(enforce_csrf_checks=True, raise_request_exception=False)
        if role != "visitor":
            client.force_login(users[role])
        world.clients[role] = client
    return world


def _webhook_values(subscription) -> dict:
    """A subscription and one delivery in its log (the admin's webhook routes)."""
    import uuid

    from community.models import WebhookDelivery

    delivery = WebhookDelivery.objects.create(
        subscription=subscription,
        event="thread.created",
        event_id=uuid.uuid4(),
        payload={},
        created_at=timezone.now(),
        status=WebhookDelivery.Status.SUCCEEDED,
    )
    return {"webhook": subscription.pk, "webhook_delivery": delivery.pk}


def csrf_token(client: Client) -> str:
    """A valid cookie and form token pair, as a page with a form would hand out."""
    request = RequestFactory().get("/")
    token = get_token(request)
    client.cookies[settings.CSRF_COOKIE_NAME] = request.META["CSRF_COOKIE"]
    return token


def classify(response) -> str:
    status = response.status_code
    if 200 <= status < 300:
        return "ok"
    if 300 <= status < 400:
        path = urlsplit(response.get("Location", "")).path
        if path in LOGIN_PATHS:
            return "login"
        return "refused" if path in REFUSAL_PATHS else "redirect"
    named = {
        400: "bad",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        405: "not_allowed",
    }
    return named.get(status, f"status {status}")


# The fingerprint of the database ---------------------------------------------------

# Beyond the row counts: the fields a refused request must above all leave alone.
KEY_FIELDS = {
    "community.Thread": (
        "title",
        "body",
        "category_id",
        "visibility",
        "is_locked",
        "is_pinned",
        "reply_count",
        "me_too_count",
        "solution_id",
        "assigned_to_id",
        "duplicate_of_id",
    ),
    "community.Reply": (
        "body",
        "visibility",
        "is_official",
        "recommended_by_id",
        "recommended_at",
        "helpful_count",
    ),
    "community.Notification": ("read_at",),
    "community.ResolutionCheck": ("answer",),
    "community.SatisfactionRating": ("score",),
    "accounts.User": (
        "is_active",
        "is_staff",
        "is_superuser",
        "suspended_until",
        "suspension_reason",
        "display_name",
        "bio",
        "email_notifications",
    ),
    "moderation.Report": ("status",),
    "accounts.ApiCredential": ("name", "scope", "revoked_at"),
}
EXTRA_MODELS = ("wagtailcore.ModelLogEntry", "account.EmailAddress", "taggit.Tag")


def _fingerprint_models():
    models = [
        model
        for label in ("accounts", "community", "moderation")
        for model in apps.get_app_config(label).get_models()
    ]
    return models + [apps.get_model(label) for label in EXTRA_MODELS]


def _count_sql() -> str:
    # One query for every table: its row count and highest id (a row deleted and
    # another added still changes the fingerprint). Names come from the models.
    quote = connection.ops.quote_name
    parts = []
    for model in _fingerprint_models():
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        parts += [f"(SELECT COUNT(*) FROM {table})", f"(SELECT MAX({pk}) FROM {table})"]  # noqa: S608
    return "SELECT " + ", ".join(parts)


def fingerprint() -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(_count_sql())
        counts = cursor.fetchone()
    rows = tuple(
        tuple(apps.get_model(label).objects.order_by("pk").values_list("pk", *fields))
        for label, fields in KEY_FIELDS.items()
    )
    return counts, rows


# The matrix ------------------------------------------------------------------------


def _fill(value: str, values: dict) -> str:
    return value.format(**values)


def leaves_rows_alone(row: dict, role: str) -> bool:
    """Whether an allowed POST of `role` may change nothing: the row's `unchanged`
    names it, a role set it is in, or "all" (a read, a session-only change, or an
    action with nothing to do in that state: restoring a visible thread)."""
    names = row.get("unchanged", [])
    sets = [name for name in names if name in MATRIX["role_sets"]]
    return "all" in names or role in names or any(role in MATRIX["role_sets"][n] for n in sets)


def run_case(world: World, key: str, row: dict) -> tuple[int, list[str]]:
    url = _fill(row["url"], world.values)
    data = {name: _fill(str(value), world.values) for name, value in row.get("data", {}).items()}
    cells, mismatches = 0, []
    for role in ROLES:
        client = world.clients[role]
        # GET before POST: a POST that signs the role out (allauth's logout) comes last.
        for method in METHODS:
            expected = expected_outcome(row[method], role)
            with transaction.atomic():
                # Refused: no row may change. Allowed POST: some row must change (the
                # action happened), unless the row lists the role as `unchanged`.
                must_act = method == "post" and expected not in DENIED
                must_act = must_act and not leaves_rows_alone(row, role)
                before = fingerprint() if expected in DENIED or must_act else None
                if method == "get":
                    response = client.get(url)
                else:
                    payload = {**data, "csrfmiddlewaretoken": csrf_token(client)}
                    response = client.post(url, payload)
                got = classify(response)
                changed = before is not None and fingerprint() != before
                if must_act and not changed:
                    got = f"{got}, and no row changed"
                elif changed and not must_act:
                    got = f"{got}, and rows changed"
                transaction.set_rollback(True)
            cells += 1
            if got != expected:
                mismatches.append(f"{key} | {role} | {method.upper()} {url} | {expected} | {got}")
    return cells, mismatches


@pytest.mark.parametrize(("key", "row"), CASES, ids=[key for key, _ in CASES])
def test_permission_matrix(db, key, row):
    world = build_world(
        with_help_article="{article" in str(row), with_legal_page="/legal/" in row["url"]
    )
    cells, mismatches = run_case(world, key, row)
    record("matrix", cases=cells, failures=len(mismatches))
    assert mismatches == [], "route | role | method url | expected | got\n" + "\n".join(mismatches)


# The same routes against a hidden, a pending and a locked thread ----------------------
# The routes that take the thread, one of its replies or its image run again with the
# thread in each state, in the same world (each state inside a savepoint that is rolled
# back). A route's row may say, per state, what changes: `[routes."x".hidden]` with its
# own get/post; a state the row does not mention must answer as the visible thread does.

THREAD_STATES = ("hidden", "pending", "locked")
STATE_PLACEHOLDERS = ("{thread}", "{reply}", "{peer_reply}", "{attachment}")
STATE_CASES = [
    (key, row)
    for key, row in MATRIX["routes"].items()
    if any(placeholder in row["url"] for placeholder in STATE_PLACEHOLDERS)
]


def set_thread_state(world: World, state: str) -> None:
    """Put the world's thread in `state` through the services, as a moderator would
    (pending: as pre-moderation leaves a new member's thread)."""
    from community.models import Thread
    from moderation import services

    thread = Thread.objects.get(pk=world.values["thread"])
    moderator = world.users["moderator"]
    if state == "hidden":
        services.thread_hide(moderator=moderator, thread=thread, reason="Spam.")
    elif state == "locked":
        services.thread_set_locked(
            moderator=moderator, thread=thread, locked=True, reason="Heated."
        )
    else:
        Thread.objects.filter(pk=thread.pk).update(visibility="pending")


def state_row(row: dict, state: str) -> dict:
    """The row for `state`: a method the state's table names is replaced whole
    (`unreadable` stands for both hidden and pending; `hidden`/`pending` win)."""
    changes = {**row.get("unreadable", {})} if state in ("hidden", "pending") else {}
    changes |= row.get(state, {})
    return {**row, **changes}


@pytest.mark.parametrize(("key", "row"), STATE_CASES, ids=[key for key, _ in STATE_CASES])
def test_permission_matrix_on_thread_states(db, key, row):
    """One world per route (building it is the slow part), each state in a savepoint."""
    world = build_world(with_help_article=False)
    cells, mismatches = 0, []
    for state in THREAD_STATES:
        with transaction.atomic():
            set_thread_state(world, state)
            tried, wrong = run_case(world, f"{key} [{state}]", state_row(row, state))
            transaction.set_rollback(True)
        cells, mismatches = cells + tried, mismatches + wrong
    record("matrix", cases=cells, failures=len(mismatches))
    assert mismatches == [], "route | role | method url | expected | got\n" + "\n".join(mismatches)


# Fields a member may not set are ignored -----------------------------------------------

# Everything a forged form could add to look official, pinned, older, someone
# else's, or to make its poster staff.
FORGED = {
    "author": "{other}",
    "author_id": "{other}",
    "is_official": "on",
    "official": "1",
    "reply_count": "99",
    "helpful_count": "99",
    "me_too_count": "99",
    "created_at": "2001-01-01T00:00:00Z",
    "updated_at": "2001-01-01T00:00:00Z",
    "published_at": "2001-01-01T00:00:00Z",
    "first_official_reply_at": "2001-01-01T00:00:00Z",
    "is_staff": "on",
    "is_superuser": "on",
    "is_active": "",
    "visibility": "hidden",
    "is_pinned": "on",
    "is_locked": "on",
    "solution": "{peer_reply}",
    "solution_id": "{peer_reply}",
    "recommended_by": "{moderator}",
    "recommended_at": "2001-01-01T00:00:00Z",
    "assigned_to": "{moderator}",
    "duplicate_of": "{original}",
    "suspended_until": "2001-01-01T00:00:00Z",
    "groups": "{moderators_group}",
    "user_permissions": "1",
    "username": "forged-name",
    "email": "forged@example.com",
    "password": "forged-password",
}


def _forged(world: World, **allowed) -> dict:
    from django.contrib.auth.models import Group

    values = {
        **world.values,
        "other": world.users["other"].pk,
        "moderator": world.users["moderator"].pk,
        "moderators_group": Group.objects.get(name="Moderators").pk,
    }
    client = world.clients["member"]
    return {
        **{name: value.format(**values) for name, value in FORGED.items()},
        **allowed,
        "csrfmiddlewaretoken": csrf_token(client),
    }


def _stuck(form: str, rows: dict[str, tuple[dict, dict]]) -> tuple[int, list[str]]:
    """Each row's stored fields against that row's own expectations.

    `rows` maps a row's name ("reply", "thread", "member") to (stored, expected):
    rows are compared apart, never merged into one dict, where a thread's `author`
    or `visibility` would stand in for the reply's and a forged one would pass."""
    cases, stuck = 0, []
    for row, (stored, expected) in rows.items():
        assert set(expected) <= set(stored), f"{form} {row}: unknown fields"
        cases += len(expected)
        stuck += [
            f"{form}: {row} {name} is {stored[name]!r}, expected {value!r}"
            for name, value in expected.items()
            if stored[name] != value
        ]
    return cases, stuck


def _compare(form: str, **rows: tuple[dict, dict]) -> None:
    cases, stuck = _stuck(form, rows)
    record("matrix", cases=cases, failures=len(stuck))
    assert stuck == [], "\n".join(stuck)


def _recent(moment) -> bool:
    return moment is not None and timezone.now() - moment < timedelta(minutes=5)


def _thread_state(thread) -> dict:
    return {
        "pk": thread.pk,
        "author": thread.author_id,
        "category": thread.category_id,
        "visibility": thread.visibility,
        "is_pinned": thread.is_pinned,
        "is_locked": thread.is_locked,
        "reply_count": thread.reply_count,
        "me_too_count": thread.me_too_count,
        "solution": thread.solution_id,
        "assigned_to": thread.assigned_to_id,
        "duplicate_of": thread.duplicate_of_id,
        "first_official_reply_at": thread.first_official_reply_at,
        "created recently": _recent(thread.created_at),
    }


def _user_state(user) -> dict:
    return {
        "username": user.username,
        "email": user.email,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "is_active": user.is_active,
        "suspended_until": user.suspended_until,
        "groups": list(user.groups.all()),
        "user_permissions": list(user.user_permissions.all()),
        "password unchanged": not user.check_password("forged-password"),
    }


def test_forged_fields_are_ignored_when_asking(db):
    from community.models import Thread

    world = build_world(with_help_article=False)
    member = world.users["member"]
    data = _forged(world, title="The kettle whistles all the time", body="Since yesterday.")
    data |= {"category": world.values["category"], "tags": "noise"}
    response = world.clients["member"].post("/community/ask/", data)
    assert response.status_code == 302, response.content[:500]
    thread = Thread.objects.get(title="The kettle whistles all the time")
    expected = {
        "author": member.pk,
        "category": world.values["category"],
        "visibility": "visible",
        "is_pinned": False,
        "is_locked": False,
        "reply_count": 0,
        "me_too_count": 1,  # the asker counts as the first member with the problem
        "solution": None,
        "assigned_to": None,
        "duplicate_of": None,
        "first_official_reply_at": None,
        "created recently": True,
    }
    member.refresh_from_db()
    _compare(
        "ask",
        thread=(_thread_state(thread), expected),
        member=(_user_state(member), _member_expected(member)),
    )


def _member_expected(member) -> dict:
    """What a member's own row must still say after any of these forms."""
    return {
        "username": member.username,
        "email": member.email,
        "is_staff": False,
        "is_superuser": False,
        "is_active": True,
        "suspended_until": None,
        "groups": [],
        "user_permissions": [],
        "password unchanged": True,
    }


def _reply_state(reply) -> dict:
    return {
        "thread": reply.thread_id,
        "author": reply.author_id,
        "is_official": reply.is_official,
        "visibility": reply.visibility,
        "helpful_count": reply.helpful_count,
        "recommended_by": reply.recommended_by_id,
        "recommended_at": reply.recommended_at,
        "created recently": _recent(reply.created_at),
    }


def test_forged_fields_are_ignored_when_replying(db):
    from community.models import Reply, Thread

    world = build_world(with_help_article=False)
    member = world.users["member"]
    thread = Thread.objects.get(pk=world.values["thread"])
    before = _thread_state(thread)
    data = _forged(world, body="Mine too, since the update.", thread=world.values["original"])
    url = f"/community/t/{thread.pk}/reply/"
    assert world.clients["member"].post(url, data).status_code == 302
    reply = Reply.objects.get(body="Mine too, since the update.")
    _compare("reply", **_reply_form_rows(reply=reply, member=member, thread_before=before))


def _reply_form_rows(*, reply, member, thread_before: dict) -> dict:
    """What a member's reply must be after the reply form, row by row: the reply
    theirs, visible and plain; the thread one reply more and nothing else changed;
    the member's own row unchanged."""
    from community.models import Thread

    reply.refresh_from_db()
    member.refresh_from_db()
    thread = Thread.objects.get(pk=thread_before["pk"])
    expected_reply = {
        "thread": thread.pk,
        "author": member.pk,
        "is_official": False,
        "visibility": "visible",
        "helpful_count": 0,
        "recommended_by": None,
        "recommended_at": None,
        "created recently": True,
    }
    expected_thread = thread_before | {"reply_count": thread_before["reply_count"] + 1}
    return {
        "reply": (_reply_state(reply), expected_reply),
        "thread": (_thread_state(thread), expected_thread),
        "member": (_user_state(member), _member_expected(member)),
    }


def test_the_reply_comparison_catches_a_forged_author_or_visibility(db):
    """The check above would see a reply stored with another author, hidden or
    made official, although the thread's own author and visibility are right."""
    from community import services
    from community.models import Reply, Thread

    world = build_world(with_help_article=False)
    member, other = world.users["member"], world.users["other"]
    thread = Thread.objects.get(pk=world.values["thread"])
    before = _thread_state(thread)
    reply = services.reply_create(author=member, thread=thread, body="A reply to forge.")
    Reply.objects.filter(pk=reply.pk).update(author=other, visibility="pending", is_official=True)
    _, stuck = _stuck("reply", _reply_form_rows(reply=reply, member=member, thread_before=before))
    assert [line.split(" is ")[0] for line in stuck] == [
        "reply: reply author",
        "reply: reply is_official",
        "reply: reply visibility",
    ]


def test_forged_fields_are_ignored_when_editing_a_thread(db):
    from community.models import Thread

    world = build_world(with_help_article=False)
    author = world.users["author"]
    world.clients["member"] = world.clients["author"]  # the author edits their thread
    thread = Thread.objects.get(pk=world.values["thread"])
    before = _thread_state(thread)
    data = _forged(world, title="My blender stops after ten seconds", body="Edited.", tags="")
    data["category"] = world.values["other_category"]
    url = f"/community/t/{thread.pk}/edit/"
    assert world.clients["author"].post(url, data).status_code == 302
    thread.refresh_from_db()
    author.refresh_from_db()
    assert thread.title == "My blender stops after ten seconds"
    _compare(
        "thread edit",
        thread=(_thread_state(thread), before),
        member=(_user_state(author), _member_expected(author)),
    )


def test_forged_fields_are_ignored_when_editing_a_reply(db):
    from community.models import Reply

    world = build_world(with_help_article=False)
    author = world.users["author"]
    world.clients["member"] = world.clients["author"]
    reply = Reply.objects.get(pk=world.values["reply"])
    before = _reply_state(reply)
    data = _forged(world, body="It still happens, edited.", thread=world.values["original"])
    url = f"/community/r/{reply.pk}/edit/"
    assert world.clients["author"].post(url, data).status_code == 302
    reply.refresh_from_db()
    author.refresh_from_db()
    assert reply.body == "It still happens, edited."
    _compare(
        "reply edit",
        reply=(_reply_state(reply), before),
        member=(_user_state(author), _member_expected(author)),
    )


def test_forged_fields_are_ignored_when_editing_the_profile(db):
    world = build_world(with_help_article=False)
    member = world.users["member"]
    expected = _member_expected(member)
    data = _forged(world, display_name="New name", bio="Hello.", email_notifications="none")
    assert world.clients["member"].post("/accounts/profile/", data).status_code == 302
    member.refresh_from_db()
    assert (member.display_name, member.email_notifications) == ("New name", "none")
    _compare("profile", member=(_user_state(member), expected))

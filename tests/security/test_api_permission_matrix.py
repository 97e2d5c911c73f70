"""Issue 20: who may do what through the API, for every operation and credential.

The operations come from the OpenAPI schema the API serves, so a new endpoint
without a row in `api_matrix.toml` fails, as a new page without a row in
`route_matrix.toml` does. Each operation is one test: the route matrix's world
(its members, thread, replies and report), a credential per kind, then each
credential sends the operation inside a savepoint that is rolled back. As in the
route matrix, a refusal must change no row and an allowed write must change one;
every refusal answers the API's error shape with its status.
"""

from __future__ import annotations

import json
import re
import tomllib
from datetime import timedelta
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from tests.security.figures import record
from tests.security.test_permission_matrix import build_world, fingerprint

MATRIX = tomllib.loads(Path(__file__).with_name("api_matrix.toml").read_text())
CREDENTIALS = (
    "visitor",
    "reader",
    "author",
    "newcomer",
    "other",
    "suspended",
    "moderator",
    "moderator_write",
    "editor",
    "revoked",
    "expired",
)
OUTCOMES = {
    200: "ok",
    201: "created",
    400: "bad",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "not_allowed",
    429: "limited",
}
DENIED = {"unauthorized", "forbidden", "not_found", "not_allowed"}
CASES = list(MATRIX["operations"].items())


@cache
def served_operations() -> dict[str, tuple[str, str]]:
    """{operation id: (HTTP method, path template)} from the served schema."""
    response = Client().get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    return {
        operation["operationId"]: (method.upper(), path)
        for path, operations in paths.items()
        for method, operation in operations.items()
    }


def expected_outcome(spec, who: str) -> str:
    if isinstance(spec, str):
        return spec
    if who in spec:
        return spec[who]
    for set_name, members in MATRIX["credential_sets"].items():
        if who in members and set_name in spec:
            return spec[set_name]
    return spec["all"]


def test_every_served_operation_has_a_row_and_each_row_its_operation():
    served = served_operations()
    problems = [
        f"operation without a row: {op}" for op in sorted(set(served) - set(MATRIX["operations"]))
    ]
    problems += [
        f"row for no operation: {op}" for op in sorted(set(MATRIX["operations"]) - set(served))
    ]
    for operation, row in CASES:
        if operation not in served:
            continue
        # The row's URL is the operation's path with its parameters filled in.
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(served[operation][1]))
        path = urlsplit(row["url"]).path
        if not re.fullmatch(pattern, path.replace("{", "").replace("}", "")):
            problems.append(f"{operation}: {row['url']} is not {served[operation][1]}")
        spec = row["expect"]
        specs = {"all": spec} if isinstance(spec, str) else spec
        known = {*CREDENTIALS, *MATRIX["credential_sets"], "all"}
        problems += [f"{operation}: unknown credential {who}" for who in specs if who not in known]
        problems += [
            f"{operation}: unknown outcome {outcome}"
            for outcome in specs.values()
            if outcome not in OUTCOMES.values()
        ]
        if "all" not in specs:
            problems.append(f"{operation}: no `all`")
    assert problems == [], "\n".join(problems)


def issue_credentials(users) -> dict[str, str | None]:
    """One secret per credential kind (None: no credential at all)."""
    from accounts.models import ApiScope
    from accounts.services import api_credential_issue, api_credential_revoke

    def secret(user, scope=ApiScope.WRITE, **kwargs):
        return api_credential_issue(user=user, name="Matrix", scope=scope, **kwargs)

    revoked, revoked_secret = secret(users["author"])
    api_credential_revoke(user=users["author"], credential=revoked)
    return {
        "visitor": None,
        "reader": secret(users["author"], ApiScope.READ)[1],
        "author": secret(users["author"])[1],
        "newcomer": secret(users["member"])[1],
        "other": secret(users["other"])[1],
        "suspended": secret(users["suspended"])[1],
        "moderator": secret(users["moderator"], ApiScope.MODERATE)[1],
        "moderator_write": secret(users["moderator"])[1],
        "editor": secret(users["editor"])[1],
        "revoked": revoked_secret,
        "expired": secret(users["author"], expires_at=timezone.now() - timedelta(minutes=1))[1],
    }


def classify(response) -> str:
    got = OUTCOMES.get(response.status_code, f"status {response.status_code}")
    if response.status_code >= 400:
        error = response.json().get("error", {}) if "json" in response["Content-Type"] else {}
        if error.get("status") != response.status_code or not error.get("message"):
            got += ", without the error shape"
    return got


def _fill(value, values: dict):
    return value.format(**values) if isinstance(value, str) else value


def hold_first_posts() -> None:
    """The newcomer's posts wait for a moderator, as on a site with the default
    rules; the world's other members already have public posts."""
    from community.models import CommunitySettings

    rules = CommunitySettings.load()
    rules.premoderation_first_posts = 1
    rules.save()


@pytest.mark.parametrize(("operation", "row"), CASES, ids=[op for op, _ in CASES])
def test_api_permission_matrix(db, operation, row):
    method = served_operations()[operation][0]
    world = build_world(with_help_article="help-articles" in row["url"])
    secrets = issue_credentials(world.users)
    hold_first_posts()

    url = _fill(row["url"], world.values)
    body = {name: _fill(value, world.values) for name, value in row.get("data", {}).items()}
    cells, mismatches = 0, []
    for who in CREDENTIALS:
        client = APIClient()
        if secrets[who]:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {secrets[who]}")
        expected = expected_outcome(row["expect"], who)
        with transaction.atomic():
            if row.get("setup"):
                client.generic(row["setup"], url, json.dumps(body), "application/json")
            must_act = method != "GET" and expected not in DENIED
            must_act = must_act and who not in row.get("unchanged", [])
            before = fingerprint() if expected in DENIED or must_act else None
            if method == "GET":
                response = client.get(url)
            else:
                response = client.generic(method, url, json.dumps(body), "application/json")
            got = classify(response)
            changed = before is not None and fingerprint() != before
            if must_act and not changed:
                got = f"{got}, and no row changed"
            elif changed and not must_act:
                got = f"{got}, and rows changed"
            transaction.set_rollback(True)
        cells += 1
        if got != expected:
            mismatches.append(f"{operation} | {who} | {method} {url} | {expected} | {got}")
    record("api_matrix", cases=cells, failures=len(mismatches))
    assert mismatches == [], "operation | credential | request | expected | got\n" + "\n".join(
        mismatches
    )


def test_a_newcomers_question_through_the_api_waits_in_the_moderation_queue(db):
    """The same rule as on the site: the pre-moderated question is pending, readable
    by its author and by staff with a moderating token, and no one else."""
    from community.models import Thread

    world = build_world(with_help_article=False)
    secrets = issue_credentials(world.users)
    hold_first_posts()
    newcomer = APIClient()
    newcomer.credentials(HTTP_AUTHORIZATION=f"Bearer {secrets['newcomer']}")
    response = newcomer.post(
        "/api/v1/threads/",
        {
            "category": "blenders",
            "title": "The lid does not lock any more",
            "body": "Since Monday.",
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["visibility"] == "pending"
    thread = Thread.objects.get(pk=response.json()["id"])
    assert thread.visibility == "pending"
    path = f"/api/v1/threads/{thread.pk}/"
    assert newcomer.get(path).status_code == 200
    assert APIClient().get(path).status_code == 404
    for who, status in (("moderator", 200), ("moderator_write", 404), ("other", 404)):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secrets[who]}")
        assert client.get(path).status_code == status, who

"""axe-core on every kind of page, in English and in French.

A test fails on any violation axe rates "serious" or "critical"; lesser ones are
printed (pytest -s, or -rP) so they can be fixed without blocking.
"""

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import Page, expect

from tests.factories import (
    CategoryFactory,
    ModeratorFactory,
    ReplyFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BLOCKING_IMPACTS = {"serious", "critical"}
AXE_OPTIONS = {"resultTypes": ["violations", "incomplete"]}
LANGUAGES = ["en", "fr"]


@dataclass(frozen=True)
class Screen:
    name: str
    open: Callable[[Page, SimpleNamespace], None]
    signed_in: bool = False


def _goto(path: str | Callable[[SimpleNamespace], str]):
    def open_(page: Page, data: SimpleNamespace) -> None:
        response = page.goto(path(data) if callable(path) else path)
        assert response is not None
        assert response.status == 200, f"{response.url} answered {response.status}"

    return open_


def _sign_up_with_errors(page: Page, data: SimpleNamespace) -> None:
    page.goto("/accounts/signup/")
    page.locator("#id_email").fill("new-member@example.com")
    page.locator("#id_username").fill("newmember")
    page.locator("#id_password1").fill("a-long-and-unusual-passphrase-42")
    page.locator("#id_password2").fill("a-different-passphrase-43")
    page.locator("main form[action='/accounts/signup/'] button[type=submit]").click()
    expect(page.locator(".field--invalid, .form__errors").first).to_be_visible()


def _open_account_menu(page: Page, data: SimpleNamespace) -> None:
    # Not on the home page: over the hero's gradient axe cannot compute contrast
    # and leaves the panel's colours "incomplete" instead of checking them.
    _goto("/community/")(page, data)
    page.locator("details.account-menu > summary").click()
    expect(page.locator(".account-menu__panel")).to_be_visible()


SCREENS = [
    Screen("home", _goto("/")),
    Screen("thread-list", _goto("/community/")),
    Screen("category", _goto(lambda data: data.category.get_absolute_url())),
    Screen("thread", _goto(lambda data: data.thread.get_absolute_url())),
    # As its author: the reply form and the thread's and replies' actions.
    Screen("thread-signed-in", _goto(lambda data: data.thread.get_absolute_url()), signed_in=True),
    Screen("search", _goto("/community/search/?q=blender")),
    Screen("ask", _goto("/community/ask/"), signed_in=True),
    Screen("signup", _goto("/accounts/signup/")),
    Screen("signup-errors", _sign_up_with_errors),
    Screen("verification-sent", _goto("/accounts/confirm-email/")),
    Screen("login", _goto("/accounts/login/")),
    Screen("password-reset", _goto("/accounts/password/reset/")),
    Screen("profile", _goto(lambda data: data.member.get_absolute_url())),
    Screen("account-menu", _open_account_menu, signed_in=True),
    Screen("profile-edit", _goto("/accounts/profile/"), signed_in=True),
    Screen("email-addresses", _goto("/accounts/email/"), signed_in=True),
    Screen("wagtail-admin-login", _goto("/admin/login/")),
]


@pytest.fixture
def community_data(db):
    category = CategoryFactory(name="Blenders", slug="blenders")
    member = UserFactory(display_name="Camille Martin", bio="I like soups.")
    thread = ThreadFactory(category=category, author=member, reply_count=1)
    reply = ReplyFactory(thread=thread, author=ModeratorFactory(), is_official=True)
    thread.first_official_reply_at = reply.created_at
    thread.save(update_fields=["first_official_reply_at"])
    return SimpleNamespace(category=category, member=member, thread=thread)


def _invisible_text(incomplete: list[dict]) -> list[dict]:
    """Text as light as its background, which axe leaves for review instead of failing.

    axe files a 1:1 contrast under "incomplete" (the text might be hidden on
    purpose); on these pages it never is, so it counts as a violation.
    """
    found = []
    for result in incomplete:
        if result["id"] != "color-contrast":
            continue
        nodes = [
            node
            for node in result["nodes"]
            if any(
                (check.get("data") or {}).get("messageKey") == "equalRatio" for check in node["any"]
            )
        ]
        if nodes:
            found.append({**result, "id": "color-contrast (1:1, invisible text)", "nodes": nodes})
    return found


def _describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:200]}")
    return "\n".join(lines)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("screen", SCREENS, ids=[screen.name for screen in SCREENS])
def test_page_has_no_serious_accessibility_violations(
    page, live_server, sign_in, community_data, screen, language
):
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    if screen.signed_in:
        sign_in(page, community_data.member)

    screen.open(page, community_data)
    expect(page.locator("html")).to_have_attribute("lang", language)

    results = Axe().run(page, options=AXE_OPTIONS).response
    violations = results["violations"] + _invisible_text(results["incomplete"])
    if violations:
        print(f"axe on {screen.name} [{language}] {page.url}:\n{_describe(violations)}")
    blocking = [violation for violation in violations if violation["impact"] in BLOCKING_IMPACTS]
    assert not blocking, (
        f"axe found serious or critical violations on {page.url}:\n{_describe(blocking)}"
    )

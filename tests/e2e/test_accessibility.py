"""axe-core on every kind of page, in English and in French.

A test fails on any violation axe rates "serious" or "critical"; lesser ones are
printed (pytest -s, or -rP) so they can be fixed without blocking.

The forum's pages need a thread in every state (solved, recommended, official,
voted, edited, locked) and four viewers; each viewer's pages are checked in one
test over one set of data, so the data is made once per viewer and language.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import Page, expect

from accounts.tokens import make_unsubscribe_token
from community import services
from community.markdown import render_markdown
from community.models import HomePage, LegalPage, Notification, ProposedEdit, Thread, Visibility
from moderation.models import CannedResponse
from moderation.services import assignment as claim
from moderation.services import reports
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
    Screen("privacy-settings", _goto("/accounts/privacy/"), signed_in=True),
    Screen("account-close", _goto("/accounts/privacy/close/"), signed_in=True),
    Screen("legal-page", _goto("/legal/terms/")),
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
    terms = LegalPage(
        kind="terms", title="Terms of use", slug="terms", body="<h2>Your account</h2><p>Rules.</p>"
    )
    HomePage.objects.get().add_child(instance=terms)
    terms.save_revision().publish()
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


def _set_language(page: Page, live_server, language: str) -> None:
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )


def _sign_in_speaking(page: Page, sign_in, user, language: str) -> None:
    """Signed in, a member reads the site in their own language, not the cookie's."""
    user.language = language
    user.save(update_fields=["language"])
    sign_in(page, user)


def _violations(page: Page, name: str, language: str) -> list[dict]:
    """axe's violations on the page as it stands (printed), and invisible text."""
    expect(page.locator("html")).to_have_attribute("lang", language)
    results = Axe().run(page, options=AXE_OPTIONS).response
    violations = results["violations"] + _invisible_text(results["incomplete"])
    if violations:
        print(f"axe on {name} [{language}] {page.url}:\n{_describe(violations)}")
    return violations


def _blocking(violations: list[dict]) -> list[dict]:
    return [violation for violation in violations if violation["impact"] in BLOCKING_IMPACTS]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("screen", SCREENS, ids=[screen.name for screen in SCREENS])
def test_page_has_no_serious_accessibility_violations(
    page, live_server, sign_in, community_data, screen, language
):
    _set_language(page, live_server, language)
    if screen.signed_in:
        _sign_in_speaking(page, sign_in, community_data.member, language)

    screen.open(page, community_data)

    blocking = _blocking(_violations(page, screen.name, language))
    assert not blocking, (
        f"axe found serious or critical violations on {page.url}:\n{_describe(blocking)}"
    )


# The forum's pages ------------------------------------------------------------


@dataclass(frozen=True)
class ForumScreen:
    name: str
    open: Callable[[Page, SimpleNamespace], None]


def _thread_url(data: SimpleNamespace) -> str:
    return data.thread.get_absolute_url()


def _reply_with_errors(page: Page, data: SimpleNamespace) -> None:
    # The browser's own form, posted with an empty body (it is novalidate).
    _goto(_thread_url)(page, data)
    page.locator("#reply-form form button[type=submit]:not([name=preview])").click()
    expect(page).to_have_url(re.compile(rf"/community/t/{data.thread.pk}/reply/$"))
    expect(page.locator("#reply-form .field--invalid")).to_be_visible()


def _ask_with_errors(page: Page, data: SimpleNamespace) -> None:
    _goto("/community/ask/")(page, data)
    page.locator("main form[action='/community/ask/'] button[type=submit]:not([name])").click()
    expect(page.locator(".field--invalid").first).to_be_visible()


def _ask_with_preview(page: Page, data: SimpleNamespace) -> None:
    _goto("/community/ask/")(page, data)
    page.locator("#id_title").fill("My grinder makes a rattling noise")
    page.locator("#id_body").fill(
        "It **rattles** at *fine* settings:\n\n- beans fresh\n- burrs clean"
    )
    page.locator("main form button[name=preview]").click()
    expect(page.locator("#preview .post__body strong")).to_have_text("rattles")


def _account_menu_over_thread(page: Page, data: SimpleNamespace) -> None:
    _goto(_thread_url)(page, data)
    page.locator("details.account-menu > summary").click()
    expect(page.locator(".account-menu__panel")).to_be_visible()


def _not_found(page: Page, data: SimpleNamespace) -> None:
    response = page.goto("/community/t/999999/")
    assert response is not None
    assert response.status == 404, f"{response.url} answered {response.status}"


# Who looks, and at what. The asker wrote the thread and accepted the solution;
# the member wrote that solution (edited since) and voted; the moderator answered
# officially and recommended a reply; the visitor is not signed in.
FORUM_SCREENS = {
    "asker": [
        ForumScreen("thread", _goto(_thread_url)),
        ForumScreen("thread-reply-errors", _reply_with_errors),
        ForumScreen("ask-errors", _ask_with_errors),
        ForumScreen("ask-preview", _ask_with_preview),
        ForumScreen("thread-edit", _goto(lambda data: f"/community/t/{data.thread.pk}/edit/")),
        ForumScreen(
            "thread-history", _goto(lambda data: f"/community/t/{data.thread.pk}/history/")
        ),
        ForumScreen("notifications", _goto("/community/notifications/")),
        ForumScreen("account-menu-over-thread", _account_menu_over_thread),
    ],
    "member": [
        ForumScreen("thread", _goto(_thread_url)),
        ForumScreen("locked-thread", _goto(lambda data: data.locked.get_absolute_url())),
        ForumScreen("reply-edit", _goto(lambda data: f"/community/r/{data.solution.pk}/edit/")),
        ForumScreen(
            "reply-history", _goto(lambda data: f"/community/r/{data.solution.pk}/history/")
        ),
        ForumScreen("report-thread", _goto(lambda data: f"/moderation/report/t/{data.thread.pk}/")),
    ],
    "moderator": [
        ForumScreen("thread", _goto(_thread_url)),
        ForumScreen("locked-thread", _goto(lambda data: data.locked.get_absolute_url())),
        ForumScreen("queue", _goto("/moderation/")),
        ForumScreen("queue-overdue", _goto("/moderation/?filter=overdue&filter=unassigned")),
        ForumScreen("unanswered-thread", _goto(lambda data: data.locked.get_absolute_url())),
        ForumScreen("pending-thread", _goto(lambda data: data.pending.get_absolute_url())),
        ForumScreen("approvals", _goto("/moderation/approvals/")),
        ForumScreen("reports", _goto("/moderation/reports/")),
        ForumScreen("reports-resolved", _goto("/moderation/reports/?status=resolved")),
        ForumScreen("metrics", _goto("/moderation/metrics/?period=7")),
        ForumScreen(
            "suspend", _goto(lambda data: f"/moderation/u/{data.member.username}/suspend/")
        ),
    ],
    "visitor": [
        ForumScreen("thread", _goto(_thread_url)),
        ForumScreen("solved-by-votes", _goto("/community/?status=solved&sort=votes")),
        ForumScreen("profile-with-activity", _goto(lambda data: data.asker.get_absolute_url())),
        ForumScreen(
            "unsubscribe",
            _goto(lambda data: f"/accounts/unsubscribe/{make_unsubscribe_token(data.asker)}/"),
        ),
        ForumScreen("not-found", _not_found),
    ],
}


@pytest.fixture
def forum_data(db):
    category = CategoryFactory(name="Coffee machines", slug="coffee-machines")
    asker = UserFactory(username="camille", display_name="Camille Martin", bio="Espresso fan.")
    member = UserFactory(username="paul", display_name="Paul Durand")
    voter = UserFactory(username="lea", display_name="Léa Petit")
    moderator = ModeratorFactory(username="sam", display_name="Sam Relais")

    thread = services.thread_create(
        author=asker,
        category=category,
        title="Descale light keeps blinking on my Barista Pro",
        body="The **descale** light blinks after two full cycles.\n\n- tank refilled",
        tags=["descaling", "barista pro"],
    )
    solution = services.reply_create(
        author=member, thread=thread, body="Hold *1 cup* and *2 cups* for five seconds."
    )
    recommended = services.reply_create(
        author=voter, thread=thread, body="Same here; `reset` in the menu works as well."
    )
    official = services.reply_create(
        author=moderator, thread=thread, body="Thanks @paul, we are updating the manual."
    )
    services.reply_edit(
        editor=member,
        reply=solution,
        body="Hold *1 cup* and *2 cups* together for five seconds: the light resets.",
    )
    services.thread_edit(
        editor=asker,
        thread=thread,
        title=thread.title,
        body="The **descale** light blinks after two full cycles.\n\n- tank refilled\n- unplugged",
    )
    services.reply_set_recommended(moderator=moderator, reply=recommended, recommended=True)
    services.thread_accept_reply(user=asker, thread=thread, reply=solution)
    services.reply_set_helpful(user=asker, reply=solution, helpful=True)
    services.reply_set_helpful(user=voter, reply=solution, helpful=True)
    services.reply_set_helpful(user=member, reply=official, helpful=True)

    locked = services.thread_create(
        author=voter, category=category, title="Milk frother stopped heating", body="It is cold."
    )
    services.reply_create(author=asker, thread=locked, body="Mine too, since the update.")
    Thread.objects.filter(pk=locked.pk).update(is_locked=True)

    # For the moderation pages: a claimed thread, a new member's post awaiting
    # approval, an open report and a prepared answer.
    claim.thread_claim(moderator=moderator, thread=locked)
    pending = ThreadFactory(
        category=category,
        title="First post: grinder rattles",
        visibility=Visibility.PENDING,
        published_at=None,
        response_due_at=None,
    )
    reports.report_create(reporter=asker, thread=thread, reply=recommended, reason="off_topic")
    # A change to a public reply waiting for approval (pre-moderation of edits).
    ProposedEdit.objects.create(
        reply=recommended,
        editor=voter,
        body="Same here; see https://a.example and https://b.example",
        body_html=render_markdown("Same here; see https://a.example and https://b.example"),
    )
    CannedResponse.objects.create(title="Thanks", body="Hello {asker}, thanks!")

    # The asker's bell: the oldest notification read, the others not.
    notifications = Notification.objects.filter(recipient=asker).order_by("created_at", "pk")
    assert notifications.count() >= 2
    services.notification_mark_read(user=asker, notification_id=notifications.first().pk)

    return SimpleNamespace(
        viewers={"asker": asker, "member": member, "moderator": moderator, "visitor": None},
        asker=asker,
        thread=thread,
        solution=solution,
        locked=locked,
        pending=pending,
        member=member,
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("viewer", FORUM_SCREENS)
def test_forum_pages_have_no_serious_accessibility_violations(
    page, live_server, sign_in, forum_data, viewer, language
):
    _set_language(page, live_server, language)
    if forum_data.viewers[viewer] is not None:
        _sign_in_speaking(page, sign_in, forum_data.viewers[viewer], language)

    failures = []
    for screen in FORUM_SCREENS[viewer]:
        screen.open(page, forum_data)
        name = f"{screen.name} as {viewer}"
        if blocking := _blocking(_violations(page, name, language)):
            failures.append(f"{name}, {page.url}:\n{_describe(blocking)}")
    assert not failures, "axe found serious or critical violations on " + "\n".join(failures)

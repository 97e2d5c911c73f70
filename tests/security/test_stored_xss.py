"""Stored XSS (issue 8, item 7): every payload of the corpus goes in through the
real forms and must come out of every surface as text, never as markup.

Members post through the site's forms with CSRF checks on (the token read from the
page, as a browser sends it): each payload is the title, the body and a reply of
one thread, and a sample of it the tags, display names, bios, report notes,
posts awaiting approval and search queries. Then every place that shows them is
read back and checked with tests/security/html_checks.py: thread pages (with their
JSON-LD), the lists, category and tag pages, profiles, search, notifications, the
edit forms, the moderation queue, approvals and reports, the Wagtail admin's
listings, inspect views, history, hide form and thread chooser, the notification
e-mails and the Atom feeds.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html import unescape as html_unescape
from pathlib import Path

import pytest
from defusedxml import ElementTree as ET
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from markdown_it import MarkdownIt

from accounts.models import User
from community.feeds import xml_text
from community.markdown import render_markdown
from community.models import CommunitySettings, Reply, Revision, Thread, Visibility
from community.services import normalize_tags
from moderation.models import Report
from tests.factories import (
    CannedResponseFactory,
    CategoryFactory,
    ModeratorFactory,
    UserFactory,
)
from tests.security.figures import record
from tests.security.html_checks import (
    Violation,
    admin_violations,
    bad_scheme,
    find_violations,
)

PAYLOAD_FILE = Path(__file__).with_name("xss_payloads.txt")
ESCAPED_PREFIX = "esc:"


def load_payloads() -> list[str]:
    """The corpus: one payload per line, "#" comments, "esc:" lines decoded."""
    payloads = []
    for line in PAYLOAD_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith(ESCAPED_PREFIX):
            line = line[len(ESCAPED_PREFIX) :].encode("ascii").decode("unicode_escape")
        payloads.append(line)
    return payloads


PAYLOADS = load_payloads()
CATEGORIES = 8  # each holds at most 30 threads, so its feed (30 entries) shows all
MEMBERS = 30  # askers, and as many repliers
TITLE_PREFIX = "XSS case {:03d}: "
MARKER = re.compile(r"case (\d{3})")
ATOM = "{http://www.w3.org/2005/Atom}"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# The checker itself ------------------------------------------------------------------

KNOWN_BAD = [
    ("<script>alert(1)</script>", "script"),
    ('<script src="https://example.invalid/x.js"></script>', "script"),
    ('<script src="/static/js/relais.js">alert(1)</script>', "script"),
    ('<script type="application/ld+json">{"a": "</script><b>"}</script>', "json-ld"),
    ('<script type="application/json">{"a": 1}</script>', "script"),
    ("<img src=x onerror=alert(1)>", "event-handler"),
    ("<svg/onload=alert(1)>", "event-handler"),
    ('<a href="javascript:alert(1)">x</a>', "url-scheme"),
    ('<a href="  JaVa&#x09;Script&colon;alert(1)">x</a>', "url-scheme"),
    ('<a href="&#14;javascript:alert(1)">x</a>', "url-scheme"),
    ('<a href="java\u200bscript:alert(1)">x</a>', "url-scheme"),
    ('<img src="data:image/svg+xml;base64,PHN2Zz4=">', "url-scheme"),
    ('<form><button formaction="vbscript:x">go</button></form>', "url-scheme"),
    ('<svg><a xlink:href="javascript:alert(1)">x</a></svg>', "url-scheme"),
    ('<iframe src="https://example.com"></iframe>', "element"),
    ('<object data="x.swf"></object>', "element"),
    ('<base href="https://example.invalid/">', "element"),
    ('<meta http-equiv="Refresh" content="0;url=https://example.invalid/">', "element"),
    ('<link rel="import" href="/x.html">', "element"),
    ('<form action="https://example.invalid/steal"></form>', "element"),
    ("<svg><foreignObject><p>x</p></foreignObject></svg>", "element"),
    ('<div style="width: expression(alert(1))">x</div>', "style"),
    ("<p style=\"background: url('https://example.invalid/t.png')\">x</p>", "style"),
    ("<style>li { list-style: url(javascript:alert(1)) }</style>", "style"),
]

KNOWN_GOOD = [
    "<p>Hello <strong>world</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p>",
    '<a href="https://example.com/javascript:alert(1)" rel="nofollow ugc noopener">x</a>',
    '<a href="/community/t/1/x/">a thread</a> <a href="mailto:a@example.com">mail</a>',
    '<img src="https://example.com/a.png" alt="javascript:alert(1)">',
    '<script src="/static/js/htmx.min.js" defer></script>',
    '<script type="application/ld+json">{"name": "\\u003C/script\\u003E"}</script>',
    '<form method="post" action="/community/ask/"><input name="title"></form>',
    '<p title="onerror=alert(1)" data-note="javascript:x">text onclick=alert(1)</p>',
    '<span class="category-dot" style="background: #1d5a85"></span>',
    '<meta name="robots" content="noindex">',
]


@pytest.mark.parametrize(("snippet", "kind"), KNOWN_BAD)
def test_checker_reports_known_bad_markup(snippet, kind):
    assert kind in {violation.kind for violation in find_violations(snippet)}


@pytest.mark.parametrize("snippet", KNOWN_GOOD)
def test_checker_passes_known_good_markup(snippet):
    assert find_violations(snippet) == []


def test_checker_scheme_reading_ignores_case_entities_and_invisible_characters():
    assert bad_scheme("\x01 jAvAsCrIpT\t:alert(1)") == "javascript:"
    assert bad_scheme("\ufeffvbscript:x") == "vbscript:"
    assert bad_scheme("https://example.com/?q=javascript:") is None


def test_admin_checker_allows_only_wagtails_own_scripts():
    wagtail_own = (
        '<script type="application/json" id="wagtail-config">{"CSRF_TOKEN": "x"}</script>'
        '<script src="/admin/jsi18n/"></script>'
        '<script>initDateChooser("id_timestamp_0", {"dayOfWeekStart": 0});</script>'
    )
    assert admin_violations(wagtail_own) == []
    # The same shapes bent by a payload are still reported.
    assert admin_violations('<script type="application/json">{"a": "</script>') != []
    assert admin_violations('<script>initDateChooser("id_x", {}); alert(1);</script>') != []
    assert admin_violations('<script src="/admin/jsi18n/?x=1"></script>') != []
    assert admin_violations("<img src=x onerror=alert(1)>") != []
    # Outside the admin, Wagtail's data blocks are not allowed either.
    assert find_violations(wagtail_own) != []


def test_every_payload_renders_to_html_the_checker_passes():
    unsafe = [p for p in PAYLOADS if find_violations(render_markdown(p, mentions=["admin"]))]
    assert unsafe == []


def test_the_checker_catches_the_corpus_when_nothing_sanitizes():
    # Raw HTML on and no allow-list: what a regression in community/markdown.py
    # would let through. The corpus and the checker must notice most of it.
    raw = MarkdownIt("commonmark", {"html": True})
    caught = [p for p in PAYLOADS if find_violations(raw.render(p))]
    assert len(caught) >= len(PAYLOADS) // 2


def test_corpus_is_a_few_hundred_distinct_payloads():
    assert 150 <= len(PAYLOADS) <= 250
    assert len(set(PAYLOADS)) == len(PAYLOADS)


# Posting through the forms -------------------------------------------------------------


def csrf_client(user) -> Client:
    """A signed-in client that checks CSRF, with the token a page's form carries."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    page = client.get("/accounts/profile/").content.decode()
    client.csrf_token = CSRF_INPUT.search(page).group(1)
    return client


def post(client: Client, path: str, data: dict):
    return client.post(path, {**data, "csrfmiddlewaretoken": client.csrf_token})


def title_for(index: int) -> str:
    return (TITLE_PREFIX.format(index) + PAYLOADS[index])[:150]


def tag_for(index: int) -> str | None:
    """The payload as a tag, when the tag rules accept it in some shortened form."""
    candidate = PAYLOADS[index].replace(",", " ")[:40]
    try:
        return normalize_tags(candidate)[0] if normalize_tags(candidate) else None
    except ValidationError:
        return None


@dataclass
class Audit:
    """What was checked where, and what was found."""

    cases: int = 0
    violations: list[tuple[str, str, str]] = field(default_factory=list)  # surface, payload, found

    def check(self, surface: str, html: str, *, payloads: list[int], admin: bool = False):
        """Check one page that shows `payloads` (indexes into PAYLOADS)."""
        self.cases += max(len(payloads), 1)
        found = admin_violations(html) if admin else find_violations(html)
        for violation in found:
            self.violations.append(
                (surface, self._culprit(html, violation, payloads), str(violation))
            )

    def fail(self, surface: str, payload: str, what: str):
        self.violations.append((surface, payload, what))

    @staticmethod
    def _culprit(html: str, violation: Violation, payloads: list[int]) -> str:
        if len(set(payloads)) == 1:
            return repr(PAYLOADS[payloads[0]])
        markers = MARKER.findall(html[: violation.offset])
        if markers and int(markers[-1]) < len(PAYLOADS):
            return f"near case {markers[-1]}: {PAYLOADS[int(markers[-1])]!r}"
        return f"one of {len(payloads)} payloads on the page"

    def report(self) -> str:
        lines = [f"{len(self.violations)} violations in {self.cases} cases; the first ones:"]
        lines += [f"  [{s}] payload {p[:100]} -> {w}" for s, p, w in self.violations[:15]]
        return "\n".join(lines)


def get(client: Client, path: str, audit: Audit, surface: str) -> str | None:
    response = client.get(path)
    if response.status_code != 200:
        audit.fail(surface, "-", f"GET {path} answered {response.status_code}")
        return None
    return response.content.decode()


def read_pages(client, path, audit, surface, *, admin=False, expected=None):
    """Read every page of a paginated list; each page is checked for the payloads it shows."""
    seen: set[int] = set()
    separator = "&" if "?" in path else "?"
    for number in range(1, 40):
        html = get(client, f"{path}{separator}page={number}", audit, surface)
        if html is None:
            return seen
        shown = set(shown_in(html))
        if number > 1 and shown <= seen:  # past the last page: the last one again
            break
        audit.check(f"{surface} p{number}", html, payloads=sorted(shown), admin=admin)
        seen |= shown
    if expected is not None and not expected <= seen:
        audit.fail(surface, "-", f"{len(expected - seen)} payload threads missing from {path}")
    return seen


def _shown_as_text(text: str, html: str) -> bool:
    """Whether a display name is on the page, escaped as Django's templates escape it."""
    from django.utils.html import escape

    return bool(text.strip()) and escape(text.strip()) in html


def shown_in(html: str) -> list[int]:
    """The payload threads a page shows, by the case numbers in their titles."""
    return sorted({int(n) for n in MARKER.findall(html) if int(n) < len(PAYLOADS)})


def check_feed(client, path, audit, surface, titles: dict[int, str]):
    """An Atom feed parses as XML; titles are text; summaries are escaped, safe HTML."""
    response = client.get(path)
    if response.status_code != 200:
        audit.fail(surface, "-", f"GET {path} answered {response.status_code}")
        return
    try:
        root = ET.fromstring(response.content)
    except ET.ParseError as error:
        audit.fail(surface, "-", f"{path} is not well-formed XML: {error}")
        return
    for entry in root.iter(f"{ATOM}entry"):
        title = entry.findtext(f"{ATOM}title") or ""
        index = int(MARKER.search(title).group(1)) if MARKER.search(title) else None
        audit.cases += 1
        if entry.find(f"{ATOM}title").get("type", "text") != "text" or (
            index is not None and title != xml_text(titles.get(index, title))
        ):
            audit.fail(surface, repr(title), "entry title is not the thread's title as text")
        summary = entry.find(f"{ATOM}summary")
        if summary is not None:
            audit.check(surface, summary.text or "", payloads=[index] if index else [])


# The suite ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_stored_payloads_never_come_back_as_markup(django_capture_on_commit_callbacks):
    audit = Audit()
    n = len(PAYLOADS)
    categories = [CategoryFactory() for _ in range(CATEGORIES)]
    askers = [UserFactory() for _ in range(MEMBERS)]
    repliers = [UserFactory() for _ in range(MEMBERS)]
    asker_clients = [csrf_client(user) for user in askers]
    replier_clients = [csrf_client(user) for user in repliers]
    people = list(zip(askers + repliers, asker_clients + replier_clients, strict=True))

    # Display names and bios, through the profile form (a stride through the corpus).
    profile_payloads: dict[str, tuple[int, int]] = {}
    for number, (user, client) in enumerate(people):
        name_index, bio_index = (3 * number) % n, (3 * number + 1) % n
        response = post(
            client,
            "/accounts/profile/",
            {
                "display_name": PAYLOADS[name_index][:80],
                "bio": PAYLOADS[bio_index][:500],
                "email_notifications": "all",
            },
        )
        if response.status_code != 302:  # refused (a NUL character): the form shows it again
            audit.check("profile form, refused", response.content.decode(), payloads=[name_index])
            continue
        profile_payloads[user.username] = (name_index, bio_index)
    # A form refusing everything would check nothing: most names and bios are kept, as typed.
    kept = 0
    for username, (name_index, bio_index) in profile_payloads.items():
        stored = User.objects.get(username=username)
        kept += stored.display_name == PAYLOADS[name_index][:80].strip()
        kept += stored.bio == PAYLOADS[bio_index][:500].strip()
    assert len(profile_payloads) >= len(people) - 6, "most display names and bios are accepted"
    assert kept >= 2 * len(profile_payloads) - 12, "the accepted names and bios are kept"

    # Usernames at sign-up (with a payload as the display name): the username validator
    # takes letters, digits and @.+-_ only, so the form shows each refused one again.
    signups = 0
    for index in range(0, n, 8):
        visitor = Client(enforce_csrf_checks=True)
        token = CSRF_INPUT.search(visitor.get("/accounts/signup/").content.decode()).group(1)
        response = visitor.post(
            "/accounts/signup/",
            {
                "csrfmiddlewaretoken": token,
                "email": f"signup{index}@example.com",
                "username": PAYLOADS[index][:150],
                "display_name": PAYLOADS[(index + 1) % n][:80],
                "password1": "a-long-and-unusual-passphrase",
                "password2": "a-long-and-unusual-passphrase",
                "accept_terms": "on",
            },
        )
        signups += 1
        if response.status_code == 302:
            username = User.objects.get(email=f"signup{index}@example.com").username
            html = get(Client(), f"/u/{username}/", audit, "profile of a sign-up")
            if html:
                audit.check("profile of a sign-up", html, payloads=[index, (index + 1) % n])
        else:
            audit.check("sign-up form, refused", response.content.decode(), payloads=[index])
    assert signups >= n // 8

    # One thread per payload: title, body, tags; then a reply with the payload.
    threads: dict[int, Thread] = {}
    titles: dict[int, str] = {}
    for index, payload in enumerate(PAYLOADS):
        client = asker_clients[index % MEMBERS]
        tag = tag_for(index)
        data = {
            "title": title_for(index),
            "body": f"Question case {index:03d}.\n\n{payload}",
            "category": categories[index % CATEGORIES].pk,
            "tags": f"xss, {tag}" if tag else "xss",
        }
        with django_capture_on_commit_callbacks(execute=True):
            response = post(client, "/community/ask/", data)
        if response.status_code != 302:
            audit.check("ask form, refused", response.content.decode(), payloads=[index])
            continue
        thread = Thread.objects.order_by("-pk").first()
        threads[index], titles[index] = thread, thread.title
        with django_capture_on_commit_callbacks(execute=True):
            response = post(
                replier_clients[index % MEMBERS],
                f"/community/t/{thread.pk}/reply/",
                {"body": f"Answer case {index:03d}.\n\n{payload}"},
            )
        if response.status_code != 302:
            audit.check("reply form, refused", response.content.decode(), payloads=[index])
    assert len(threads) >= n - 5, "most payloads must be accepted as posts"
    # Tags differing by case or Unicode form are one tag: the first spelling is kept.
    candidates = [i for i in threads if tag_for(i)]
    tagged = [i for i in candidates if threads[i].tags.filter(name__iexact=tag_for(i)).exists()]
    assert len(tagged) >= 0.8 * len(candidates), "the payload tags the rules accept are kept"

    # Edits: each fourth thread and its reply edited with another payload, so that their
    # history (revisions) holds one payload and the page another.
    edited: dict[int, int] = {}
    replies = {r.thread_id: r for r in Reply.objects.filter(thread__in=threads.values())}
    for index, thread in list(threads.items())[::4]:
        other = (index + 11) % n
        with django_capture_on_commit_callbacks(execute=True):
            thread_edit = post(
                asker_clients[index % MEMBERS],
                f"/community/t/{thread.pk}/edit/",
                {
                    "title": thread.title,
                    "body": f"Question case {index:03d}, edited.\n\n{PAYLOADS[other]}",
                    "category": thread.category_id,
                    "tags": ", ".join(tag.name for tag in thread.tags.all()),
                },
            )
            reply_edit = post(
                replier_clients[index % MEMBERS],
                f"/community/r/{replies[thread.pk].pk}/edit/",
                {"body": f"Answer case {index:03d}, edited.\n\n{PAYLOADS[other]}"},
            )
        if thread_edit.status_code == 302 and reply_edit.status_code == 302:
            edited[index] = other
        else:
            for response in (thread_edit, reply_edit):
                if response.status_code != 302:
                    audit.check("edit form, refused", response.content.decode(), payloads=[other])
    assert len(edited) >= len(threads) // 4 - 3, "most edits with a payload are accepted"
    assert Revision.objects.count() >= 2 * len(edited)

    # Every thread page: title, body, reply, tags, names, and the JSON-LD block.
    reader = Client()
    for index, thread in threads.items():
        html = get(reader, thread.get_absolute_url(), audit, "thread page")
        if html is None:
            continue
        audit.check("thread page", html, payloads=[index])
        blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        audit.cases += 1
        try:
            question = json.loads(blocks[0])["mainEntity"]
        except (IndexError, ValueError, KeyError):
            audit.fail("JSON-LD", repr(PAYLOADS[index]), "no QAPage JSON-LD that parses")
        else:
            if question["name"] != thread.title or "<" in blocks[0]:
                audit.fail("JSON-LD", repr(PAYLOADS[index]), "title altered or '<' unescaped")

    # The history pages (the earlier versions, from the revisions) of the edited posts.
    # Each author reads the history of their own post.
    for index, other in edited.items():
        thread = threads[index]
        for client, path, surface in (
            (
                asker_clients[index % MEMBERS],
                f"/community/t/{thread.pk}/history/",
                "thread history",
            ),
            (
                replier_clients[index % MEMBERS],
                f"/community/r/{replies[thread.pk].pk}/history/",
                "reply history",
            ),
        ):
            html = get(client, path, audit, surface)
            if html:
                audit.check(surface, html, payloads=[index, other])

    # Lists, categories, tags, search, feeds, profiles.
    every = set(threads)
    html = get(reader, "/", audit, "home page")
    if html:
        audit.check("home page", html, payloads=shown_in(html))
    read_pages(reader, "/community/", audit, "thread list", expected=every)
    for category in categories:
        read_pages(reader, category.get_absolute_url(), audit, "category page")
        check_feed(reader, f"/community/feed/c/{category.slug}/", audit, "category feed", titles)
    check_feed(reader, "/community/feed/", audit, "feed", titles)
    tag_slugs = sorted({tag.slug for t in threads.values() for tag in t.tags.all()} - {"xss"})
    # Tag feeds only for the slugs their URL pattern (<slug:…>) accepts: taggit keeps
    # letters such as U+0131 (dotless i) in a slug, and such a tag has no feed address at all.
    for slug in [slug for slug in tag_slugs if re.fullmatch(r"[-\w]+", slug, re.A)][::6]:
        read_pages(reader, f"/community/?tag={slug}", audit, "tag page")
        check_feed(reader, f"/community/feed/tag/{slug}/", audit, "tag feed", titles)
    read_pages(reader, "/community/?tag=xss", audit, "tag page xss")
    read_pages(reader, "/community/search/?q=question+case", audit, "search results")
    read_pages(reader, "/community/search/?q=alert", audit, "search results")
    for index, payload in list(enumerate(PAYLOADS))[::3]:
        response = reader.get("/community/search/", {"q": payload})
        audit.check("search query", response.content.decode(), payloads=[index])
    for user, _client in people:
        html = get(reader, f"/u/{user.username}/", audit, "profile")
        if html is not None and user.username in profile_payloads:
            audit.check("profile", html, payloads=list(profile_payloads[user.username]))

    # What the askers themselves read: notifications, the edit form with their text.
    for client in asker_clients[:10]:
        html = get(client, "/community/notifications/", audit, "notifications")
        if html:
            audit.check("notifications", html, payloads=shown_in(html))
    for index, thread in list(threads.items())[::4]:
        html = get(asker_clients[index % MEMBERS], f"/community/t/{thread.pk}/edit/", audit, "edit")
        if html:
            audit.check("edit form", html, payloads=[index])
        reply_path = f"/community/r/{replies[thread.pk].pk}/edit/"
        html = get(replier_clients[index % MEMBERS], reply_path, audit, "reply edit")
        if html:
            audit.check("reply edit form", html, payloads=[index])
    suggested: set[int] = set()
    for index, payload in list(enumerate(PAYLOADS))[::3]:
        response = asker_clients[0].get(
            "/community/ask/suggestions/", {"title": payload[:150]}, HTTP_HX_REQUEST="true"
        )
        html = response.content.decode()
        suggested |= set(shown_in(html))
        audit.check("ask suggestions", html, payloads=[index, *shown_in(html)])
    for index in list(threads)[::7]:
        response = asker_clients[0].get(
            "/community/ask/suggestions/", {"title": titles[index]}, HTTP_HX_REQUEST="true"
        )
        html = response.content.decode()
        suggested |= set(shown_in(html))
        audit.check("ask suggestions", html, payloads=[index, *shown_in(html)])
    assert suggested, "the suggestions show payload threads"

    # Notification e-mails: a reply to each thread told its asker.
    for message in mail.outbox:
        index = int(MARKER.search(message.body).group(1)) if MARKER.search(message.body) else None
        audit.cases += 1
        if message.content_subtype != "plain" or "\n" in message.subject:
            audit.fail("e-mail", "-", "the text body is not plain text, or the subject spans lines")
        if index is not None and index in titles and titles[index] not in message.body:
            audit.fail(
                "e-mail text", repr(PAYLOADS[index]), "the title is not in the text as typed"
            )
        for content, mimetype in message.alternatives:
            if mimetype == "text/html":
                audit.check("e-mail html", content, payloads=[index] if index else [])
    assert len(mail.outbox) >= len(threads)

    # Reports (a payload as the note) and posts awaiting approval.
    reporters = [csrf_client(UserFactory()) for _ in range(2)]
    for number, (index, thread) in enumerate(list(threads.items())[1::6]):
        note_index = (index + 7) % n
        target = (
            f"/moderation/report/t/{thread.pk}/"
            if number % 2
            else f"/moderation/report/r/{replies[thread.pk].pk}/"
        )
        response = post(
            reporters[number % 2], target, {"reason": "other", "note": PAYLOADS[note_index]}
        )
        if response.status_code != 302:
            audit.check("report form, refused", response.content.decode(), payloads=[note_index])
    rules = CommunitySettings.load()
    rules.premoderation_first_posts = 1
    rules.save()
    pending_members = [csrf_client(UserFactory()) for _ in range(10)]
    for number, client in enumerate(pending_members):
        index = (number * 23) % n
        first = list(threads.values())[number]
        with django_capture_on_commit_callbacks(execute=True):
            if number % 2:
                post(client, f"/community/t/{first.pk}/reply/", {"body": PAYLOADS[index]})
            else:
                post(
                    client,
                    "/community/ask/",
                    {
                        "title": title_for(index),
                        "body": PAYLOADS[index],
                        "category": categories[0].pk,
                        "tags": "",
                    },
                )
    pending = Thread.objects.filter(visibility=Visibility.PENDING).count()
    pending += Reply.objects.filter(visibility=Visibility.PENDING).count()
    assert pending == 10, "the new members' posts wait for approval"

    moderator = Client()
    moderator.force_login(ModeratorFactory())
    read_pages(moderator, "/moderation/", audit, "moderation queue", expected=every)
    read_pages(moderator, "/moderation/approvals/", audit, "approvals")
    read_pages(moderator, "/moderation/reports/", audit, "reports")
    # The top helpers: repliers whose answers their askers accepted (names are payloads).
    for index, thread in list(threads.items())[::3]:
        post(
            asker_clients[index % MEMBERS],
            f"/community/t/{thread.pk}/accept/",
            {"reply": replies[thread.pk].pk},
        )
    html = get(moderator, "/moderation/metrics/", audit, "metrics")
    if html:
        names = [
            profile_payloads[u.username][0] for u in repliers if u.username in profile_payloads
        ]
        helpers = [index for index in names if _shown_as_text(PAYLOADS[index][:80], html)]
        assert helpers, "the top helpers show payload display names"
        audit.check("metrics top helpers", html, payloads=helpers)
    for user, _client in people[::3]:
        html = get(moderator, f"/moderation/u/{user.username}/suspend/", audit, "suspend form")
        if html and user.username in profile_payloads:
            audit.check("suspend form", html, payloads=[profile_payloads[user.username][0]])
    assert Report.objects.count() >= 30

    # The Wagtail admin (a superuser sees every list and the hide buttons).
    admin = Client()
    admin.force_login(UserFactory(is_superuser=True, is_staff=True))
    html = get(admin, "/admin/", audit, "admin dashboard")
    if html:
        audit.check("admin dashboard", html, payloads=[], admin=True)
    read_pages(admin, "/admin/community/threads/", audit, "admin threads", admin=True)
    read_pages(admin, "/admin/community/replies/", audit, "admin replies", admin=True)
    read_pages(admin, "/admin/community/reports/", audit, "admin reports", admin=True)
    for index, thread in list(threads.items())[::5]:
        reply = replies[thread.pk]
        for path, surface in (
            (f"/admin/community/threads/inspect/{thread.pk}/", "admin thread inspect"),
            (f"/admin/community/replies/inspect/{reply.pk}/", "admin reply inspect"),
        ):
            html = get(admin, path, audit, surface)
            if html:
                audit.check(surface, html, payloads=[index], admin=True)
    for index, thread in list(threads.items())[::20]:
        for path, surface in (
            (f"/admin/community/threads/{thread.pk}/hide/", "admin hide form"),
            (f"/admin/community/threads/history/{thread.pk}/", "admin history"),
            (f"/admin/community/threads/?q={PAYLOADS[index][:50]}", "admin search"),
        ):
            html = get(admin, path, audit, surface)
            if html:
                audit.check(surface, html, payloads=[index], admin=True)
    for report in Report.objects.all()[:12]:
        html = get(admin, f"/admin/community/reports/inspect/{report.pk}/", audit, "admin report")
        if html:
            note = [PAYLOADS.index(report.note)] if report.note in PAYLOADS else []
            audit.check("admin report inspect", html, payloads=note, admin=True)
    for path in ["/admin/thread_chooser/", "/admin/thread_chooser/?q=case"]:
        chooser = json.loads(admin.get(path).content)["html"]
        audit.check("admin thread chooser", chooser, payloads=shown_in(chooser), admin=True)
    seen: set[int] = set()
    for number in range(1, 20):
        response = admin.get("/admin/thread_chooser/results/", {"p": number})
        html = response.content.decode()
        if number > 1 and (response.status_code == 404 or set(shown_in(html)) <= seen):
            break  # past the last page
        audit.check("admin thread chooser results", html, payloads=shown_in(html), admin=True)
        seen |= set(shown_in(html))

    record("xss", cases=audit.cases, failures=len(audit.violations))
    assert audit.violations == [], audit.report()


# The canned-response insert ----------------------------------------------------------

# Markup in the official reply that none of the canned text asked for.
MEMBER_MARKUP = re.compile(r"<(a|img|script|iframe|svg|object)\b", re.I)
CANNED_PAYLOADS = [
    index
    for index, payload in enumerate(PAYLOADS)
    if re.search(r"[\[\]()<>@!]", payload) and "\x00" not in payload
][::4]


@pytest.mark.django_db
def test_canned_placeholders_bring_no_member_markup_into_an_official_reply(
    django_capture_on_commit_callbacks,
):
    """A moderator inserts a canned response that names the asker and the title, whose
    display names and titles are payloads, and posts it as the official reply: the
    brand's reply must show them as text, with no link, image or script of theirs."""
    audit = Audit()
    category = CategoryFactory()
    canned = CannedResponseFactory(body="Hello {asker}, about {thread_title}: descale it.")
    staff = ModeratorFactory()
    moderator = csrf_client(staff)
    accepted = 0
    for index in CANNED_PAYLOADS:
        asker = csrf_client(UserFactory())
        named = post(
            asker,
            "/accounts/profile/",
            {"display_name": PAYLOADS[index][:80], "bio": "", "email_notifications": "all"},
        )
        with django_capture_on_commit_callbacks(execute=True):
            asked = post(
                asker,
                "/community/ask/",
                {
                    "title": title_for(index),
                    "body": f"Question case {index:03d}.",
                    "category": category.pk,
                    "tags": "",
                },
            )
        if named.status_code != 302 or asked.status_code != 302:
            continue
        accepted += 1
        thread = Thread.objects.order_by("-pk").first()
        inserted = moderator.post(
            f"/moderation/t/{thread.pk}/canned/",
            {"canned": canned.pk, "body": "", "csrfmiddlewaretoken": moderator.csrf_token},
            HTTP_HX_REQUEST="true",
        )
        body = html_unescape(
            re.search(r"<textarea[^>]*>(.*?)</textarea>", inserted.content.decode(), re.S).group(1)
        ).strip()
        with django_capture_on_commit_callbacks(execute=True):
            post(moderator, f"/community/t/{thread.pk}/reply/", {"body": body})
        official = Reply.objects.filter(thread=thread, is_official=True).first()
        audit.cases += 1
        if official is None:
            audit.fail("official reply", repr(PAYLOADS[index]), "the official reply was refused")
            continue
        if found := MEMBER_MARKUP.findall(official.body_html):
            audit.fail("official reply", repr(PAYLOADS[index]), f"member markup: {found}")
        html = Client().get(thread.get_absolute_url()).content.decode()
        audit.check("thread page with a canned reply", html, payloads=[index])
    assert accepted >= len(CANNED_PAYLOADS) // 2, "most names and titles are accepted"
    record("xss", cases=audit.cases, failures=len(audit.violations))
    assert audit.violations == [], audit.report()

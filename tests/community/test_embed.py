"""The help widget (community/embed): who may frame it, what its panel shows and
records, and asking from it."""

import re
import time
import uuid

import jwt
import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from community import services
from community.models import EmbedSettings, Thread, Visibility, WidgetVisit
from community.models.embed import normalize_origin, validate_origins
from tests.factories import ReplyFactory, ThreadFactory, UserFactory
from tests.helpers import client_for

SHOP = "https://shop.example.com"
APP = "https://app.example.com:8443"
SECRET = "a-shared-secret-long-enough-for-hs256-32b"


@pytest.fixture
def listed(db):
    embed = EmbedSettings.load()
    embed.allowed_origins = f"{SHOP}\n{APP}/\n"
    embed.save()
    return embed


def panel_url(name="embed:panel", *args, origin=SHOP, **params):
    from urllib.parse import urlencode

    return f"{reverse(name, args=args)}?{urlencode({'origin': origin, **params})}"


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


# Who may frame it ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "origin"),
    [
        ("https://shop.example.com", SHOP),
        ("https://Shop.Example.com/", SHOP),
        ("https://shop.example.com:443", SHOP),
        ("https://app.example.com:8443", APP),
        ("http://127.0.0.1:8001", "http://127.0.0.1:8001"),
        ("https://shop.example.com/help", ""),
        ("https://shop.example.com?x=1", ""),
        ("https://user@shop.example.com", ""),
        ("javascript:alert(1)", ""),
        ("shop.example.com", ""),
        ("*", ""),
        ("https://*.example.com", ""),
    ],
)
def test_origins_are_read_as_browsers_write_them(written, origin):
    assert normalize_origin(written) == origin


def test_editors_are_told_which_lines_are_not_origins():
    validate_origins(f"{SHOP}\n\n{APP}")
    with pytest.raises(ValidationError, match=r"https://shop\.example\.com/help"):
        validate_origins(f"{SHOP}\nhttps://shop.example.com/help")


def test_a_listed_origin_alone_may_frame_the_panel(client, listed):
    response = client.get(panel_url())
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["frame-ancestors"] == [SHOP]
    assert "X-Frame-Options" not in response
    # The rest of the policy is the site's.
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]

    other = client.get(panel_url(origin=APP))
    assert directives(other["Content-Security-Policy"])["frame-ancestors"] == [APP]


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example.net",
        "https://shop.example.com/",
        "https://shop.example.com.evil.net",
        "",
    ],
)
def test_an_origin_not_listed_gets_no_panel_and_no_frame(client, listed, origin):
    for url in (
        panel_url(origin=origin),
        panel_url("embed:search", origin=origin, q="kettle"),
        panel_url("embed:ask", origin=origin),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert directives(response["Content-Security-Policy"])["frame-ancestors"] == ["'none'"]
        assert response["X-Frame-Options"] == "DENY"
    assert not WidgetVisit.objects.exists()


def test_nothing_is_listed_until_editors_list_it(client, db):
    response = client.get(panel_url())
    assert response.status_code == 403
    assert "may not show the help" in response.content.decode()


def test_every_other_page_stays_impossible_to_frame(client, listed):
    for url in ("/community/?origin=https://shop.example.com", "/", reverse("account_login")):
        response = client.get(url)
        assert directives(response["Content-Security-Policy"])["frame-ancestors"] == ["'none'"]
        assert response["X-Frame-Options"] == "DENY"


def test_the_script_is_javascript_any_site_may_load(client, db):
    response = client.get(reverse("embed:widget_script"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert "max-age=300" in response["Cache-Control"]
    script = response.content.decode()
    # Its labels in both languages, and the origin checks of the conversation.
    assert '"launcher": "Help"' in script and '"launcher": "Aide"' in script
    assert "event.origin !== community" in script
    assert "{{" not in script and "{%" not in script


# What the panel shows -------------------------------------------------------------


def test_the_panel_suggests_solved_threads_of_the_hosts_category(client, listed, category):
    solved = ThreadFactory(category=category, title="Descaling the espresso machine")
    solved.solution = ReplyFactory(thread=solved)
    solved.save()
    ThreadFactory(category=category, title="Unsolved in the same category")
    elsewhere = ThreadFactory(title="Solved elsewhere")
    elsewhere.solution = ReplyFactory(thread=elsewhere)
    elsewhere.save()

    page = client.get(panel_url(category=category.slug)).content.decode()
    assert "Descaling the espresso machine" in page
    assert "Unsolved in the same category" not in page
    assert "Solved elsewhere" not in page
    assert f"Solved in {category.name}" in page


def test_the_panel_speaks_the_hosts_language(client, listed):
    page = client.get(panel_url(lang="fr")).content.decode()
    assert '<html lang="fr">' in page
    assert "Rechercher dans les réponses" in page or "Comment pouvons-nous vous aider" in page


def test_a_thread_in_the_panel_shows_the_answers_first(client, listed, category, moderator):
    thread = ThreadFactory(category=category, title="The grinder jams")
    peer = services.reply_create(
        author=UserFactory(), thread=thread, body="Peer: empty the hopper."
    )
    services.reply_create(author=moderator, thread=thread, body="Official: reset it.")
    services.reply_create(author=UserFactory(), thread=thread, body="Just chatting.")
    services.thread_accept_reply(user=thread.author, thread=thread, reply=peer)

    page = client.get(panel_url("embed:thread", thread.pk)).content.decode()
    assert "The grinder jams" in page
    assert page.index("Peer: empty the hopper.") < page.index("Official: reset it.")
    assert "Just chatting." not in page
    assert "Solution" in page and "Official reply" in page


def test_a_hidden_or_pending_thread_is_not_in_the_panel(client, listed, moderator):
    hidden = ThreadFactory(visibility=Visibility.HIDDEN)
    pending = ThreadFactory(visibility=Visibility.PENDING)
    for thread in (hidden, pending):
        assert client.get(panel_url("embed:thread", thread.pk)).status_code == 404
        # Not even for a moderator: the panel shows what the public reads.
        assert client_for(moderator).get(panel_url("embed:thread", thread.pk)).status_code == 404


@pytest.mark.parametrize("replies", [1, 50])
def test_panel_pages_cost_a_constant_number_of_queries(
    client, listed, category, replies, django_assert_max_num_queries
):
    thread = ThreadFactory(category=category, title="Milk frother is noisy")
    for number in range(replies):
        ReplyFactory(thread=thread, body=f"Reply {number}")
        solved = ThreadFactory(category=category, title=f"Frother noise, case {number}")
        solved.solution = ReplyFactory(thread=solved)
        solved.save()
    # The same bound whatever the number of rows (warm: the site's settings are read).
    client.get(panel_url("embed:thread", thread.pk))
    with django_assert_max_num_queries(12):
        client.get(panel_url("embed:thread", thread.pk))
    with django_assert_max_num_queries(14):
        client.get(panel_url(category=category.slug))
    with django_assert_max_num_queries(16):
        client.get(panel_url("embed:search", q="frother noise", visit="v" * 22))


# What it records: searches that ended without asking --------------------------------


def test_searches_are_counted_per_opening_and_origin(client, listed):
    visit = "k" * 22
    client.get(panel_url("embed:search", q="descale", visit=visit))
    client.get(panel_url("embed:search", q="descale kettle", visit=visit))
    client.get(panel_url("embed:search", q="   ", visit=visit))  # no words: no search
    row = WidgetVisit.objects.get(key=visit)
    assert (row.origin, row.search_count, row.last_query) == (SHOP, 2, "descale kettle")
    # The same key from another site is not counted on the first one.
    client.get(panel_url("embed:search", q="descale", visit=visit, origin=APP))
    assert WidgetVisit.objects.get(key=visit).search_count == 2
    # Without a valid key, nothing is recorded (and the search still answers).
    assert client.get(panel_url("embed:search", q="descale", visit="short")).status_code == 200
    assert WidgetVisit.objects.count() == 1


def test_the_panel_without_javascript_searches_too(client, listed):
    ThreadFactory(title="Kettle whistles when boiling")
    response = client.get(panel_url(q="kettle whistles", visit="n" * 22))
    assert "Answers for “kettle whistles”" in response.content.decode()
    assert WidgetVisit.objects.get(key="n" * 22).search_count == 1


# Asking from the widget ---------------------------------------------------------------


def test_a_visitor_is_asked_to_sign_in_with_what_they_typed_kept(client, listed):
    page = client.get(panel_url("embed:ask", title="My kettle leaks")).content.decode()
    assert "My kettle leaks" in page
    assert reverse("account_login") in page
    assert "data-embed-handoff" not in page  # the host offers no hand-off
    offered = client.get(panel_url("embed:ask", handoff="1")).content.decode()
    assert "data-embed-handoff" in offered
    # A visitor's POST asks nothing.
    response = client.post(panel_url("embed:ask"), {"title": "x" * 20, "body": "y"})
    assert response.status_code == 403
    assert not Thread.objects.exists()


def ask_data(category, **extra):
    return {
        "title": "The kettle leaks from its base",
        "body": "Water under the kettle after each use.",
        "category": category.pk,
        "language": "en",
        **extra,
    }


def test_a_member_asks_from_the_widget_and_the_question_remembers_the_site(
    member_client, listed, category
):
    visit = "a" * 22
    member_client.get(panel_url("embed:search", q="kettle leaks", visit=visit))
    form = member_client.get(panel_url("embed:ask", title="The kettle leaks", visit=visit))
    assert 'value="The kettle leaks"' in form.content.decode()

    response = member_client.post(
        panel_url("embed:ask"), {**ask_data(category), "origin": SHOP, "visit": visit}
    )
    assert response.status_code == 200
    assert "Your question is posted" in response.content.decode()
    thread = Thread.objects.get()
    assert thread.asked_from == SHOP
    assert WidgetVisit.objects.get(key=visit).thread == thread
    assert directives(response["Content-Security-Policy"])["frame-ancestors"] == [SHOP]


def test_the_question_stands_in_the_queue_with_its_site(
    member_client, moderator_client, listed, category
):
    member_client.post(panel_url("embed:ask"), {**ask_data(category), "origin": SHOP})
    queue = moderator_client.get(reverse("moderation:queue")).content.decode()
    assert "The kettle leaks from its base" in queue
    assert f"asked from the help widget on {SHOP}" in queue


def test_bad_input_keeps_what_was_typed(member_client, listed, category):
    response = member_client.post(
        panel_url("embed:ask"), {**ask_data(category, title="Short"), "origin": SHOP}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Water under the kettle after each use." in page
    assert 'class="field__errors"' in page
    assert not Thread.objects.exists()


def test_a_suspended_member_cannot_ask_from_the_widget(listed, category):
    from datetime import timedelta

    from django.utils import timezone

    suspended = UserFactory(suspended_until=timezone.now() + timedelta(days=3))
    client = client_for(suspended)
    assert "suspended" in client.get(panel_url("embed:ask")).content.decode().lower()
    response = client.post(panel_url("embed:ask"), {**ask_data(category), "origin": SHOP})
    assert response.status_code == 403
    assert not Thread.objects.exists()


def test_the_metrics_page_counts_questions_and_deflection_per_site(
    member_client, moderator_client, listed, category
):
    for key in ("d" * 22, "e" * 22, "f" * 22):
        member_client.get(panel_url("embed:search", q="descaling", visit=key))
    member_client.get(panel_url("embed:search", q="descaling", visit="g" * 22, origin=APP))
    member_client.post(
        panel_url("embed:ask"), {**ask_data(category), "origin": SHOP, "visit": "f" * 22}
    )

    page = moderator_client.get(reverse("moderation:metrics")).content.decode()
    table = page[page.index('data-testid="metrics-widget"') :]
    table = table[: table.index("</table>")]

    def cells(origin):
        row = table[table.index(origin) :].split("</tr>")[0]
        return re.findall(r"<td[^>]*>([^<]*)<", row)

    assert cells(SHOP)[:3] == ["1", "3", "2"]
    assert cells(APP)[:3] == ["0", "1", "1"]
    assert "66.7" in table[table.index(SHOP) :].split("</tr>")[0]


def test_the_metrics_are_for_moderators_only(member_client, listed):
    assert member_client.get(reverse("moderation:metrics")).status_code == 403


# The hand-off, through the panel ---------------------------------------------------------


def token(audience="http://testserver", **claims):
    now = int(time.time())
    payload = {
        "sub": "brand-42",
        "email": "sam@example.com",
        "name": "Sam Carter",
        "aud": audience,
        "iat": now,
        "exp": now + 120,
        "jti": uuid.uuid4().hex,
        **claims,
    }
    return jwt.encode(payload, SECRET, algorithm="HS256")


@pytest.fixture
def handoff_secret(settings):
    settings.EMBED_HANDOFF_SECRET = SECRET
    settings.EMBED_HANDOFF_PUBLIC_KEY = ""


def test_a_handed_off_customer_is_signed_in_in_the_panel(listed, handoff_secret, category):
    client = Client(enforce_csrf_checks=True)
    client.get(panel_url("embed:ask", handoff="1"))
    csrf = client.cookies["csrftoken"].value
    signed = token()
    response = client.post(panel_url("embed:handoff"), {"token": signed}, HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 200
    assert response.json()["signed_in"] is True
    form = client.get(panel_url("embed:ask", handoff="1")).content.decode()
    assert "Asking as Sam Carter" in form

    # The same token again is refused, with a message for the customer.
    again = Client(enforce_csrf_checks=True)
    again.get(panel_url("embed:ask"))
    refused = again.post(
        panel_url("embed:handoff"),
        {"token": signed},
        HTTP_X_CSRFTOKEN=again.cookies["csrftoken"].value,
    )
    assert refused.status_code == 403
    assert refused.json()["signed_in"] is False
    assert refused.json()["code"] == "replayed"
    assert refused.json()["message"]


@pytest.mark.parametrize(
    ("signed", "code"),
    [
        (lambda: token(audience="https://another-community.example"), "wrong_audience"),
        (lambda: token(exp=int(time.time()) - 600, iat=int(time.time()) - 700), "expired"),
        (lambda: token()[:-4] + "AAAA", "bad_signature"),
        (lambda: "not-a-token", "malformed"),
    ],
)
def test_a_bad_hand_off_signs_nobody_in(listed, handoff_secret, signed, code):
    client = Client(enforce_csrf_checks=True)
    client.get(panel_url("embed:ask"))
    response = client.post(
        panel_url("embed:handoff"),
        {"token": signed()},
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )
    assert response.status_code == 403
    assert response.json()["code"] == code
    assert "_auth_user_id" not in client.session


def test_the_hand_off_needs_the_csrf_token_and_a_listed_origin(listed, handoff_secret):
    client = Client(enforce_csrf_checks=True)
    assert client.post(panel_url("embed:handoff"), {"token": token()}).status_code == 403
    client.get(panel_url("embed:ask"))
    unlisted = client.post(
        panel_url("embed:handoff", origin="https://evil.example.net"),
        {"token": token()},
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )
    assert unlisted.status_code == 403
    assert "_auth_user_id" not in client.session


def test_a_handed_off_member_accepts_the_terms_with_their_first_question(
    listed, handoff_secret, category
):
    client = Client()
    client.get(panel_url("embed:ask"))
    assert client.post(panel_url("embed:handoff"), {"token": token()}).json()["signed_in"]
    refused = client.post(panel_url("embed:ask"), {**ask_data(category), "origin": SHOP})
    assert "To ask, accept the terms of use and the privacy policy." in refused.content.decode()
    assert "Water under the kettle after each use." in refused.content.decode()
    assert not Thread.objects.exists()

    client.post(
        panel_url("embed:ask"), {**ask_data(category), "origin": SHOP, "accept_terms": "on"}
    )
    asked = Thread.objects.get()
    assert asked.author.terms_accepted_at is not None
    # Once accepted, never asked again.
    assert "accept_terms" not in client.get(panel_url("embed:ask")).content.decode()

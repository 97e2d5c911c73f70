"""Canned responses: filled for the thread, offered by category, counted, never lose a draft."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community import services as community_services
from community.forms import ReplyForm
from community.models import Notification
from moderation import selectors, services
from moderation.models import CannedResponse
from tests.factories import CannedResponseFactory, CategoryFactory, ModeratorFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def category():
    return CategoryFactory(name="Coffee machines", slug="coffee")


@pytest.fixture
def thread(category):
    return community_services.thread_create(
        author=UserFactory(display_name="Camille"),
        category=category,
        title="The grinder stalls",
        body="It stops after two seconds.",
    )


@pytest.fixture
def staff():
    return ModeratorFactory(display_name="Sam from Relais")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def insert_url(thread) -> str:
    return f"/moderation/t/{thread.pk}/canned/"


# Filling -------------------------------------------------------------------------


def test_fill_replaces_the_four_placeholders(thread, staff):
    canned = CannedResponseFactory(
        body="Hi {asker}! About “{thread_title}” in {category}: {staff_name} here. {asker}?"
    )

    text = services.canned_fill(canned=canned, thread=thread, staff=staff)

    assert text == (
        "Hi Camille! About “The grinder stalls” in Coffee machines: Sam from Relais here. Camille?"
    )


@pytest.mark.parametrize(
    "body",
    [
        "{0.__class__}",
        "{asker.__dict__}",
        "{asker.__class__.__init__.__globals__}",
        "{thread}",
        "{{asker}}x",
        "{unknown} {} {0} %(asker)s %s",
    ],
)
def test_fill_leaves_anything_else_as_text(thread, staff, body):
    canned = CannedResponseFactory(body=body)

    text = services.canned_fill(canned=canned, thread=thread, staff=staff)

    assert text == body.replace("{asker}", "Camille")


def test_fill_does_not_expand_placeholders_inside_values(category, staff):
    thread = community_services.thread_create(
        author=UserFactory(display_name="{staff_name}"),
        category=category,
        title="Title with {asker} in it",
        body="Body.",
    )
    canned = CannedResponseFactory(body="Dear {asker}, re: {thread_title}")

    text = services.canned_fill(canned=canned, thread=thread, staff=staff)

    # As text: the underscore is escaped, so the Markdown shows it as typed.
    assert text == r"Dear {staff\_name}, re: Title with {asker} in it"


HOSTILE_NAME = "[Maison Brio refunds](https://evil.example/refund)"
HOSTILE_TITLE = "Broken ![logo](https://evil.example/pixel.png) @sam_admin <b>now</b> &amp;"


@pytest.fixture
def hostile_thread(category):
    # A member whose name and title are Markdown: a link, a remote image, a mention.
    UserFactory(username="sam_admin")
    return community_services.thread_create(
        author=UserFactory(display_name=HOSTILE_NAME),
        category=category,
        title=HOSTILE_TITLE,
        body="It stops after two seconds.",
    )


def test_fill_inserts_the_askers_name_and_title_as_escaped_text(hostile_thread, staff):
    canned = CannedResponseFactory(body="Hi {asker}, about {thread_title}:")

    text = services.canned_fill(canned=canned, thread=hostile_thread, staff=staff)

    assert text == (
        r"Hi \[Maison Brio refunds\]\(https\://evil\.example/refund\), about Broken "
        r"\!\[logo\]\(https\://evil\.example/pixel\.png\) \@sam\_admin "
        r"\<b\>now\</b\> \&amp;:"
    )


def test_an_official_reply_from_a_canned_response_shows_member_markdown_as_text(
    staff_client, hostile_thread, staff
):
    canned = CannedResponseFactory(body="Hi {asker}, about “{thread_title}”: refunds are free.")

    editor = staff_client.post(
        insert_url(hostile_thread),
        {"canned": canned.pk, "body": ""},
        headers={"HX-Request": "true"},
    )
    # What the moderator's editor receives: the escaped text, nothing to click.
    assert editor.status_code == 200
    assert r"Hi \[Maison Brio refunds\]\(https\://evil\.example/refund\)" in (
        editor.content.decode()
    )
    body = services.canned_fill(canned=canned, thread=hostile_thread, staff=staff)
    posted = staff_client.post(f"/community/t/{hostile_thread.pk}/reply/", {"body": body})

    assert posted.status_code == 302
    reply = hostile_thread.replies.get()
    assert reply.is_official
    # The brand's reply shows the member's name and title exactly as typed...
    assert "Hi [Maison Brio refunds](https://evil.example/refund), about" in reply.body_html
    assert "![logo](https://evil.example/pixel.png) @sam_admin &lt;b&gt;now&lt;/b&gt;" in (
        reply.body_html
    )
    assert "&amp;amp;" in reply.body_html
    # ...and nothing of it became markup: no link, no image, no mention, no tag.
    assert "<a" not in reply.body_html
    assert "<img" not in reply.body_html
    assert "<b>" not in reply.body_html
    assert not Notification.objects.filter(kind=Notification.Kind.MENTION).exists()
    page = staff_client.get(hostile_thread.get_absolute_url()).content.decode()
    assert 'href="https://evil.example/refund"' not in page
    assert 'src="https://evil.example/pixel.png"' not in page


def test_use_counts_each_insert_and_returns_the_filled_text(thread, staff):
    canned = CannedResponseFactory(body="Hello {asker}")

    assert services.canned_use(moderator=staff, canned=canned, thread=thread) == "Hello Camille"
    services.canned_use(moderator=staff, canned=canned, thread=thread)

    canned.refresh_from_db()
    assert canned.use_count == 2
    assert canned.last_used_at is not None


@pytest.mark.parametrize("role", ["member", "editor"])
def test_use_is_for_moderators(request, thread, role):
    canned = CannedResponseFactory()

    with pytest.raises(PermissionDenied):
        services.canned_use(moderator=request.getfixturevalue(role), canned=canned, thread=thread)

    canned.refresh_from_db()
    assert canned.use_count == 0


def test_use_refuses_another_categorys_response(thread, staff):
    canned = CannedResponseFactory(category=CategoryFactory(slug="kettles"))

    with pytest.raises(ValidationError):
        services.canned_use(moderator=staff, canned=canned, thread=thread)

    canned.refresh_from_db()
    assert canned.use_count == 0


# Offered by category --------------------------------------------------------------


def test_a_thread_is_offered_general_and_own_category_responses_by_title(thread, category):
    general = CannedResponseFactory(title="B general")
    own = CannedResponseFactory(title="A coffee", category=category)
    CannedResponseFactory(title="C kettles", category=CategoryFactory(slug="kettles"))

    with CaptureQueriesContext(connection) as context:
        offered = list(selectors.canned_for_thread(thread))
        names = [item.category.name if item.category else "" for item in offered]

    assert offered == [own, general]
    assert names == ["Coffee machines", ""]
    assert len(context.captured_queries) == 1


def test_thread_page_offers_the_picker_to_moderators_only(client, thread, staff, member, editor):
    CannedResponseFactory(title="Thanks for the details")
    CannedResponseFactory(title="Kettle reset", category=CategoryFactory(slug="kettles"))

    client.force_login(staff)
    content = client.get(thread.get_absolute_url()).content.decode()
    assert 'name="canned"' in content
    assert "Thanks for the details" in content
    assert "Kettle reset" not in content
    picker = content.index('data-testid="canned-picker"')
    assert content.index('action="/community/t/') < picker < content.index('name="body"')
    assert f'formaction="{insert_url(thread)}"' in content
    assert f'data-hx-post="{insert_url(thread)}" data-hx-target="#id_body"' in content

    for viewer in (member, editor):
        client.force_login(viewer)
        content = client.get(thread.get_absolute_url()).content.decode()
        assert 'name="canned"' not in content
        assert "Thanks for the details" not in content


def test_thread_page_has_no_picker_without_responses(staff_client, thread):
    CannedResponseFactory(category=CategoryFactory(slug="kettles"))

    content = staff_client.get(thread.get_absolute_url()).content.decode()

    assert 'name="canned"' not in content
    assert 'name="body"' in content


# The insert URL --------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [("member", 403), ("editor", 403), ("moderator", 200)])
def test_insert_url_is_for_moderators(request, client, thread, role, status):
    canned = CannedResponseFactory()
    client.force_login(request.getfixturevalue(role))

    response = client.post(insert_url(thread), {"canned": canned.pk, "body": ""})

    assert response.status_code == status
    canned.refresh_from_db()
    assert canned.use_count == (1 if status == 200 else 0)


def test_insert_url_sends_visitors_to_sign_in(client, thread):
    canned = CannedResponseFactory()

    response = client.post(insert_url(thread), {"canned": canned.pk})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_insert_url_takes_post_only(staff_client, thread):
    assert staff_client.get(insert_url(thread)).status_code == 405


def test_insert_with_htmx_answers_with_the_textarea_keeping_the_draft(staff_client, thread):
    canned = CannedResponseFactory(body="Hello {asker}, here is how: <b>{x}</b>")

    response = staff_client.post(
        insert_url(thread),
        {"canned": canned.pk, "body": "I looked at your photos.\n"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    content = response.content.decode()
    expected_body = "I looked at your photos.\n\nHello Camille, here is how: <b>{x}</b>"
    expected = str(ReplyForm({"body": expected_body})["body"])
    assert content == expected
    assert content.startswith("<textarea")
    assert 'name="body"' in content
    assert 'id="id_body"' in content
    assert 'maxlength="' in content
    assert "&lt;b&gt;{x}&lt;/b&gt;" in content
    assert "HX-Request" in response["Vary"]


def test_insert_with_htmx_into_an_empty_editor(staff_client, thread):
    canned = CannedResponseFactory(body="Thanks {asker}!")

    response = staff_client.post(
        insert_url(thread), {"canned": canned.pk, "body": "  "}, headers={"HX-Request": "true"}
    )

    assert re.search(r"<textarea[^>]*>\s*Thanks Camille!</textarea>", response.content.decode())


def test_insert_without_javascript_shows_the_answer_page_with_the_draft(staff_client, thread):
    canned = CannedResponseFactory(title="Thanks", body="Thanks {asker}, {staff_name}")
    CannedResponseFactory(title="Another one")

    response = staff_client.post(
        insert_url(thread), {"canned": canned.pk, "body": "My own words first.", "csrf": "x"}
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "The grinder stalls" in content
    assert "It stops after two seconds." in content
    assert f'action="/community/t/{thread.pk}/reply/"' in content
    assert "My own words first.\n\nThanks Camille, Sam from Relais</textarea>" in content
    assert 'name="canned"' in content
    assert f'<option value="{canned.pk}" selected>Thanks (English)</option>' in content
    assert 'name="csrfmiddlewaretoken"' in content
    assert response.context["reply_form"]["body"].value() == (
        "My own words first.\n\nThanks Camille, Sam from Relais"
    )


def test_the_answer_page_form_posts_an_official_reply(staff_client, thread, staff):
    canned = CannedResponseFactory(body="Thanks {asker}")
    page = staff_client.post(insert_url(thread), {"canned": canned.pk, "body": ""})
    body = page.context["reply_form"]["body"].value()

    response = staff_client.post(f"/community/t/{thread.pk}/reply/", {"body": body + " Edited."})

    assert response.status_code == 302
    reply = thread.replies.get()
    assert (reply.body, reply.is_official, reply.author) == ("Thanks Camille Edited.", True, staff)


@pytest.mark.parametrize("bad", ["", "abc", "99999999999999999999999", "0"])
def test_insert_with_a_bad_id_keeps_the_draft_and_says_so(staff_client, thread, bad):
    CannedResponseFactory()

    response = staff_client.post(insert_url(thread), {"canned": bad, "body": "Keep me."})

    assert response.status_code == 400
    content = response.content.decode()
    assert "Choose one of the canned responses offered for this thread." in content
    assert "Keep me.</textarea>" in content
    assert CannedResponse.objects.get().use_count == 0


def test_insert_refuses_another_categorys_response(staff_client, thread):
    elsewhere = CannedResponseFactory(category=CategoryFactory(slug="kettles"))

    response = staff_client.post(
        insert_url(thread), {"canned": elsewhere.pk, "body": ""}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 400
    elsewhere.refresh_from_db()
    assert elsewhere.use_count == 0


def test_insert_on_a_missing_thread_is_404(staff_client):
    canned = CannedResponseFactory()

    assert (
        staff_client.post("/moderation/t/999999/canned/", {"canned": canned.pk}).status_code == 404
    )


def test_every_form_on_the_answer_page_has_a_csrf_token(thread, staff):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    page = client.get(thread.get_absolute_url()).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    canned = CannedResponseFactory()

    response = client.post(
        insert_url(thread), {"canned": canned.pk, "body": "", "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 200
    forms = re.findall(
        r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", response.content.decode(), re.S
    )
    assert forms
    assert all('name="csrfmiddlewaretoken"' in form for form in forms)


# Admin -------------------------------------------------------------------------------


def test_editors_manage_canned_responses_in_the_admin(editor_client, editor, category):
    CannedResponseFactory(title="Descaling steps", category=category)
    CannedResponseFactory(title="Warranty basics")

    for codename in ("add", "change", "delete"):
        assert editor.has_perm(f"moderation.{codename}_cannedresponse")
    listing = editor_client.get("/admin/snippets/moderation/cannedresponse/")
    assert listing.status_code == 200
    content = listing.content.decode()
    assert "Descaling steps" in content
    assert "Warranty basics" in content

    search = editor_client.get("/admin/snippets/moderation/cannedresponse/?q=descaling")
    assert "Descaling steps" in search.content.decode()
    assert "Warranty basics" not in search.content.decode()

    filtered = editor_client.get(
        f"/admin/snippets/moderation/cannedresponse/?category={category.pk}"
    )
    assert filtered.status_code == 200
    assert "Warranty basics" not in filtered.content.decode()


def test_moderators_group_holds_the_canned_response_permissions(staff):
    assert staff.has_perm("moderation.change_cannedresponse")


# Languages -------------------------------------------------------------------------


def _in_french(canned: CannedResponse, *, title: str, body: str) -> CannedResponse:
    translation, _created = community_services.translation_ensure(
        original=canned, language="fr", values={"title": title, "body": body}
    )
    return translation


@pytest.fixture
def thanks():
    english = CannedResponseFactory(title="Thanks", body="Hello {asker}, about {category}.")
    french = _in_french(english, title="Merci", body="Bonjour {asker}, à propos de {category}.")
    return english, french


def _thread_in(language: str, thread) -> None:
    type(thread).objects.filter(pk=thread.pk).update(language=language)
    thread.refresh_from_db()


def test_a_french_thread_offers_the_french_responses_first(thread, thanks):
    english, french = thanks
    _thread_in("fr", thread)

    assert list(selectors.canned_for_thread(thread)) == [french, english]


def test_an_english_thread_offers_the_english_responses_first(thread, thanks):
    english, french = thanks
    _thread_in("en", thread)

    assert list(selectors.canned_for_thread(thread)) == [english, french]


def test_the_picker_marks_each_response_with_its_language(staff_client, thread, thanks):
    english, french = thanks
    _thread_in("fr", thread)

    html = staff_client.get(thread.get_absolute_url()).content.decode()

    assert html.index(f'<option value="{french.pk}">Merci (French)</option>') < html.index(
        f'<option value="{english.pk}">Thanks (English)</option>'
    )


def test_placeholders_fill_in_the_responses_language(category, thread, staff, thanks):
    english, french = thanks
    community_services.translation_ensure(
        original=category, language="fr", values={"name": "Machines à café"}
    )

    assert services.canned_fill(canned=french, thread=thread, staff=staff) == (
        "Bonjour Camille, à propos de Machines à café."
    )
    assert services.canned_fill(canned=english, thread=thread, staff=staff) == (
        "Hello Camille, about Coffee machines."
    )


def test_a_translation_is_offered_on_its_originals_category_only(category, thread):
    english = CannedResponseFactory(title="Descaling", category=category, body="Run a rinse.")
    french = _in_french(english, title="Détartrage", body="Lancez un rinçage.")
    elsewhere = community_services.thread_create(
        author=UserFactory(),
        category=CategoryFactory(name="Orders", slug="orders"),
        title="Where is my parcel today?",
        body="It was due yesterday.",
    )

    assert french.category_id == category.pk
    assert set(selectors.canned_for_thread(thread)) == {english, french}
    assert list(selectors.canned_for_thread(elsewhere)) == []

"""Moderation's tools on community pages come only through the slots community offers.

Community pages render whatever the functions registered under the Wagtail hooks
community_thread_tools, community_reply_tools and community_profile_tools return;
moderation registers its components there. With those functions gone, the pages
show no moderation tool at all, and whatever a hook returns is escaped unless it is
rendered HTML.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.ui.components import Component

from community.models import Visibility
from moderation.services import thread_claim
from tests.factories import (
    CannedResponseFactory,
    ModeratorFactory,
    ReplyFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TOOL_HOOKS = (
    "community_thread_tools",
    "community_reply_tools",
    "community_profile_tools",
    "community_thread_staff_tools",
    "community_reply_form_notes",
    "community_reply_editor_tools",
)


@pytest.fixture
def without_tool_hooks(monkeypatch):
    """The site as if moderation registered nothing in the community's slots."""
    get_hooks = hooks.get_hooks
    monkeypatch.setattr(
        hooks, "get_hooks", lambda name: [] if name in TOOL_HOOKS else get_hooks(name)
    )


@pytest.fixture
def thread():
    thread = ThreadFactory()
    ReplyFactory(thread=thread)
    ReplyFactory(thread=thread, visibility=Visibility.HIDDEN, hidden_reason="Rude")
    ReplyFactory(thread=thread, visibility=Visibility.PENDING)
    return thread


@pytest.fixture
def suspended():
    return UserFactory(suspended_until=timezone.now() + timedelta(days=3))


def page(client, user, url) -> str:
    client.force_login(user)
    return client.get(url).content.decode()


def test_a_member_gets_the_report_links_from_moderation(client, member, thread):
    content = page(client, member, thread.get_absolute_url())

    assert content.count('data-testid="report-link"') == 2  # the question and the peer reply
    assert f"/moderation/report/t/{thread.pk}/" in content


def test_without_the_hooks_a_thread_page_shows_no_report_link(
    client, member, thread, without_tool_hooks
):
    content = page(client, member, thread.get_absolute_url())

    assert 'data-testid="report-link"' not in content
    assert "/moderation/report/" not in content
    assert thread.title in content  # the page itself is whole


def test_without_the_hooks_a_moderator_sees_no_reply_tools(
    client, moderator, thread, without_tool_hooks
):
    content = page(client, moderator, thread.get_absolute_url())

    for path in ("/hide/", "/restore/"):
        assert not any(
            f"/moderation/r/{reply.pk}{path}" in content for reply in thread.replies.all()
        )
    assert "Review in approvals" not in content


def test_a_moderator_gets_the_reply_tools_from_moderation(client, moderator, thread):
    content = page(client, moderator, thread.get_absolute_url())
    visible, hidden, pending = thread.replies.order_by("pk")

    assert f'action="/moderation/r/{visible.pk}/hide/"' in content
    assert f'id="reason-hide-reply-{visible.pk}"' in content
    assert f'action="/moderation/r/{hidden.pk}/restore/"' in content
    assert 'href="/moderation/approvals/">Review in approvals</a>' in content
    assert f"/moderation/r/{pending.pk}/hide/" not in content


def test_without_the_hooks_a_profile_shows_no_suspension_tools(
    client, moderator, suspended, without_tool_hooks
):
    content = page(client, moderator, suspended.get_absolute_url())

    assert 'data-testid="member-staff-tools"' not in content
    assert "/moderation/u/" not in content


def test_a_moderator_gets_the_suspension_tools_from_moderation(client, moderator, suspended):
    content = page(client, moderator, suspended.get_absolute_url())

    assert 'data-testid="member-staff-tools"' in content
    assert f'action="/moderation/u/{suspended.username}/unsuspend/"' in content
    tools = content.split('data-testid="member-staff-tools"')[1].split("</div>")[0]
    assert 'name="csrfmiddlewaretoken" value="' in tools  # the page's token, handed over


def test_what_a_hook_returns_is_escaped_unless_it_is_rendered_html(client, member, thread):
    def plain_text(thread, user):
        return "<b>plain</b>"

    def nothing(thread, user):
        return None

    def rendered(thread, user):
        return format_html("<em data-testid='extra-tool'>{}</em>", "<i>&</i>")

    with hooks.register_temporarily(
        [
            ("community_thread_tools", plain_text),
            ("community_thread_tools", nothing),
            ("community_thread_tools", rendered),
        ]
    ):
        content = page(client, member, thread.get_absolute_url())

    assert "&lt;b&gt;plain&lt;/b&gt;" in content
    assert "<b>plain</b>" not in content
    assert "<em data-testid='extra-tool'>&lt;i&gt;&amp;&lt;/i&gt;</em>" in content


class ViewerNote(Component):
    """A tool of some other app: rendered with the page's context."""

    template_name = "moderation/_report_button.html"

    def get_context_data(self, parent_context=None):
        return {"url": f"/elsewhere/{parent_context['user'].username}/"}


def test_a_component_from_a_hook_renders_with_the_page_context(client, member, thread):
    with hooks.register_temporarily(
        "community_reply_tools", lambda thread, reply, user: ViewerNote()
    ):
        content = page(client, member, thread.get_absolute_url())

    assert f'href="/elsewhere/{member.username}/"' in content


def test_the_featured_copy_of_a_reply_has_no_tools(client, member):
    thread = ThreadFactory()
    recommended = ReplyFactory(
        thread=thread, recommended_by=ModeratorFactory(), recommended_at=timezone.now()
    )

    content = page(client, member, thread.get_absolute_url())

    featured = content.split('id="featured-heading"')[1].split('id="replies-heading"')[0]
    assert f"/moderation/report/r/{recommended.pk}/" not in featured
    assert f"/moderation/report/r/{recommended.pk}/" in content


@pytest.fixture
def claimed_thread_with_canned(thread, moderator):
    CannedResponseFactory(title="Thanks for the details", category=thread.category)
    thread_claim(moderator=moderator, thread=thread)
    return thread


def test_a_moderator_gets_the_staff_tools_from_moderation(
    client, moderator, claimed_thread_with_canned
):
    thread = claimed_thread_with_canned
    content = page(client, moderator, thread.get_absolute_url())

    assert 'class="post__footer staff-tools"' in content
    assert f"/moderation/t/{thread.pk}/lock/" in content
    assert 'data-testid="reply-assignee"' in content
    assert f"/moderation/t/{thread.pk}/canned/" in content


def test_without_the_hooks_a_moderator_sees_no_staff_tools(
    client, moderator, claimed_thread_with_canned, without_tool_hooks
):
    thread = claimed_thread_with_canned
    content = page(client, moderator, thread.get_absolute_url())

    assert "staff-tools" not in content
    assert f"/moderation/t/{thread.pk}/" not in content
    assert 'data-testid="reply-assignee"' not in content
    assert thread.title in content


def test_a_member_gets_no_staff_tools(client, member, claimed_thread_with_canned):
    thread = claimed_thread_with_canned
    content = page(client, member, thread.get_absolute_url())

    assert "staff-tools" not in content
    assert f"/moderation/t/{thread.pk}/" not in content
    assert 'data-testid="reply-assignee"' not in content

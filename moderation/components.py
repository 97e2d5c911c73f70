"""Moderation's tools on community pages, rendered by moderation itself.

Community pages offer slots (community/templatetags/community_tags.py: post_tools,
staff_tools, profile_tools) that render what the functions registered under the
Wagtail hooks community_thread_tools, community_reply_tools, community_profile_tools
and the staff slots' hooks return.
Moderation registers these components there (wagtail_hooks.py), so community never
imports moderation and no community template names a moderation URL.

Each tool asks moderation.permissions whether the viewer may use it, from what the
page has already loaded (ids, the flags the selectors set, the roles cached on the
viewer): rendering one costs no query. A tool the viewer may not use renders nothing.
"""

from django.urls import reverse
from django.utils import timezone
from wagtail.admin.ui.components import Component

from community.models import CommunitySettings, ConversationState, SatisfactionRating, Thread
from moderation import permissions


class PageTool(Component):
    """A tool for one post or member and one viewer; `shown` is decided when it is
    built, from the permission functions."""

    shown = False

    def render_html(self, parent_context=None):
        if not self.shown:
            return ""
        return super().render_html(parent_context)

    def get_context_data(self, parent_context=None):
        # The template renders apart from the page's request: it is handed the
        # page's token (a placeholder on pages cached for visitors).
        return {"csrf_token": (parent_context or {}).get("csrf_token")}

    def fragment_variant(self):
        """What this tool's HTML depends on besides its post's own fields and the
        CSRF token: a reply's cached HTML (community.fragments) is keyed by it. A tool
        whose HTML reads more must say so here, or return None (never cached)."""
        return (type(self).__name__, self.shown)


class ReportLink(PageTool):
    """ "Report" under a thread or a reply, for the members who may report it."""

    template_name = "moderation/_report_button.html"

    def __init__(self, post, user):
        self.post = post
        self.shown = permissions.can_report(user, post)

    def get_context_data(self, parent_context=None):
        name = "report_thread" if isinstance(self.post, Thread) else "report_reply"
        return {"url": reverse(f"moderation:{name}", kwargs={"pk": self.post.pk})}


class ReplyModerationTools(PageTool):
    """A moderator's tool on one reply, by its state: the way to the approvals while
    it awaits approval, "Restore" once hidden, "Hide reply" (asking why) otherwise."""

    template_name = "moderation/_reply_tools.html"

    def __init__(self, reply, user):
        self.reply = reply
        self.shown = permissions.can_moderate(user)

    def get_context_data(self, parent_context=None):
        return {**super().get_context_data(parent_context), "reply": self.reply}


class MemberSuspensionTools(PageTool):
    """On a member's profile: suspend them, or lift or change their suspension.

    The member comes from community.selectors.member_profile, which loads whether
    they are staff (is_brand_staff)."""

    template_name = "moderation/_member_tools.html"

    def __init__(self, member, user):
        self.member = member
        self.can_suspend = permissions.can_suspend(user, member)
        self.can_lift = permissions.can_lift_suspension(user, member)
        self.shown = self.can_suspend or self.can_lift

    def get_context_data(self, parent_context=None):
        return {
            **super().get_context_data(parent_context),
            "member": self.member,
            "can_lift": self.can_lift,
        }


class ThreadStaffTool(PageTool):
    """A moderator's tool on the thread page that reads the page's staff context
    (what the "community_thread_staff_context" hooks added: the assignee, the
    moderators, the categories to move to, the canned responses)."""

    def __init__(self, thread, user):
        self.thread = thread
        self.shown = permissions.can_moderate(user)

    def get_context_data(self, parent_context=None):
        return parent_context.flatten() if parent_context is not None else {}

    def fragment_variant(self):
        # Reads the whole page's context: never part of a cached fragment.
        return None


class ResponseDueNote(PageTool):
    """For moderators, by the question: when the brand's first official reply is (or
    was) due, how long is left or how late it is, and once answered how long it took;
    then whether a follow-up is due or the thread waits on the customer. Read from
    the thread's own fields: no query."""

    template_name = "moderation/_response_due_note.html"

    def __init__(self, thread, user):
        self.thread = thread
        self.shown = permissions.can_moderate(user) and thread.response_due_at is not None

    def get_context_data(self, parent_context=None):
        thread = self.thread
        answered_at = thread.first_official_reply_at
        now = timezone.now()
        follow_up_due = None
        if answered_at is not None and thread.solution_id is None:
            follow_up_due = thread.follow_up_due_at if thread.follow_up_since else None
        # The page's request holds the settings already read (no query).
        rules = CommunitySettings.load((parent_context or {}).get("request"))
        state = thread.conversation_state(close_after=rules.close_after, at=now)
        return {
            "closed": state == ConversationState.CLOSED,
            "close_after_days": rules.close_after_days,
            "thread": thread,
            "due": thread.response_due_at,
            "answered_at": answered_at,
            "overdue": answered_at is None and thread.response_due_at < now,
            "late": answered_at is not None and answered_at > thread.response_due_at,
            # Following the conversation: due again since the customer came back, or
            # waiting on the customer since the brand's last reply.
            "follow_up_due": follow_up_due,
            "follow_up_overdue": follow_up_due is not None and follow_up_due < now,
            "waiting_on_customer": state == ConversationState.WAITING_ON_CUSTOMER,
        }


class SatisfactionAnswers(PageTool):
    """For moderators, under the question: how satisfied the members asked (once the
    thread was solved or closed) were with the help, with their comments. Members
    never see them. One query on every staff thread page, whatever its state."""

    template_name = "moderation/_satisfaction_answers.html"

    def __init__(self, thread, user):
        self.thread = thread
        self.shown = permissions.can_moderate(user)
        self.ratings = []

    def render_html(self, parent_context=None):
        if self.shown:
            self.ratings = list(
                SatisfactionRating.objects.filter(thread=self.thread, score__isnull=False)
                .select_related("member")
                .order_by("answered_at", "pk")
            )
        if not self.ratings:
            return ""
        return super().render_html(parent_context)

    def get_context_data(self, parent_context=None):
        return {"ratings": self.ratings, "thread": self.thread}


class ThreadStaffTools(ThreadStaffTool):
    """Under the question: claim and assign, approve or reject, hide or restore,
    lock, pin, move and mark as duplicate."""

    template_name = "moderation/_thread_staff_tools.html"


class ReplyAssigneeNote(ThreadStaffTool):
    """Above the reply form: who is answering, so two moderators do not."""

    template_name = "moderation/_reply_assignee_note.html"


class CannedResponsePicker(ThreadStaffTool):
    """Inside the reply form: the canned responses for the thread's category."""

    template_name = "moderation/_canned_picker.html"

    def render_html(self, parent_context=None):
        if not (parent_context or {}).get("canned_responses"):
            return ""
        return super().render_html(parent_context)


class HeaderStaffLinks(Component):
    """The moderator's ways to work, with their counts, in the site header: the
    queue (awaiting, overdue), the posts to approve and the reports to review.

    `place` is "menu" (every screen: inside the header's menu), "bar" (wide screens:
    the queue in the header's line) or "badge" (how much awaits, on the menu's
    button). The counts come from moderation's context processor (lazy, one query
    apiece, shared by the places of one page)."""

    templates = {
        "menu": "moderation/_header_menu_links.html",
        "bar": "moderation/_header_bar_links.html",
        "badge": "moderation/_header_badge.html",
    }

    def __init__(self, user, place: str):
        self.place = place
        self.template_name = self.templates[place]
        self.shown = permissions.can_moderate(user)

    def render_html(self, parent_context=None):
        if not self.shown or not (parent_context or {}).get("moderation_queue"):
            return ""
        return super().render_html(parent_context)

    def get_context_data(self, parent_context=None):
        context = parent_context or {}
        return {
            "queue": context.get("moderation_queue"),
            "pending": context.get("moderation_pending"),
            "reports": context.get("moderation_reports"),
            "request": context.get("request"),
        }

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from moderation import components

REPLY_HIDE = "relais.reply.hide"
REPLY_RESTORE = "relais.reply.restore"
REPLY_APPROVE = "relais.reply.approve"
REPLY_REJECT = "relais.reply.reject"
THREAD_HIDE = "relais.thread.hide"
THREAD_RESTORE = "relais.thread.restore"
THREAD_LOCK = "relais.thread.lock"
THREAD_UNLOCK = "relais.thread.unlock"
THREAD_PIN = "relais.thread.pin"
THREAD_UNPIN = "relais.thread.unpin"
THREAD_MOVE = "relais.thread.move"
THREAD_MARK_DUPLICATE = "relais.thread.mark_duplicate"
THREAD_UNMARK_DUPLICATE = "relais.thread.unmark_duplicate"
THREAD_APPROVE = "relais.thread.approve"
THREAD_REJECT = "relais.thread.reject"
THREAD_CLAIM = "relais.thread.claim"
THREAD_ASSIGN = "relais.thread.assign"
THREAD_RELEASE = "relais.thread.release"
MEMBER_SUSPEND = "relais.member.suspend"
MEMBER_UNSUSPEND = "relais.member.unsuspend"
REPORT_DISMISS = "relais.report.dismiss"
REPORT_AUTO_HIDE = "relais.report.auto_hide"


@hooks.register("register_log_actions")
def register_moderation_actions(actions):
    # Every moderation action lands in Wagtail's audit log, so editors and staff
    # read who did what, when and why in the admin's history reports.
    for action, label, message in (
        (REPLY_HIDE, _("Hide reply"), _("Reply hidden by a moderator")),
        (REPLY_RESTORE, _("Restore reply"), _("Reply restored by a moderator")),
        (REPLY_APPROVE, _("Approve reply"), _("Reply approved by a moderator")),
        (REPLY_REJECT, _("Reject reply"), _("Reply rejected by a moderator")),
        (THREAD_HIDE, _("Hide thread"), _("Thread hidden by a moderator")),
        (THREAD_RESTORE, _("Restore thread"), _("Thread restored by a moderator")),
        (THREAD_LOCK, _("Lock thread"), _("Thread locked by a moderator")),
        (THREAD_UNLOCK, _("Unlock thread"), _("Thread unlocked by a moderator")),
        (THREAD_PIN, _("Pin thread"), _("Thread pinned by a moderator")),
        (THREAD_UNPIN, _("Unpin thread"), _("Thread unpinned by a moderator")),
        (THREAD_MOVE, _("Move thread"), _("Thread moved to another category")),
        (THREAD_MARK_DUPLICATE, _("Mark as duplicate"), _("Thread closed as a duplicate")),
        (THREAD_UNMARK_DUPLICATE, _("Reopen duplicate"), _("Thread no longer a duplicate")),
        (THREAD_APPROVE, _("Approve thread"), _("Thread approved by a moderator")),
        (THREAD_REJECT, _("Reject thread"), _("Thread rejected by a moderator")),
        (THREAD_CLAIM, _("Claim thread"), _("Thread claimed by a moderator")),
        (THREAD_ASSIGN, _("Assign thread"), _("Thread assigned to a moderator")),
        (THREAD_RELEASE, _("Release thread"), _("Thread released by a moderator")),
        (MEMBER_SUSPEND, _("Suspend member"), _("Member suspended by a moderator")),
        (MEMBER_UNSUSPEND, _("Lift suspension"), _("Member's suspension lifted")),
        (REPORT_DISMISS, _("Dismiss report"), _("Report dismissed by a moderator")),
        (REPORT_AUTO_HIDE, _("Hide after reports"), _("Post hidden after several reports")),
    ):
        actions.register_action(action, label, message)


@hooks.register("community_thread_staff_context")
def thread_move_categories(request, thread):
    """The categories a moderator may move the thread to (the thread page's staff tools)."""
    from community.models import Category

    return {"move_categories": list(Category.objects.all())}


# Assignment and canned responses -------------------------------------------------

from wagtail.snippets.models import register_snippet  # noqa: E402
from wagtail.snippets.views.snippets import SnippetViewSet  # noqa: E402

from moderation.models import CannedResponse  # noqa: E402


class CannedResponseViewSet(SnippetViewSet):
    """Editors write the prepared texts staff insert in their replies."""

    model = CannedResponse
    icon = "openquote"
    menu_label = _("Canned responses")
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["title", "category", "use_count", "last_used_at"]
    list_filter = ["category"]
    search_fields = ["title", "body"]
    search_backend_name = None  # the database's own lookups: always in step with edits
    ordering = ["title"]


register_snippet(CannedResponseViewSet)


@hooks.register("community_thread_staff_context")
def thread_assignment_and_canned(request, thread):
    """Who is on the thread, whom it can go to, and the canned responses for its
    category (the staff tools and the reply editor), in two queries."""
    from django.utils import timezone

    from moderation import selectors

    return {
        "moderators": selectors.moderator_list(),
        "thread_assignee": thread.assignee_at(timezone.now()),
        "canned_responses": list(selectors.canned_for_thread(thread)),
    }


# The community in the admin ------------------------------------------------------

from wagtail.permissions import register_permission_policy  # noqa: E402

from community.models import Reply, Thread  # noqa: E402
from moderation import admin_views  # noqa: E402
from moderation.models import Report  # noqa: E402

# Read-only for staff: posts are written on the site and moderated through the services.
for _model in (Thread, Reply, Report):
    register_permission_policy(_model, admin_views.CommunityReadOnlyPolicy(_model))


@hooks.register("register_admin_viewset")
def register_community_viewsets():
    return admin_views.CommunityViewSetGroup()


@hooks.register("construct_homepage_panels")
def add_community_panel(request, panels):
    panels.append(admin_views.CommunityPanel(request))


# Moderation's tools on community pages -------------------------------------------
# Community pages offer slots (community_tags: post_tools, profile_tools) and render
# what these return there; each component asks moderation.permissions whether the
# viewer may use it (see moderation/components.py). Registered in the order shown.


@hooks.register("community_thread_tools")
def thread_report_link(thread, user):
    return components.ReportLink(thread, user)


@hooks.register("community_reply_tools")
def reply_report_link(thread, reply, user):
    return components.ReportLink(reply, user)


@hooks.register("community_reply_tools")
def reply_moderation_tools(thread, reply, user):
    return components.ReplyModerationTools(reply, user)


@hooks.register("community_profile_tools")
def member_suspension_tools(member, user):
    return components.MemberSuspensionTools(member, user)


# The thread page's staff slots: each component is built with (thread, viewer).
hooks.register("community_thread_staff_tools", components.ThreadStaffTools)
hooks.register("community_reply_form_notes", components.ReplyAssigneeNote)
hooks.register("community_reply_editor_tools", components.CannedResponsePicker)

"""Moderation's registrations with Wagtail: the audit log's labels, the staff tools'
context on thread pages, canned responses as snippets, and the community's
read-only admin views and dashboard panel. This module only registers: the action
names live in moderation.audit and the admin's views in moderation.admin_views, so
nothing else imports the hooks."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from accounts.roles import roles_version
from community.models import Category, Reply, Thread
from community.wagtail_hooks import MenuSnippetViewSet
from moderation import admin_views, audit, components, selectors
from moderation.models import CannedResponse, Report
from moderation.privacy import member_reports_section


@hooks.register("register_log_actions")
def register_moderation_actions(actions):
    audit.register_actions(actions)


@hooks.register("member_data_export")
def moderation_member_data(user):
    """The reports the member sent, in their data export."""
    return member_reports_section(user)


@hooks.register("community_thread_staff_context")
def thread_move_categories(request, thread):
    """The categories a moderator may move the thread to (the thread page's staff tools)."""
    return {
        "move_categories": selectors.kept_until_next_write(
            "move-categories", lambda: list(Category.objects.originals())
        )
    }


# Assignment and canned responses -------------------------------------------------


class CannedResponseViewSet(MenuSnippetViewSet):
    """Editors write the prepared texts staff insert in their replies."""

    model = CannedResponse
    icon = "openquote"
    menu_label = _("Canned responses")
    menu_order = 210
    list_display = ["title", "category", "use_count", "last_used_at"]
    list_filter = ["category"]
    search_fields = ["title", "body"]
    ordering = ["title"]


register_snippet(CannedResponseViewSet)


@hooks.register("community_thread_staff_context")
def thread_assignment_and_canned(request, thread):
    """Who is on the thread, whom it can go to, and the canned responses for its
    category (the staff tools and the reply editor): the same for every moderator,
    read in two queries once per write (and change of roles)."""
    return {
        "moderators": selectors.kept_until_next_write(
            f"assignable-moderators:{roles_version()}", selectors.moderator_list
        ),
        "thread_assignee": thread.assignee_at(timezone.now()),
        "canned_responses": selectors.kept_until_next_write(
            f"canned-offered:{thread.category_id}:{thread.language}",
            lambda: list(selectors.canned_for_thread(thread)),
        ),
    }


# The community in the admin ------------------------------------------------------

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
hooks.register("community_thread_staff_tools", components.ResponseDueNote)
hooks.register("community_thread_staff_tools", components.SatisfactionAnswers)
hooks.register("community_thread_staff_tools", components.ThreadStaffTools)
hooks.register("community_reply_form_notes", components.ReplyAssigneeNote)
hooks.register("community_reply_editor_tools", components.CannedResponsePicker)


# The site header's staff links: built with the viewer, one place per hook.
@hooks.register("community_header_menu")
def header_menu_links(user):
    return components.HeaderStaffLinks(user, "menu")


@hooks.register("community_header_bar")
def header_bar_links(user):
    return components.HeaderStaffLinks(user, "bar")


@hooks.register("community_header_badge")
def header_badge(user):
    return components.HeaderStaffLinks(user, "badge")

from django.urls import path

from moderation.views import actions, queue
from moderation.views import approvals as approval_views
from moderation.views import assignment as assignment_views
from moderation.views import canned as canned_views
from moderation.views import members as member_views
from moderation.views import metrics as metrics_views
from moderation.views import reports as report_views
from moderation.views import satisfaction as satisfaction_views

app_name = "moderation"


def reported_post_routes(verb: str, view) -> list:
    """A moderator's decision on a reported thread (t/) and on a reported reply (r/):
    one view, told which by `kind`; named report_<verb>_thread and report_<verb>_reply."""
    return [
        path(f"reports/t/<int:pk>/{verb}/", view, {"kind": "thread"}, name=f"report_{verb}_thread"),
        path(f"reports/r/<int:pk>/{verb}/", view, {"kind": "reply"}, name=f"report_{verb}_reply"),
    ]


urlpatterns = [
    path("", queue.queue, name="queue"),
    path("metrics/", metrics_views.metrics, name="metrics"),
    path("metrics.csv", metrics_views.metrics_csv, name="metrics_csv"),
    path("satisfaction/", satisfaction_views.satisfaction_list, name="satisfaction"),
    path("r/<int:pk>/hide/", actions.reply_hide, name="reply_hide"),
    path("r/<int:pk>/restore/", actions.reply_restore, name="reply_restore"),
    path("t/<int:pk>/hide/", actions.thread_hide, name="thread_hide"),
    path("t/<int:pk>/restore/", actions.thread_restore, name="thread_restore"),
    path("t/<int:pk>/lock/", actions.thread_lock, name="thread_lock"),
    path("t/<int:pk>/unlock/", actions.thread_unlock, name="thread_unlock"),
    path("t/<int:pk>/claim/", assignment_views.thread_claim, name="thread_claim"),
    path("t/<int:pk>/assign/", assignment_views.thread_assign, name="thread_assign"),
    path("t/<int:pk>/release/", assignment_views.thread_release, name="thread_release"),
    path("t/<int:pk>/canned/", canned_views.canned_insert, name="canned_insert"),
    path("t/<int:pk>/pin/", actions.thread_pin, name="thread_pin"),
    path("t/<int:pk>/unpin/", actions.thread_unpin, name="thread_unpin"),
    path("t/<int:pk>/move/", actions.thread_move, name="thread_move"),
    path("t/<int:pk>/duplicate/", actions.thread_mark_duplicate, name="thread_mark_duplicate"),
    path(
        "t/<int:pk>/not-duplicate/",
        actions.thread_unmark_duplicate,
        name="thread_unmark_duplicate",
    ),
    path("approvals/", approval_views.approvals, name="approvals"),
    path("t/<int:pk>/approve/", approval_views.thread_approve, name="thread_approve"),
    path("t/<int:pk>/reject/", approval_views.thread_reject, name="thread_reject"),
    path("r/<int:pk>/approve/", approval_views.reply_approve, name="reply_approve"),
    path("r/<int:pk>/reject/", approval_views.reply_reject, name="reply_reject"),
    path("edits/<int:pk>/approve/", approval_views.edit_approve, name="edit_approve"),
    path("edits/<int:pk>/reject/", approval_views.edit_reject, name="edit_reject"),
    path("report/t/<int:pk>/", report_views.report_thread, name="report_thread"),
    path("report/r/<int:pk>/", report_views.report_reply, name="report_reply"),
    path("reports/", report_views.report_list, name="reports"),
    *reported_post_routes("dismiss", report_views.report_dismiss),
    *reported_post_routes("hide", report_views.report_hide),
    path("u/<str:username>/suspend/", member_views.member_suspend, name="member_suspend"),
    path("u/<str:username>/unsuspend/", member_views.member_unsuspend, name="member_unsuspend"),
]

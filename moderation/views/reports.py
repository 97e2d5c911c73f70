"""Reports: members flag a post; moderators review the reported posts and act."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from community.models import Reply, Thread, Visibility
from moderation import permissions, reports_selectors, services
from moderation.forms import ReportForm
from moderation.views.common import posted_reason, refusal_as_message

# Reporting (members) ---------------------------------------------------------------


def _after_report_url(thread: Thread, reply: Reply | None) -> str:
    """Back to the post; if the report hid it, to what the reporter can still read."""
    thread.refresh_from_db(fields=["visibility"])
    if not thread.is_visible:
        return thread.category.get_absolute_url()
    if reply is not None:
        reply.refresh_from_db(fields=["visibility"])
        if reply.visibility == Visibility.VISIBLE:
            return reply.get_absolute_url()
    return thread.get_absolute_url()


def _report(request, thread: Thread, reply: Reply | None):
    permissions.check_report(request.user, reply or thread)
    already = (
        reports_selectors.open_reports_on(thread=thread, reply=reply)
        .filter(reporter=request.user)
        .first()
    )
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_create(
                reporter=request.user,
                thread=thread,
                reply=reply,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thanks, a moderator will look at it."))
            return redirect(_after_report_url(thread, reply))
    return render(
        request,
        "moderation/report_form.html",
        {
            "form": form,
            "thread": thread,
            "reply": reply,
            "post": reply or thread,
            "already": already,
            "back_url": (
                reply.get_absolute_url() if reply is not None else thread.get_absolute_url()
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_thread(request, pk):
    thread = get_object_or_404(
        Thread.objects.visible().with_author().select_related("category"), pk=pk
    )
    return _report(request, thread, None)


@login_required
@require_http_methods(["GET", "POST"])
def report_reply(request, pk):
    reply = get_object_or_404(
        Reply.objects.visible()
        .with_author()
        .select_related("thread__category")
        .filter(thread__visibility=Visibility.VISIBLE),
        pk=pk,
    )
    return _report(request, reply.thread, reply)


# Review (moderators) -----------------------------------------------------------------


@login_required
@require_GET
def report_list(request):
    permissions.check_moderate(request.user)
    status = request.GET.get("status", "open")
    status = status if status in reports_selectors.REPORT_STATUSES else "open"
    page_number = request.GET.get("page", 1)
    if status == "resolved":
        page = reports_selectors.resolved_report_list(page_number=page_number)
    else:
        page = reports_selectors.reported_post_list(page_number=page_number)
    return render(
        request,
        "moderation/reports.html",
        {
            "page": page,
            "status": status,
            "open_report_count": reports_selectors.open_report_count(),
            "query": "status=resolved" if status == "resolved" else "",
        },
    )


def _reported_post(kind: str, pk: int) -> tuple[Thread, Reply | None]:
    if kind == "reply":
        reply = get_object_or_404(Reply.objects.select_related("thread"), pk=pk)
        return reply.thread, reply
    return get_object_or_404(Thread, pk=pk), None


def _back_to_reports(request):
    page = request.POST.get("page", "")
    suffix = f"?page={page}" if page.isdigit() and page != "1" else ""
    return redirect(reverse("moderation:reports") + suffix)


@login_required
@require_POST
def report_dismiss(request, pk, kind):
    permissions.check_moderate(request.user)
    thread, reply = _reported_post(kind, pk)
    dismissed = services.reports_dismiss(
        moderator=request.user, thread=thread, reply=reply, reason=posted_reason(request)
    )
    if dismissed:
        messages.success(request, _("Reports dismissed. A post hidden by them is shown again."))
    else:
        messages.info(request, _("Nothing to dismiss: these reports were already handled."))
    return _back_to_reports(request)


@login_required
@require_POST
def report_hide(request, pk, kind):
    permissions.check_moderate(request.user)
    thread, reply = _reported_post(kind, pk)
    with refusal_as_message(request):
        services.reports_hide_post(
            moderator=request.user, thread=thread, reply=reply, reason=posted_reason(request)
        )
        messages.success(request, _("The post is hidden and its reports are closed."))
    return _back_to_reports(request)

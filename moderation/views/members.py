"""Suspending a member and lifting the suspension (moderators only)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from community.models import Reply, Thread
from moderation import permissions, reports_selectors, services
from moderation.forms import SuspendForm
from moderation.views.common import posted_reason, refusal_text

# Which field of the form a service's refusal belongs to.
_ERROR_FIELDS = {
    "reason_required": "reason",
    "reason_too_long": "reason",
    "until_required": "until",
    "until_past": "until",
    "until_too_far": "until",
}


def _reported_post(source, member: User) -> tuple[Thread | None, Reply | None]:
    """The reported post the form was opened from (?thread= or ?reply=), by `member`."""
    reply_id, thread_id = source.get("reply", ""), source.get("thread", "")
    if reply_id.isdigit():
        reply = get_object_or_404(
            Reply.objects.select_related("thread"), pk=int(reply_id), author=member
        )
        return reply.thread, reply
    if thread_id.isdigit():
        return get_object_or_404(Thread, pk=int(thread_id), author=member), None
    if reply_id or thread_id:
        raise Http404
    return None, None


def _add_service_error(form, error: ValidationError) -> None:
    code = getattr(error, "code", None)
    field = _ERROR_FIELDS.get(code)
    if field == "until" and form.cleaned_data.get("duration") != "custom":
        field = None
    form.add_error(field, error)


@login_required
@require_http_methods(["GET", "POST"])
def member_suspend(request, username):
    permissions.check_moderate(request.user)
    member = get_object_or_404(User.objects.with_staff_flag(), username=username)
    source = request.POST if request.method == "POST" else request.GET
    thread, reply = _reported_post(source, member)
    initial = {"thread": thread.pk if thread else None, "reply": reply.pk if reply else None}
    form = SuspendForm(request.POST or None, initial=initial, with_post=thread is not None)
    refusal = ""
    try:
        permissions.check_suspendable(moderator=request.user, member=member)
    except ValidationError as error:
        refusal = refusal_text(error)
    if request.method == "POST" and not refusal and form.is_valid():
        until, reason = form.cleaned_data["suspended_until"], form.cleaned_data["reason"]
        try:
            if thread is not None:
                services.reports_suspend_author(
                    moderator=request.user,
                    thread=thread,
                    reply=reply,
                    until=until,
                    reason=reason,
                    hide=form.cleaned_data.get("hide_post", False),
                )
            else:
                services.member_suspend(
                    moderator=request.user, member=member, until=until, reason=reason
                )
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is suspended until %(until)s.")
                % {
                    "name": member.public_name,
                    "until": formats.date_format(timezone.localtime(until), "DATETIME_FORMAT"),
                },
            )
            return redirect("moderation:reports" if thread is not None else member)
    status = 403 if refusal and request.method == "POST" else 200
    return render(
        request,
        "moderation/suspend_form.html",
        {
            "member": member,
            "form": form,
            "refusal": refusal,
            "thread": thread,
            "reply": reply,
            "post": reply or thread,
            "open_reports": (
                list(reports_selectors.open_reports_on(thread=thread, reply=reply))
                if thread is not None
                else []
            ),
        },
        status=status,
    )


@login_required
@require_POST
def member_unsuspend(request, username):
    permissions.check_moderate(request.user)
    member = get_object_or_404(User, username=username)
    was_suspended = member.is_suspended
    services.member_unsuspend(moderator=request.user, member=member, reason=posted_reason(request))
    if was_suspended:
        messages.success(
            request, _("The suspension of %(name)s is lifted.") % {"name": member.public_name}
        )
    else:
        messages.info(request, _("%(name)s is not suspended.") % {"name": member.public_name})
    return redirect(member)

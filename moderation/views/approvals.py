"""Pre-moderation: the posts awaiting approval, and the approve and reject actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from community.models import Reply, Thread, Visibility
from moderation import permissions, selectors, services


@login_required
@require_GET
def approvals(request):
    permissions.check_moderate(request.user)
    page = selectors.approvals_list(page_number=request.GET.get("page", 1))
    return render(request, "moderation/approvals.html", {"page": page})


def _back(request):
    """Where the form came from (the approvals page or the post's page), if it is ours."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(reverse("moderation:approvals"))


def _decide(request, post, action, done: str, **kwargs):
    was_pending = post.visibility == Visibility.PENDING
    try:
        action(moderator=request.user, **kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if was_pending:
            messages.success(request, done)
        else:
            messages.info(request, _("Another moderator has already decided on this post."))
    return _back(request)


@login_required
@require_POST
def thread_approve(request, pk):
    permissions.check_moderate(request.user)
    thread = get_object_or_404(Thread, pk=pk)
    return _decide(
        request,
        thread,
        services.thread_approve,
        _("Approved: the question is public and waits for its official reply."),
        thread=thread,
    )


@login_required
@require_POST
def thread_reject(request, pk):
    permissions.check_moderate(request.user)
    thread = get_object_or_404(Thread, pk=pk)
    return _decide(
        request,
        thread,
        services.thread_reject,
        _("Rejected: the question stays hidden; its author sees your reason."),
        thread=thread,
        reason=request.POST.get("reason", ""),
    )


@login_required
@require_POST
def reply_approve(request, pk):
    permissions.check_moderate(request.user)
    reply = get_object_or_404(Reply, pk=pk)
    return _decide(
        request, reply, services.reply_approve, _("Approved: the reply is public."), reply=reply
    )


@login_required
@require_POST
def reply_reject(request, pk):
    permissions.check_moderate(request.user)
    reply = get_object_or_404(Reply, pk=pk)
    return _decide(
        request,
        reply,
        services.reply_reject,
        _("Rejected: the reply stays hidden; its author sees your reason."),
        reply=reply,
        reason=request.POST.get("reason", ""),
    )

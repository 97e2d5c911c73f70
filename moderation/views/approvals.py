"""Pre-moderation: the posts awaiting approval, and the approve and reject actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from community.models import ProposedEdit, Reply, Thread, Visibility
from moderation import permissions, services
from moderation.approvals_section import approvals_section
from moderation.views.common import local_next, posted_reason, refusal_as_message


@login_required
@require_GET
def approvals(request):
    permissions.check_moderate(request.user)
    section = approvals_section(
        page_number=request.GET.get("page", 1),
        back=request.get_full_path(),
        csrf_token=get_token(request),
    )
    return render(request, "moderation/approvals.html", {"section": section})


def _decision(model, action, done, *, with_reason=False):
    """The view of a decision on one pending post (`model`): the service `action`
    runs (with the posted reason when `with_reason`), `done` confirms it, and the
    moderator goes back where the form came from (the approvals or the post's page).
    A post another moderator decided on first is left as it is, and said so."""
    kind = model._meta.model_name  # the services' argument: thread= or reply=

    @login_required
    @require_POST
    def view(request, pk):
        permissions.check_moderate(request.user)
        post = get_object_or_404(model, pk=pk)
        was_pending = post.visibility == Visibility.PENDING
        arguments = {kind: post}
        if with_reason:
            arguments["reason"] = posted_reason(request)
        with refusal_as_message(request):
            action(moderator=request.user, **arguments)
            if was_pending:
                messages.success(request, done)
            else:
                messages.info(request, _("Another moderator has already decided on this post."))
        return redirect(local_next(request, reverse("moderation:approvals")))

    return view


THREAD_APPROVED = gettext_lazy("Approved: the question is public and waits for its official reply.")
THREAD_REJECTED = gettext_lazy("Rejected: the question stays hidden; its author sees your reason.")
REPLY_APPROVED = gettext_lazy("Approved: the reply is public.")
REPLY_REJECTED = gettext_lazy("Rejected: the reply stays hidden; its author sees your reason.")

thread_approve = _decision(Thread, services.thread_approve, THREAD_APPROVED)
thread_reject = _decision(Thread, services.thread_reject, THREAD_REJECTED, with_reason=True)
reply_approve = _decision(Reply, services.reply_approve, REPLY_APPROVED)
reply_reject = _decision(Reply, services.reply_reject, REPLY_REJECTED, with_reason=True)


def _edit_decision(action, done, *, with_reason=False):
    """The view of a decision on one waiting change to a post: as `_decision`, the
    change named by its id (a newer change by its author is another id)."""

    @login_required
    @require_POST
    def view(request, pk):
        permissions.check_moderate(request.user)
        edit = get_object_or_404(ProposedEdit, pk=pk)
        arguments = {"reason": posted_reason(request)} if with_reason else {}
        with refusal_as_message(request):
            action(moderator=request.user, edit=edit, **arguments)
            messages.success(request, done)
        return redirect(local_next(request, reverse("moderation:approvals")))

    return view


EDIT_APPROVED = gettext_lazy("Approved: the post shows the change; the earlier version is kept.")
EDIT_REJECTED = gettext_lazy("Not approved: the post stays as it was; its author sees your reason.")

edit_approve = _edit_decision(services.edit_approve, EDIT_APPROVED)
edit_reject = _edit_decision(services.edit_reject, EDIT_REJECTED, with_reason=True)

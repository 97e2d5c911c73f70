"""Moderation actions on one thread or reply: each asks why and redirects back."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from community.models import Reply, Thread
from moderation import permissions, services


def _reply_action(request, pk, action):
    reply = get_object_or_404(Reply.objects.select_related("thread"), pk=pk)
    permissions.check_moderate(request.user)
    try:
        action(moderator=request.user, reply=reply, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(f"{reply.thread.get_absolute_url()}#reply-{reply.pk}")


@login_required
@require_POST
def reply_hide(request, pk):
    return _reply_action(request, pk, services.reply_hide)


@login_required
@require_POST
def reply_restore(request, pk):
    return _reply_action(request, pk, services.reply_restore)


def _thread_action(request, pk, action, **kwargs):
    thread = get_object_or_404(Thread, pk=pk)
    permissions.check_moderate(request.user)
    try:
        action(
            moderator=request.user, thread=thread, reason=request.POST.get("reason", ""), **kwargs
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(thread.get_absolute_url())


@login_required
@require_POST
def thread_hide(request, pk):
    return _thread_action(request, pk, services.thread_hide)


@login_required
@require_POST
def thread_restore(request, pk):
    return _thread_action(request, pk, services.thread_restore)


@login_required
@require_POST
def thread_lock(request, pk):
    return _thread_action(request, pk, services.thread_set_locked, locked=True)


@login_required
@require_POST
def thread_unlock(request, pk):
    return _thread_action(request, pk, services.thread_set_locked, locked=False)

"""Moderation actions on one thread or reply: each asks why and redirects back."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community.models import Category, Reply, Thread
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


@login_required
@require_POST
def thread_pin(request, pk):
    return _thread_action(request, pk, services.thread_set_pinned, pinned=True)


@login_required
@require_POST
def thread_unpin(request, pk):
    return _thread_action(request, pk, services.thread_set_pinned, pinned=False)


def _posted_category(request) -> Category:
    raw = request.POST.get("category", "")
    valid = re.fullmatch(r"[0-9]{1,9}", raw)
    category = Category.objects.filter(pk=int(raw)).first() if valid else None
    if category is None:
        raise ValidationError(_("Choose the category to move the thread to."), code="no_category")
    return category


@login_required
@require_POST
def thread_move(request, pk):
    permissions.check_moderate(request.user)
    thread = get_object_or_404(Thread, pk=pk)
    try:
        category = _posted_category(request)
        services.thread_move(
            moderator=request.user,
            thread=thread,
            category=category,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Moved to “%(category)s”.") % {"category": category.name})
    return redirect(thread.get_absolute_url())


# A thread's address (/community/t/42/slug/, with or without the site and language
# prefix) or its number.
THREAD_REFERENCE = re.compile(r"^\s*#?([0-9]{1,9})\s*$|/community/t/([0-9]{1,9})(?:[/?#]|$)")


def parse_thread_reference(text: str) -> int | None:
    """The thread id in what a moderator pasted: a thread's URL or its number."""
    match = THREAD_REFERENCE.search((text or "")[:500])
    if match is None:
        return None
    return int(match.group(1) or match.group(2))


def _posted_original(request) -> Thread:
    pk = parse_thread_reference(request.POST.get("original", ""))
    original = Thread.objects.filter(pk=pk).first() if pk else None
    if original is None:
        raise ValidationError(
            _("Paste the address or the number of the original thread."), code="no_original"
        )
    return original


@login_required
@require_POST
def thread_mark_duplicate(request, pk):
    permissions.check_moderate(request.user)
    thread = get_object_or_404(Thread, pk=pk)
    try:
        original = _posted_original(request)
        services.thread_mark_duplicate(
            moderator=request.user,
            thread=thread,
            original=original,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Closed as a duplicate of “%(title)s”.") % {"title": original.title},
        )
    return redirect(thread.get_absolute_url())


@login_required
@require_POST
def thread_unmark_duplicate(request, pk):
    return _thread_action(request, pk, services.thread_unmark_duplicate)

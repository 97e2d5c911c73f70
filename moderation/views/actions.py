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
from moderation.views.common import posted_reason, refusal_as_message


def _reply_target(pk) -> tuple[dict, str]:
    """The reply as the services take it, and its place on its thread's page."""
    reply = get_object_or_404(Reply.objects.select_related("thread"), pk=pk)
    return {"reply": reply}, f"{reply.thread.get_absolute_url()}#reply-{reply.pk}"


def _thread_target(pk) -> tuple[dict, str]:
    """The thread as the services take it, and its page."""
    thread = get_object_or_404(Thread, pk=pk)
    return {"thread": thread}, thread.get_absolute_url()


def _post_action(target, action, **options):
    """The view of one action on a thread or a reply: the service `action` runs with
    the posted reason and `options`, then the moderator is back on the post's page,
    where a refusal shows as a message."""

    @login_required
    @require_POST
    def view(request, pk):
        # The permission first: a refused user learns nothing about which ids exist.
        permissions.check_moderate(request.user)
        post, back = target(pk)
        with refusal_as_message(request):
            action(moderator=request.user, reason=posted_reason(request), **post, **options)
        return redirect(back)

    return view


reply_hide = _post_action(_reply_target, services.reply_hide)
reply_restore = _post_action(_reply_target, services.reply_restore)
thread_hide = _post_action(_thread_target, services.thread_hide)
thread_restore = _post_action(_thread_target, services.thread_restore)
thread_lock = _post_action(_thread_target, services.thread_set_locked, locked=True)
thread_unlock = _post_action(_thread_target, services.thread_set_locked, locked=False)
thread_pin = _post_action(_thread_target, services.thread_set_pinned, pinned=True)
thread_unpin = _post_action(_thread_target, services.thread_set_pinned, pinned=False)
thread_unmark_duplicate = _post_action(_thread_target, services.thread_unmark_duplicate)


def _thread_change(action, posted):
    """The view of a change that needs more than a reason (a move, a duplicate): the
    moderator is checked before the thread is read; `posted(request)` turns the form
    into the service's arguments and the message that confirms the change."""

    @login_required
    @require_POST
    def view(request, pk):
        permissions.check_moderate(request.user)
        thread, back = _thread_target(pk)
        with refusal_as_message(request):
            arguments, done = posted(request)
            action(moderator=request.user, reason=posted_reason(request), **thread, **arguments)
            messages.success(request, done)
        return redirect(back)

    return view


def _posted_category(request) -> tuple[dict, str]:
    raw = request.POST.get("category", "")
    valid = re.fullmatch(r"[0-9]{1,9}", raw)
    category = Category.objects.originals().filter(pk=int(raw)).first() if valid else None
    if category is None:
        raise ValidationError(_("Choose the category to move the thread to."), code="no_category")
    return {"category": category}, _("Moved to “%(category)s”.") % {"category": category.local_name}


# A thread's address (/community/t/42/slug/, with or without the site and language
# prefix) or its number.
THREAD_REFERENCE = re.compile(r"^\s*#?([0-9]{1,9})\s*$|/community/t/([0-9]{1,9})(?:[/?#]|$)")


def parse_thread_reference(text: str) -> int | None:
    """The thread id in what a moderator pasted: a thread's URL or its number."""
    match = THREAD_REFERENCE.search((text or "")[:500])
    if match is None:
        return None
    return int(match.group(1) or match.group(2))


def _posted_original(request) -> tuple[dict, str]:
    pk = parse_thread_reference(request.POST.get("original", ""))
    original = Thread.objects.filter(pk=pk).first() if pk else None
    if original is None:
        raise ValidationError(
            _("Paste the address or the number of the original thread."), code="no_original"
        )
    done = _("Closed as a duplicate of “%(title)s”.") % {"title": original.title}
    return {"original": original}, done


thread_move = _thread_change(services.thread_move, _posted_category)
thread_mark_duplicate = _thread_change(services.thread_mark_duplicate, _posted_original)

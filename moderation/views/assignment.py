"""Claim, assign and release a thread: plain POST forms that go back where they came
from; with htmx, the assignment fragment re-rendered in place."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from community.models import Thread
from moderation import permissions, selectors, services
from moderation.views.common import local_next, refusal_text

ID_MAX_DIGITS = 18  # a larger number is no row's id (and overflows SQLite's integers)


def _next_url(request) -> str:
    """Where to go back: a local `next`, or the queue."""
    return local_next(request, reverse("moderation:queue"))


def _respond(request, thread: Thread, *, done: str = "", error: str = ""):
    if request.htmx:
        thread.refresh_from_db(fields=["assigned_to", "claim_expires_at"])
        compact = request.POST.get("compact") == "1"
        return render(
            request,
            "moderation/_assignment_fragment.html",
            {
                "thread": thread,
                "thread_assignee": thread.assignee_at(timezone.now()),
                "moderators": selectors.moderator_list(),
                "next": _next_url(request),
                "compact": compact,
                "oob_note": not compact,
                "assignment_error": error,
                "assignment_done": done,
            },
        )
    if error:
        messages.error(request, error)
    elif done:
        messages.success(request, done)
    return redirect(_next_url(request))


def _thread(request, pk) -> Thread:
    permissions.check_moderate(request.user)
    return get_object_or_404(Thread.objects.select_related("assigned_to"), pk=pk)


@login_required
@require_POST
@vary_on_headers("HX-Request")
def thread_claim(request, pk):
    thread = _thread(request, pk)
    try:
        thread = services.thread_claim(
            moderator=request.user, thread=thread, take_over=request.POST.get("take_over") == "1"
        )
    except ValidationError as error:
        return _respond(request, thread, error=refusal_text(error))
    return _respond(request, thread, done=_("You are on “%(title)s”.") % {"title": thread.title})


@login_required
@require_POST
@vary_on_headers("HX-Request")
def thread_assign(request, pk):
    thread = _thread(request, pk)
    assignee_id = request.POST.get("assignee", "")
    assignee = None
    if assignee_id.isdigit() and len(assignee_id) <= ID_MAX_DIGITS:
        assignee = get_user_model().objects.filter(pk=int(assignee_id)).first()
    try:
        thread = services.thread_assign(moderator=request.user, thread=thread, assignee=assignee)
    except ValidationError as error:
        return _respond(request, thread, error=refusal_text(error))
    return _respond(
        request,
        thread,
        done=_("“%(title)s” is assigned to %(name)s.")
        % {"title": thread.title, "name": assignee.public_name},
    )


@login_required
@require_POST
@vary_on_headers("HX-Request")
def thread_release(request, pk):
    thread = _thread(request, pk)
    thread = services.thread_release(moderator=request.user, thread=thread)
    return _respond(
        request, thread, done=_("Nobody is on “%(title)s” now.") % {"title": thread.title}
    )

"""Insert a canned response into the reply being written.

The picker's "Insert" button posts the whole reply form here: with htmx only the
body textarea comes back, holding what was typed plus the filled text; without
JavaScript the answer page shows the same form, prefilled, posting to the
ordinary reply URL. Nothing the moderator typed is lost, and the text stays
theirs to edit before posting.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from community import permissions as community_permissions
from community import selectors as community_selectors
from community.forms import ReplyForm
from moderation import permissions, selectors, services


def _reply_form(body: str) -> ReplyForm:
    # Bound when there is text, so a body made too long shows its error; unbound
    # when empty, so an empty editor does not shout "required".
    return ReplyForm({"body": body}) if body.strip() else ReplyForm(initial={"body": body})


@login_required
@require_POST
@vary_on_headers("HX-Request")
def canned_insert(request, pk):
    permissions.check_moderate(request.user)
    thread = community_selectors.thread_get(pk=pk)
    community_permissions.check_reply(request.user, thread)
    responses = list(selectors.canned_for_thread(thread))
    body = request.POST.get("body", "")
    canned_id = request.POST.get("canned", "")
    # Only a response offered for this thread's category can be inserted.
    canned = next((item for item in responses if str(item.pk) == canned_id), None)
    error = ""
    if canned is None:
        error = _("Choose one of the canned responses offered for this thread.")
        if request.htmx:
            # htmx swaps nothing on a 4xx: the textarea keeps what was typed.
            return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    else:
        filled = services.canned_use(moderator=request.user, canned=canned, thread=thread)
        body = f"{body.rstrip()}\n\n{filled}" if body.strip() else filled
    form = _reply_form(body)
    if request.htmx:
        return HttpResponse(str(form["body"]))
    return render(
        request,
        "moderation/answer.html",
        {
            "thread": thread,
            "reply_form": form,
            "canned_responses": responses,
            "canned_error": error,
            "canned_selected": canned.pk if canned else None,
            "thread_assignee": thread.assignee_at(timezone.now()),
        },
        status=400 if error else 200,
    )

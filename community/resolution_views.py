"""The asker's answer to "Did this solve your problem?": on the thread page, signed
in, or from the e-mail's one-click links; and, once solved, how satisfied they are."""

from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from community import permissions, services
from community.forms import SatisfactionForm
from community.models import ResolutionCheck, Thread
from community.resolution_links import ResolutionLinkExpired, resolution_link_read


def _answered_message(request, check: ResolutionCheck) -> str:
    if check.answer == ResolutionCheck.Answer.NOT_YET:
        return _(
            "Thanks for telling us. The team will look at it again: reply below to say "
            "what is still not working."
        )
    if check.thread.solution_id:
        return _("Glad it is solved! Thanks for telling us.")
    return _("Glad it is solved! Mark the reply that solved it, so the next member finds it.")


def _after_answer(check: ResolutionCheck) -> str:
    anchor = "#reply-form" if check.answer == ResolutionCheck.Answer.NOT_YET else "#resolution"
    return check.thread.get_absolute_url() + anchor


@require_POST
def resolution_answer(request, pk):
    """The asker answers on their thread page (the panel above the replies). A thread
    nobody may read is not found, as for every other action on it."""
    thread = get_object_or_404(Thread.objects.visible(), pk=pk)
    if not request.user.is_authenticated:
        return redirect_to_login(thread.get_absolute_url())
    check_id = request.POST.get("check", "")
    check = get_object_or_404(
        thread.resolution_checks.select_related("thread", "reply"),
        pk=int(check_id) if check_id.isdigit() else 0,
    )
    try:
        check = services.resolution_check_answer(
            user=request.user, check=check, answer=request.POST.get("answer", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(check.thread)
    check.thread.refresh_from_db(fields=["solution"])
    messages.success(request, _answered_message(request, check))
    return redirect(_after_answer(check))


@require_http_methods(["GET", "POST"])
def resolution_link(request, token):
    """A one-click answer from the e-mail: the page asks to confirm with one button
    (a GET changes nothing, so a mail scanner following links answers nothing)."""
    try:
        found = resolution_link_read(token)
    except ResolutionLinkExpired:
        return render(request, "community/resolution_link_expired.html", status=HTTPStatus.GONE)
    if found is None:
        raise Http404(_("This link is not valid."))
    check, answer = found
    if not permissions.can_answer_resolution_check(check.asker, check):
        raise Http404(_("This link is not valid."))
    context = {"check": check, "answer": answer, "thread": check.thread}
    if request.method == "POST" and not check.is_answered:
        try:
            check = services.resolution_check_answer(user=check.asker, check=check, answer=answer)
        except PermissionDenied as error:
            raise Http404(_("This link is not valid.")) from error
        check.thread.refresh_from_db(fields=["solution"])
        context.update(check=check, done=True)
    return render(request, "community/resolution_link.html", context)


@require_http_methods(["GET", "POST"])
def satisfaction(request, pk):
    """How satisfied the member is with the help: the form (on the thread page too)
    and, once answered, their own answer. Only the members who were asked."""
    thread = get_object_or_404(Thread.objects.visible(), pk=pk)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    rating = thread.satisfaction_ratings.filter(member_id=request.user.pk).first()
    if rating is None:
        raise PermissionDenied(_("You were not asked about this thread."))
    rating.thread = thread
    permissions.check_rate_satisfaction(request.user, rating)
    form = SatisfactionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not rating.is_answered and form.is_valid():
        services.satisfaction_answer(
            user=request.user,
            thread=thread,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
        )
        messages.success(request, _("Thank you! Your answer goes to the team."))
        return redirect(thread.get_absolute_url())
    return render(
        request, "community/satisfaction.html", {"thread": thread, "rating": rating, "form": form}
    )

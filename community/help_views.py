"""The help centre's actions: "was this article helpful?" (the articles themselves
are Wagtail pages, community.models.pages)."""

import secrets

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import limits as account_limits
from community import help_selectors, permissions, services
from community.models import HELP_FEEDBACK_SESSION_KEY

# Visitors' help-article votes count once per browser: the browser must keep this
# signed cookie (a random id) to have its vote counted. A vote sent without it gets
# the cookie and a 307 to the same address, which the browser sends again, body and
# all, with the cookie; a client that drops cookies is refused (400) on its return.
HELP_VOTER_COOKIE = "relais_help_voter"
HELP_VOTER_SALT = "relais.community.help_voter"
HELP_VOTER_MAX_AGE = 365 * 24 * 60 * 60
HELP_VOTER_RETURN = "voter"
# A browser that keeps cookies could still ask for a new one before every vote: new
# visitors' votes on one article are limited per address too (a 429 past it).
HELP_VOTE_APP = "community.help"
HELP_VOTE_RATES = {"visitor_vote": "20/h/key"}


def _help_vote_limits(request, article) -> list[tuple[str, str]]:
    return [("visitor_vote", f"{article.pk}:{account_limits.client_address(request)}")]


def _help_voter(request) -> str | None:
    visitor = request.get_signed_cookie(
        HELP_VOTER_COOKIE, default=None, salt=HELP_VOTER_SALT, max_age=HELP_VOTER_MAX_AGE
    )
    return visitor if visitor and len(visitor) <= 32 else None


def _help_voter_cookie_first(request):
    if request.GET.get(HELP_VOTER_RETURN) == "new":
        return HttpResponseBadRequest(
            _("Your browser did not keep our cookie: allow cookies for this site to rate articles.")
        )
    response = redirect(f"{request.path}?{HELP_VOTER_RETURN}=new")
    response.status_code = 307  # sent again as it came: a POST, with its answer
    response.set_signed_cookie(
        HELP_VOTER_COOKIE,
        secrets.token_urlsafe(16),
        salt=HELP_VOTER_SALT,
        max_age=HELP_VOTER_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


@require_POST
def help_feedback(request, page_id):
    """ "Was this article helpful?": one answer per member, or per visitor's browser
    (its signed cookie), and article; a second answer changes the first."""
    article = help_selectors.help_article_get(pk=page_id)
    answer = request.POST.get("helpful")
    if answer not in {"yes", "no"}:
        return HttpResponseBadRequest(_("Answer yes or no."))
    if request.user.is_authenticated:
        permissions.check_rate_help_article(request.user)
        voter = {"member": request.user}
    else:
        visitor = _help_voter(request)
        if visitor is None:
            return _help_voter_cookie_first(request)
        voter = {"visitor": visitor}
        if not article.votes.filter(visitor=visitor).exists():
            [(action, key)] = _help_vote_limits(request, article)
            rates = {"app": HELP_VOTE_APP, "config": HELP_VOTE_RATES}
            if not account_limits.consume(request, action=action, key=key, **rates):
                refused = HttpResponse(
                    _("Too many answers from your network for this article: try again later."),
                    status=429,
                    content_type="text/plain; charset=utf-8",
                )
                return account_limits.with_retry_after(
                    request, refused, _help_vote_limits(request, article), **rates
                )
    services.help_article_record_feedback(article=article, helpful=answer == "yes", **voter)
    # The article then thanks this reader instead of asking (see HelpArticlePage).
    given = request.session.get(HELP_FEEDBACK_SESSION_KEY, [])
    if article.pk not in given:
        request.session[HELP_FEEDBACK_SESSION_KEY] = [*given, article.pk]
    if request.htmx:
        return render(request, "community/_help_feedback_fragment.html", {"given": True})
    messages.success(request, _("Thanks for your feedback."))
    return redirect(article.get_url(request) or "/")

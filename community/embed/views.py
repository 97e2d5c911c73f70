"""The help widget's script and the panel's pages (community/embed).

Every panel page goes through `panel_page`: the origin it is shown on must be one
editors listed, the page may be framed by that origin alone (frame-ancestors,
set by community.config.security from `response.frame_ancestors`), and it is
served in the language the host asked for.
"""

import json
from functools import wraps

from allauth.account.adapter import get_adapter as get_account_adapter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from accounts.handoff import HandoffRefused, handoff_member
from community import help_selectors, limits, permissions, selectors, services
from community.embed.context import EmbedContext
from community.forms import AskForm, AskWithConsentForm, record_consent_now
from community.models import EmbedSettings, Reply, Thread, Visibility
from community.models.forum import TITLE_MAX_LENGTH
from community.thread_selectors import thread_get_for_reading
from community.views import SEARCH_QUERY_MAX_LENGTH

SUGGESTIONS_SHOWN = 5
RESULTS_SHOWN = 6
ANSWERS_SHOWN = 4
# The script changes with a deploy only; a host page fetches it at most this often.
SCRIPT_SECONDS = 300


def panel_page(view):
    """Parse the panel's context (origin, language, suggestions, visit), refuse an
    origin that is not listed, and let that origin alone frame the answer."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        # Links carry the context in their address, forms in hidden fields too (a
        # form's own value wins).
        data = request.GET.copy()
        data.update(request.POST)
        context = EmbedContext.parse(data, embed_settings=EmbedSettings.load(request))
        if context is None:
            # Stays impossible to frame (the site's own policy applies).
            return render(request, "community/embed/refused.html", status=403)
        language = context.language or translation.get_language()
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = view(request, context, *args, **kwargs)
        response.frame_ancestors = [context.origin]
        # Framed by that origin: X-Frame-Options (DENY elsewhere) cannot name one.
        response.xframe_options_exempt = True
        # A member's panel is theirs alone; the origin and language are in the address.
        patch_cache_control(response, private=True, no_store=True)
        patch_vary_headers(response, ["Cookie"])
        return response

    return wrapper


def _render(request, template: str, context: EmbedContext, extra: dict, status: int = 200):
    return render(
        request,
        template,
        {"embed": context, **extra},
        status=status,
    )


@require_safe
def widget_script(request):
    """The script a brand pastes into its pages: the launcher and the panel's frame."""
    labels = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels[code] = {
                "launcher": _("Help"),
                "panel": _("Help from the community"),
                "close": _("Close help"),
            }
    script = render_to_string(
        "community/embed/widget.js",
        # Our own translated labels, as a JavaScript object literal.
        # Our own translated strings, as JSON (valid JavaScript): never a member's words.
        {
            "labels": mark_safe(json.dumps(labels)),  # noqa: S308
            "default_language": mark_safe(json.dumps(settings.LANGUAGE_CODE)),  # noqa: S308
        },
    )
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={SCRIPT_SECONDS}"
    # Any site may load the script; only listed ones get a panel.
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def _suggestions(context: EmbedContext) -> tuple[list, list]:
    """Answers for the screen the customer is on: solved threads of the category or tag
    the host gave, else threads and articles like the page's address."""
    reader = selectors.reader_language()
    tag = selectors.tag_get(slug=context.tag) if context.tag else None
    if context.category is not None or tag is not None:
        page = selectors.thread_list(
            category=context.category, tag=tag, status="solved", sort="votes", reader=reader
        )
        return page.object_list[:SUGGESTIONS_SHOWN], []
    if words := context.page_words():
        return (
            selectors.similar_threads(title=words, limit=SUGGESTIONS_SHOWN),
            help_selectors.suggested_help_articles(title=words, limit=3),
        )
    page = selectors.thread_list(status="solved", sort="votes", reader=reader)
    return page.object_list[:SUGGESTIONS_SHOWN], []


def _search(context: EmbedContext, query: str) -> dict:
    terms = selectors.search_terms(query)
    if not terms:
        return {"query": query, "threads": [], "articles": [], "searched": False}
    if context.visit:
        services.widget_search_record(visit_key=context.visit, origin=context.origin, query=query)
    page = selectors.search_threads(query=terms, reader=selectors.reader_language())
    return {
        "query": query,
        "threads": page.object_list[:RESULTS_SHOWN],
        "articles": help_selectors.search_help_articles(query=terms, limit=3),
        "searched": True,
    }


def _query(request) -> str:
    return " ".join(request.GET.get("q", "").split())[:SEARCH_QUERY_MAX_LENGTH]


@require_GET
@panel_page
def panel(request, context: EmbedContext):
    """The panel: a search field, answers for the host's context, and "Ask"."""
    context = context.with_visit()
    query = _query(request)
    extra = {"results": _search(context, query) if query else None}
    if not query:
        extra["threads"], extra["articles"] = _suggestions(context)
    return _render(request, "community/embed/panel.html", context, extra)


@require_GET
@panel_page
def search(request, context: EmbedContext):
    """The results as the customer types (htmx swaps them into the panel)."""
    return _render(
        request,
        "community/embed/_results.html",
        context,
        {"results": _search(context, _query(request))},
    )


def _answers(thread: Thread) -> list[Reply]:
    """The replies that answer: the accepted solution, then the brand's official
    replies, then those staff recommend."""
    wanted = Q(is_official=True) | Q(recommended_at__isnull=False)
    if thread.solution_id:
        wanted |= Q(pk=thread.solution_id)
    rank = Case(
        When(pk=thread.solution_id or 0, then=Value(0)),
        When(is_official=True, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    replies = Reply.objects.visible().with_author().filter(wanted, thread=thread)
    return list(replies.order_by(rank, "created_at")[:ANSWERS_SHOWN])


@require_GET
@panel_page
def thread(request, context: EmbedContext, pk: int):
    """A thread read in the panel: the question and the replies that answer it."""
    found = thread_get_for_reading(pk=pk, user=request.user)
    if found.visibility != Visibility.VISIBLE:
        raise Http404
    return _render(
        request,
        "community/embed/thread.html",
        context,
        {"thread": found, "answers": _answers(found)},
    )


@require_http_methods(["GET", "POST"])
@panel_page
def ask(request, context: EmbedContext):
    """Ask the community from the panel, as on the site (same form, same service), the
    question remembering the site it came from."""
    title = " ".join(request.GET.get("title", "").split())[:TITLE_MAX_LENGTH]
    if not request.user.is_authenticated:
        # A visitor's question is refused with the ways to sign in (what they typed is
        # in the panel's search field and the sign-in page's links).
        status = 403 if request.method == "POST" else 200
        return _render(
            request, "community/embed/sign_in.html", context, {"title": title}, status=status
        )
    if request.user.is_suspended:
        return _render(
            request,
            "community/embed/ask.html",
            context,
            {"suspended_message": permissions.suspension_message(request.user)},
            status=403 if request.method == "POST" else 200,
        )
    posted = request.method == "POST"
    initial = {"title": title, "category": context.category}
    # A member the brand handed over (accounts.handoff) has accepted none of the
    # community's terms yet: they accept them with their first question.
    needs_consent = (
        request.user.terms_accepted_at is None and request.user.external_identities.exists()
    )
    form = (AskWithConsentForm if needs_consent else AskForm)(
        request.POST if posted else None,
        request.FILES if posted else None,
        initial=initial,
        author=request.user,
    )
    status = 200
    if posted and form.is_valid():
        fields = dict(form.cleaned_data)
        if fields.pop("accept_terms", False):
            record_consent_now(request.user)
        try:
            asked = services.thread_create(author=request.user, asked_from=context.origin, **fields)
        except ValidationError as error:
            form.add_error(None, error)
            status = 429 if isinstance(error, limits.PostingLimitReached) else 200
        else:
            if context.visit:
                services.widget_question_record(
                    visit_key=context.visit, origin=context.origin, thread=asked
                )
            return _render(request, "community/embed/asked.html", context, {"thread": asked})
    return _render(request, "community/embed/ask.html", context, {"form": form}, status=status)


@require_POST
@panel_page
def handoff(request, context: EmbedContext):
    """Sign the brand's customer in from the token the host page's backend signed
    (accounts.handoff), in the panel's own session."""
    audience = request.build_absolute_uri("/")[:-1]
    try:
        member = handoff_member(
            token=request.POST.get("token", ""),
            audience=audience,
            signed_in_user=request.user if request.user.is_authenticated else None,
        )
    except HandoffRefused as refusal:
        return JsonResponse(
            {"signed_in": False, "code": refusal.code, "message": str(refusal.message)}, status=403
        )
    # Through allauth's adapter, as every sign-in: the member's own language applies.
    member.backend = "django.contrib.auth.backends.ModelBackend"
    get_account_adapter(request).login(request, member)
    return JsonResponse({"signed_in": True, "name": member.public_name})

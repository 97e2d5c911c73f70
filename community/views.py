"""Community pages and actions. Views parse input, check, call one service or selector.

Every action is a plain POST form that redirects (works without JavaScript);
with htmx the same view answers with the fragment the page includes.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpResponseBadRequest,
    HttpResponsePermanentRedirect,
)
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect
from wagtail import hooks

from community import (
    fragments,
    help_selectors,
    legal,
    limits,
    list_fragments,
    permissions,
    selectors,
    services,
    thread_selectors,
)
from community.cache import cache_page_for_visitors
from community.forms import (
    AskForm,
    DeflectionForm,
    PreviewForm,
    ReplyForm,
    SearchFilterForm,
)
from community.markdown import render_markdown
from community.models import (
    TITLE_MAX_LENGTH,
    CommunitySettings,
    ConversationState,
    Notification,
    Visibility,
)

SEARCH_QUERY_MAX_LENGTH = 200


# Lists -----------------------------------------------------------------------


def _render_thread_list(request, category=None):
    tag = selectors.tag_get(slug=request.GET.get("tag", "")[:100])
    status = request.GET.get("status", "")
    status = status if status in selectors.STATUSES else ""
    sort = request.GET.get("sort", "activity")
    sort = sort if sort in selectors.SORTS else "activity"
    reader = selectors.reader_language()
    language = selectors.list_language(request.GET.get("language", ""), reader=reader)
    chosen = {
        "tag": tag.slug if tag else "",
        "status": status,
        "sort": sort,
        "language": language,
    }
    defaults = {"sort": "activity", "language": reader}
    filters = {key: value for key, value in chosen.items() if value and defaults.get(key) != value}
    query = urlencode(filters)
    section = list_fragments.thread_list_section(
        category=category,
        tag=tag,
        status=status,
        sort=sort,
        language=language,
        reader=reader,
        page_number=request.GET.get("page", 1),
        query=query,
    )
    return render(
        request,
        "community/thread_list.html",
        {
            "section": section,
            "categories": selectors.category_list(),
            "category": category,
            "tag": tag,
            "status": status,
            "sort": sort,
            "language": language,
            "reader_language": reader,
            "reader_language_name": dict(settings.LANGUAGES)[reader],
            "other_languages": [
                (code, name) for code, name in settings.LANGUAGES if code != reader
            ],
            "all_languages": selectors.ALL_LANGUAGES,
            "query": query,
            "filters": filters,
            "viewer_follows": selectors.viewer_follows_list(
                user=request.user, category=category, tag=tag
            ),
        },
    )


@require_GET
@cache_page_for_visitors
def thread_list(request):
    return _render_thread_list(request)


@require_GET
@cache_page_for_visitors
def category_detail(request, slug):
    return _render_thread_list(request, category=selectors.category_get(slug=slug))


@require_GET
@cache_page_for_visitors
def search(request):
    query = " ".join(request.GET.get("q", "").split())[:SEARCH_QUERY_MAX_LENGTH]
    terms = selectors.search_terms(query)
    filters = SearchFilterForm(request.GET)
    filters.is_valid()  # a filter that does not parse is left out, the search still runs
    chosen = {name: filters.cleaned_data.get(name) for name in ("category", "tag", "status")}
    tag = selectors.tag_get(slug=chosen["tag"] or "")
    context = {
        "query": query,
        "filters": filters,
        "filtered": any(chosen.values()),
        "page": None,
        "articles": [],
        "categories": [],
        "query_string": "",
    }
    if terms:
        context["page"] = selectors.search_threads(
            query=terms,
            category=chosen["category"],
            tag=tag,
            status=chosen["status"] or "",
            reader=selectors.reader_language(),
            page_number=request.GET.get("page", 1),
        )
        context["articles"] = help_selectors.search_help_articles(query=terms)
        context["categories"] = selectors.search_categories(query=terms)
        kept = {"q": query, **{k: request.GET[k] for k in chosen if request.GET.get(k)}}
        context["query_string"] = urlencode(kept)
    return render(request, "community/search.html", context)


# Asking and replying -----------------------------------------------------------


def _preview(request, form) -> str:
    """Rendered Markdown of the form's body, for the preview the member asked for."""
    body = form.data.get("body", "")
    return render_markdown(body) if body.strip() else ""


@login_required
@require_http_methods(["GET", "POST"])
def ask(request):
    if request.user.is_suspended:
        # A suspended member is told why and until when instead of being shown a
        # form they cannot send; a post is refused all the same.
        return render(
            request,
            "community/ask.html",
            {"suspended_message": permissions.suspension_message(request.user)},
            status=403 if request.method == "POST" else 200,
        )
    permissions.check_ask(request.user)
    # "Ask the community" from a search that found nothing carries the words typed.
    initial = {"title": " ".join(request.GET.get("title", "").split())[:TITLE_MAX_LENGTH]}
    # Every POST binds the form, even one with no fields the form reads (a JSON or
    # broken multipart body): it gets the form's errors, never a blank form.
    posted = request.method == "POST"
    form = AskForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        initial=initial,
        author=request.user,
    )
    preview_html = ""
    status = 200
    if request.method == "POST":
        if "preview" in request.POST:
            preview_html = _preview(request, form)
        elif form.is_valid():
            try:
                thread = services.thread_create(author=request.user, **form.cleaned_data)
            except ValidationError as error:
                # Everything typed comes back with the message (a limit: 429).
                form.add_error(None, error)
                status = _refused_status(error)
            else:
                if thread.visibility == Visibility.PENDING:
                    messages.info(
                        request,
                        _(
                            "Thanks! Your question is awaiting approval: a moderator checks "
                            "new members' first posts. We will tell you when someone answers."
                        ),
                    )
                else:
                    messages.success(
                        request,
                        _("Your question is posted. We will tell you when someone answers."),
                    )
                return redirect(thread)
    response = render(
        request, "community/ask.html", {"form": form, "preview_html": preview_html}, status=status
    )
    return _with_retry_after(response, form)


def _refused_status(error: ValidationError) -> int:
    return 429 if isinstance(error, limits.PostingLimitReached) else 200


def _with_retry_after(response, form):
    """A 429 says when to come back (Retry-After, in seconds)."""
    if response.status_code == 429:
        for error in form.non_field_errors().as_data():
            if isinstance(error, limits.PostingLimitReached):
                response["Retry-After"] = str(error.retry_after)
    return response


@login_required
@require_GET
def ask_suggestions(request):
    """Threads and help articles like the title being typed on the ask page (htmx)."""
    title = " ".join(request.GET.get("title", "").split())[:TITLE_MAX_LENGTH]
    context = {
        "title": title,
        "threads": selectors.similar_threads(title=title),
        "articles": help_selectors.suggested_help_articles(title=title),
    }
    return render(request, "community/_ask_suggestions_fragment.html", context)


@login_required
@require_POST
def ask_solved(request):
    """ "This solved my problem": a question answered before it was asked."""
    form = DeflectionForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Say which discussion or article solved it."))
    thread, article = form.cleaned_data["thread"], form.cleaned_data["article"]
    if thread is not None:
        thread = selectors.thread_get(pk=thread)
    else:
        article = help_selectors.help_article_get(pk=article)
    services.deflection_record(member=request.user, thread=thread, help_article=article)
    if request.htmx:
        return render(request, "community/_ask_solved_fragment.html", {})
    messages.success(
        request, _("Glad it is solved! Thanks for telling us: it helps the next member too.")
    )
    return redirect(thread or article.get_url(request) or "/")


@login_required
@require_POST
def preview(request):
    """The rendered body, for the htmx preview of the ask, reply and edit forms."""
    form = PreviewForm(request.POST)
    html = render_markdown(form.cleaned_data["body"]) if form.is_valid() else ""
    # A body the post would refuse (too long, a NUL byte) says why in place of the
    # preview: the same words the form will show when it is sent.
    errors = form.errors.get("body", [])
    return render(
        request,
        "community/_preview_fragment.html",
        {"preview_html": html, "preview_errors": errors},
    )


def _thread_context(request, thread, page_number=1, reply_form=None, preview_html=""):
    view = thread_selectors.thread_page(thread=thread, user=request.user, page_number=page_number)
    context = {
        "thread": thread,
        "view": view,
        "replies": view.replies,
        # The replies rendered, most of them from the shared cache.
        **fragments.thread_page_parts(request, page=view),
        "reply_form": reply_form or ReplyForm(),
        "preview_html": preview_html,
        "help_articles": help_selectors.related_help_articles(thread=thread),
    }
    # The settings are read once per request (the page's header reads them too).
    rules = CommunitySettings.load(request)
    if thread.conversation_state(close_after=rules.close_after, at=timezone.now()) == (
        ConversationState.CLOSED
    ):
        # Said in public, so that a reader knows nobody is still working on it, and
        # the asker that one reply opens it again.
        context["conversation_closed_days"] = rules.close_after_days
    if view.viewer_awaits_official_reply:
        context["expected_reply_hours"] = thread.category.response_hours(rules)
        if not rules.business_calendar.is_plain_clock:
            # Counted in business hours, the hours alone would mislead on a Friday night.
            due = timezone.localtime(thread.response_due_at, rules.business_calendar.time_zone)
            context["expected_reply_by"] = date_format(due, "l j F, H:i")
            context["team_time_zone"] = rules.time_zone.replace("_", " ")
    if view.viewer_can_moderate:
        # Staff tools (assignment, canned responses, move) belong to the moderation
        # app, which community must not import: it adds what they need through this
        # Wagtail hook. Each function takes (request, thread) and returns a dict.
        for add_staff_context in hooks.get_hooks("community_thread_staff_context"):
            context.update(add_staff_context(request, thread))
    return context


@require_GET
@cache_page_for_visitors
def thread_detail(request, pk, slug=None):
    thread = thread_selectors.thread_get_for_reading(pk=pk, user=request.user)
    if slug != thread.slug:
        # One address per thread, so links and search engines agree.
        query = f"?{request.GET.urlencode()}" if request.GET else ""
        return HttpResponsePermanentRedirect(thread.get_absolute_url() + query)
    if request.user.is_authenticated:
        # Before the page renders, so that the header's bell counts what is left.
        services.notifications_mark_thread_read(user=request.user, thread_id=thread.pk)
    context = _thread_context(request, thread, page_number=request.GET.get("page", 1))
    return render(request, "community/thread_detail.html", context)


@require_GET
def reply_permalink(request, pk):
    reply = selectors.reply_get(pk=pk)
    page = thread_selectors.reply_page_number(reply)
    query = f"?page={page}" if page > 1 else ""
    return redirect(f"{reply.thread.get_absolute_url()}{query}#reply-{reply.pk}")


@require_POST
def reply_create(request, pk):
    thread = selectors.thread_get(pk=pk)
    if not request.user.is_authenticated:
        return redirect(f"{_login_url()}?{urlencode({'next': thread.get_absolute_url()})}")
    permissions.check_reply(request.user, thread)
    form = ReplyForm(request.POST, request.FILES)
    reply, status = None, 200
    if "preview" not in request.POST and form.is_valid():
        try:
            # The same form sent twice gives back the first reply (community/limits.py).
            reply = services.reply_create(author=request.user, thread=thread, **form.cleaned_data)
        except ValidationError as error:
            # Everything typed comes back with the message (a limit: 429).
            form.add_error(None, error)
            status = _refused_status(error)
    if reply is not None:
        if reply.visibility == Visibility.PENDING:
            messages.info(
                request,
                _(
                    "Thanks! Your reply is awaiting approval: others will see it once a "
                    "moderator has approved it."
                ),
            )
            page = thread_selectors.reply_page_number(reply)
            query = f"?page={page}" if page > 1 else ""
            return redirect(f"{thread.get_absolute_url()}{query}#reply-{reply.pk}")
        return redirect(reply)
    # The form comes back with what was typed: a preview, or errors to fix.
    context = _thread_context(
        request,
        thread,
        page_number=thread_selectors.LAST_PAGE,
        reply_form=form,
        preview_html=_preview(request, form) if "preview" in request.POST else "",
    )
    response = render(request, "community/thread_detail.html", context, status=status)
    return _with_retry_after(response, form)


def _login_url() -> str:
    return resolve_url(settings.LOGIN_URL)


# Images on posts -------------------------------------------------------------------

# A browser keeps an image it was shown for a while; only the reader's own cache,
# since who may see it changes when its post is hidden.
ATTACHMENT_CACHE_SECONDS = 3600
ATTACHMENT_POLICY = (
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox"
)


@require_GET
def attachment(request, pk, thumbnail=False):
    """An image of a post, full size or as its thumbnail, for those who may read
    the post: others get a 404, as for the post itself."""
    image = selectors.attachment_get_for_reading(pk=pk, user=request.user)
    file = image.thumbnail if thumbnail else image.image
    try:
        handle = file.storage.open(file.name, "rb")
    except OSError as error:
        raise Http404(_("This image is no longer available.")) from error
    response = FileResponse(handle, content_type=image.content_type)
    extension = file.name.rsplit(".", 1)[-1]
    response["Content-Disposition"] = f'inline; filename="image-{image.pk}.{extension}"'
    response["Cache-Control"] = f"private, max-age={ATTACHMENT_CACHE_SECONDS}"
    # Opened on its own, the image is shown by the browser's image viewer, whose own
    # inline styles the site's policy would block; nothing else may run or load.
    response["Content-Security-Policy"] = ATTACHMENT_POLICY
    return response


# Marks: helpful, me too, follow, accept, recommend ---------------------------------


def _wants_on(request) -> bool:
    return request.POST.get("value", "on") != "off"


def _action_response(request, redirect_to: str, template: str, context: dict):
    if request.htmx:
        return render(request, template, context)
    return redirect(redirect_to)


def _members_only(request, next_url: str):
    if request.user.is_authenticated:
        return None
    if request.htmx:
        return HttpResponseClientRedirect(f"{_login_url()}?{urlencode({'next': next_url})}")
    return redirect(f"{_login_url()}?{urlencode({'next': next_url})}")


@require_POST
def reply_helpful(request, pk):
    reply = selectors.reply_get(pk=pk)
    if response := _members_only(request, reply.get_absolute_url()):
        return response
    permissions.check_mark_helpful(request.user, reply)
    services.reply_set_helpful(user=request.user, reply=reply, helpful=_wants_on(request))
    reply.refresh_from_db(fields=["helpful_count"])
    voted = reply.helpful_votes.filter(user=request.user).exists()
    reply.viewer_can_mark_helpful = True
    return _action_response(
        request,
        reply.get_absolute_url(),
        "community/_helpful_fragment.html",
        {"reply": reply, "voted": voted},
    )


@require_POST
def thread_me_too(request, pk):
    thread = selectors.thread_get(pk=pk)
    if response := _members_only(request, thread.get_absolute_url()):
        return response
    permissions.check_say_me_too(request.user, thread)
    services.thread_set_me_too(user=request.user, thread=thread, me_too=_wants_on(request))
    thread.refresh_from_db(fields=["me_too_count"])
    return _action_response(
        request,
        thread.get_absolute_url(),
        "community/_thread_actions_fragment.html",
        {"thread": thread, "can_say_me_too": True, **_thread_state(request, thread)},
    )


@require_POST
def thread_follow(request, pk):
    thread = selectors.thread_get(pk=pk)
    if response := _members_only(request, thread.get_absolute_url()):
        return response
    permissions.check_follow(request.user)
    services.thread_set_follow(user=request.user, thread=thread, following=_wants_on(request))
    return _action_response(
        request,
        thread.get_absolute_url(),
        "community/_thread_actions_fragment.html",
        {
            "thread": thread,
            "can_say_me_too": permissions.can_say_me_too(request.user, thread),
            **_thread_state(request, thread),
        },
    )


def _list_follow_response(request, *, kind: str, action: str, redirect_to: str, following: bool):
    return _action_response(
        request,
        redirect_to,
        "community/_list_follow_fragment.html",
        {"kind": kind, "action": action, "following": following},
    )


@require_POST
def category_follow(request, slug):
    """Follow a category, or stop: its news then comes in the member's digest."""
    category = selectors.category_get(slug=slug)
    if response := _members_only(request, category.get_absolute_url()):
        return response
    permissions.check_follow(request.user)
    following = services.category_set_follow(
        user=request.user, category=category, following=_wants_on(request)
    )
    return _list_follow_response(
        request,
        kind="category",
        action=reverse("community:category_follow", kwargs={"slug": category.slug}),
        redirect_to=category.get_absolute_url(),
        following=following,
    )


@require_POST
def tag_follow(request, slug):
    """Follow a tag, or stop: its news then comes in the member's digest."""
    tag = selectors.tag_get(slug=slug)
    if tag is None:
        raise Http404(_("No such tag."))
    tag_page = f"{reverse('community:thread_list')}?{urlencode({'tag': tag.slug})}"
    if response := _members_only(request, tag_page):
        return response
    permissions.check_follow(request.user)
    following = services.tag_set_follow(user=request.user, tag=tag, following=_wants_on(request))
    return _list_follow_response(
        request,
        kind="tag",
        action=reverse("community:tag_follow", kwargs={"slug": tag.slug}),
        redirect_to=tag_page,
        following=following,
    )


def _thread_state(request, thread):
    return thread_selectors.viewer_thread_state(thread=thread, user=request.user)


@require_POST
def thread_accept(request, pk):
    thread = selectors.thread_get(pk=pk)
    if response := _members_only(request, thread.get_absolute_url()):
        return response
    permissions.check_accept(request.user, thread)
    reply = None
    if reply_id := request.POST.get("reply", ""):
        if not reply_id.isdigit():
            raise PermissionDenied(_("Choose a reply of this thread."))
        reply = get_object_or_404(thread.replies.visible(), pk=int(reply_id))
    try:
        services.thread_accept_reply(user=request.user, thread=thread, reply=reply)
    except limits.SolutionLimitReached as error:
        # The thread page again, saying why nothing changed (a limit: 429).
        messages.error(request, " ".join(error.messages))
        response = _thread_page_in_place(request, thread.pk)
        response.status_code = 429
        response["Retry-After"] = str(error.retry_after)
        return response
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    if request.htmx:
        return _thread_page_in_place(request, thread.pk, reply)
    return redirect(reply.get_absolute_url() if reply else thread.get_absolute_url())


def _thread_page_in_place(request, thread_pk, reply=None):
    """The whole thread page, for htmx to swap in: a solution or a recommendation
    changes the featured block at the top as well as the reply itself."""
    thread = selectors.thread_get(pk=thread_pk)
    page_number = thread_selectors.reply_page_number(reply) if reply else 1
    context = _thread_context(request, thread, page_number=page_number)
    return render(request, "community/thread_detail.html", context)


@require_POST
def reply_recommend(request, pk):
    if request.user.is_authenticated:
        permissions.check_recommend(request.user)  # before the reply is read
    reply = selectors.reply_get(pk=pk)
    if response := _members_only(request, reply.get_absolute_url()):
        return response
    permissions.check_recommend(request.user, reply)
    services.reply_set_recommended(
        moderator=request.user, reply=reply, recommended=_wants_on(request)
    )
    if request.htmx:
        return _thread_page_in_place(request, reply.thread_id, reply)
    return redirect(reply)


# Notifications ---------------------------------------------------------------------


@login_required
@require_GET
def notification_list(request):
    page = selectors.notification_list(user=request.user, page_number=request.GET.get("page", 1))
    items = list_fragments.notification_items(page.object_list, csrf_token=get_token(request))
    return render(request, "community/notification_list.html", {"page": page, "items": items})


@login_required
@require_GET
@vary_on_headers("HX-Request")
def notification_menu(request):
    """The bell's dropdown, fetched by htmx; without it, the bell is a link to the page."""
    if not request.htmx:
        return redirect("community:notification_list")
    notifications = selectors.notification_latest(user=request.user)
    return render(
        request, "community/_notification_menu_fragment.html", {"notifications": notifications}
    )


@login_required
@require_POST
def notification_open(request, pk):
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.notification_mark_read(user=request.user, notification_id=notification.pk)
    return redirect(notification.get_absolute_url())


@login_required
@require_POST
def notifications_read_all(request):
    services.notifications_mark_all_read(user=request.user)
    if request.htmx:
        return render(request, "community/_bell_fragment.html", {"unread_notifications": 0})
    messages.success(request, _("All notifications are marked as read."))
    return redirect("community:notification_list")


# Profiles ----------------------------------------------------------------------------


@require_GET
@cache_page_for_visitors
def profile_detail(request, username):
    member = selectors.member_profile(username=username)
    threads, replies = selectors.member_recent_activity(member=member)
    return render(
        request,
        "community/profile_detail.html",
        {"member": member, "recent_threads": threads, "recent_replies": replies},
    )


@require_GET
def legal_page(request, kind):
    """The published page of a legal kind (privacy, terms, notice), wherever editors
    keep it: the footer and the sign-up form link here, so no link breaks when a
    page is moved or renamed."""
    page = legal.legal_page_get(kind, language=translation.get_language())
    if page is None:
        raise Http404(_("This page is not published yet."))
    return redirect(page.get_url(request))

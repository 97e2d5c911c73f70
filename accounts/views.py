import json
from http import HTTPStatus

from allauth.account import views as allauth_views
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts import limits, services
from accounts.forms import ApiTokenForm, CloseAccountForm, ProfileForm
from accounts.models import ApiCredential, DigestFrequency, EmailNotifications
from accounts.permissions import api_token_refusal, check_export_data, close_account_refusal
from accounts.roles import is_moderator
from accounts.tokens import UnsubscribeLinkExpired, read_unsubscribe_token


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    status = HTTPStatus.OK
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, instance=request.user)
        if form.is_valid():
            try:
                member = services.user_update_profile(user=request.user, **form.profile_changes())
            except ValidationError as error:
                form.add_error(None, error)
            else:
                # The next page is in the language just chosen (the middleware reads
                # it from the account): so is the message it shows.
                with translation.override(member.language):
                    messages.success(request, _("Your profile was saved."))
                return redirect("accounts:profile_edit")
        if form.has_error(NON_FIELD_ERRORS, code="suspended"):
            status = HTTPStatus.FORBIDDEN
    else:
        form = ProfileForm(instance=request.user)
    return render(request, "accounts/profile_edit.html", {"form": form}, status=status)


def set_language(request):
    """Django's language switcher (a safe `next`, the language cookie, a change on POST
    only, CSRF-checked) that also keeps a signed-in member's choice on their account:
    their saved language comes before the cookie, so the switch would not stick
    without it, and it is the language of their e-mails too."""
    response = i18n.set_language(request)
    language = request.POST.get(i18n.LANGUAGE_QUERY_PARAMETER) if request.method == "POST" else None
    if language not in dict(settings.LANGUAGES):
        # Django would set the cookie to any language it has a catalogue of (German,
        # say); this site serves only its own, and a code it does not serve changes
        # nothing.
        response.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
        return response
    if request.user.is_authenticated:
        services.user_set_language(user=request.user, language=language)
    return response


@login_required
@require_http_methods(["GET"])
def privacy(request):
    """The account's privacy settings: download a copy of one's data, close the account."""
    return render(
        request,
        "accounts/privacy.html",
        {"close_refusal": close_account_refusal(request.user)},
    )


@login_required
@require_http_methods(["POST"])
def data_export(request):
    """The signed-in member's own data as a JSON file; nobody else's can be asked for."""
    check_export_data(request.user)
    data = services.user_data_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"my-data-{timezone.now():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def account_close(request):
    """Close one's own account, after re-entering the password."""
    refusal = close_account_refusal(request.user)
    if refusal:
        return render(request, "accounts/account_close.html", {"refusal": refusal}, status=403)
    form = CloseAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_close(user=request.user)
        logout(request)
        messages.success(
            request,
            _("Your account is closed. Your posts stay, signed “former member”. Goodbye!"),
        )
        return redirect("/")
    return render(request, "accounts/account_close.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    """The member's personal API tokens: made here, each secret shown once."""
    form = ApiTokenForm(request.POST or None, moderates=is_moderator(request.user))
    context = {"refusal": api_token_refusal(request.user)}
    status = HTTPStatus.OK
    if request.method == "POST" and not context["refusal"] and form.is_valid():
        try:
            credential, secret = services.api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_at=form.expires_at(timezone.now()),
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(
                None, error.messages if isinstance(error, ValidationError) else str(error)
            )
            status = HTTPStatus.FORBIDDEN if isinstance(error, PermissionDenied) else status
        else:
            # Rendered, never redirected to: the secret must not reach a URL, a
            # history entry or a cache (no-store below).
            context.update(new_credential=credential, new_secret=secret)
            form = ApiTokenForm(moderates=is_moderator(request.user))
    elif request.method == "POST" and context["refusal"]:
        status = HTTPStatus.FORBIDDEN
    context["form"] = form
    context["credentials"] = ApiCredential.objects.filter(
        user=request.user, kind=ApiCredential.Kind.PERSONAL
    )
    response = render(request, "accounts/api_tokens.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["POST"])
def api_token_revoke(request, pk):
    credential = get_object_or_404(
        ApiCredential, pk=pk, user=request.user, kind=ApiCredential.Kind.PERSONAL
    )
    services.api_credential_revoke(user=request.user, credential=credential)
    messages.success(
        request, _("“%(name)s” is revoked: it stopped working at once.") % {"name": credential.name}
    )
    return redirect("accounts:api_tokens")


# What an unsubscribe link stops, named by its `kind` query value (kept in the URL,
# so the one-click POST of a mail client carries it too): the notification e-mails
# when it names none, as every link did before digests; the field and its "off".
UNSUBSCRIBE_KINDS = {
    "notifications": ("email_notifications", EmailNotifications.NONE),
    "digest": ("digest", DigestFrequency.OFF),
    "moderator_summary": ("moderator_summary", False),
}


# Mail clients send the one-click unsubscribe (RFC 8058) as a POST without our
# CSRF cookie; the signed token in the URL is what proves the request. This is the
# site's only view exempt from CSRF, and all it can do is stop e-mails.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """Stop notification e-mails, the digest or the moderators' summary from a link
    in one, without signing in."""
    try:
        user = read_unsubscribe_token(token)
    except UnsubscribeLinkExpired:
        # 410: the link was ours but is too old; signed in, the member can still choose.
        return render(request, "accounts/unsubscribe_expired.html", status=HTTPStatus.GONE)
    if user is None:
        raise Http404(_("This unsubscribe link is not valid."))
    kind = request.GET.get("kind", "notifications")
    if kind not in UNSUBSCRIBE_KINDS:
        raise Http404(_("This unsubscribe link is not valid."))
    context = {"member": user, "kind": kind}
    if request.method == "POST":
        field, off = UNSUBSCRIBE_KINDS[kind]
        setattr(user, field, off)
        user.save(update_fields=[field])
        return render(request, "accounts/unsubscribe_done.html", context)
    return render(request, "accounts/unsubscribe_confirm.html", context)


class LoginView(allauth_views.LoginView):
    """allauth's sign-in, answering 429 (not 200) when the failed-sign-in limit is hit.

    The form is re-rendered as allauth renders it, so the login typed stays in the
    field and the message says why; only the status changes, so that clients,
    proxies and monitoring see the refusal for what it is.
    """

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, code="too_many_login_attempts"):
            response.status_code = HTTPStatus.TOO_MANY_REQUESTS
            login = self.request.POST.get("login", "")
            refused_by = limits.login_limits(self.request, login)
            limits.with_retry_after(self.request, response, refused_by)
        return response


login = LoginView.as_view()

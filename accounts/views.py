from http import HTTPStatus

from allauth.account import views as allauth_views
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.forms import ProfileForm
from accounts.models import EmailNotifications, User
from accounts.tokens import read_unsubscribe_token


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, instance=request.user)
        if form.is_valid():
            form.save()
            messages.success(request, _("Your profile was saved."))
            return redirect("accounts:profile_edit")
    else:
        form = ProfileForm(instance=request.user)
    return render(request, "accounts/profile_edit.html", {"form": form})


# Mail clients send the one-click unsubscribe (RFC 8058) as a POST without our
# CSRF cookie; the signed token in the URL is what proves the request.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """Stop notification e-mails from a link in one, without signing in."""
    data = read_unsubscribe_token(token)
    user = User.objects.filter(pk=(data or {}).get("user"), is_active=True).first()
    if user is None or user.email != data.get("email"):
        raise Http404(_("This unsubscribe link is not valid."))
    if request.method == "POST":
        user.email_notifications = EmailNotifications.NONE
        user.save(update_fields=["email_notifications"])
        return render(request, "accounts/unsubscribe_done.html", {"member": user})
    return render(request, "accounts/unsubscribe_confirm.html", {"member": user})


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
        return response


login = LoginView.as_view()

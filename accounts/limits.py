"""Sign-in abuse limits for the admin sign-in pages.

Members sign in through allauth, whose rate limits (settings.ACCOUNT_RATE_LIMITS)
count attempts in Django's cache. Staff may also sign in at the Wagtail admin
(/admin/login/) and at Django's admin (/django-admin/login/); those pages are
wrapped here so they draw on the very same counters: a failure at /admin/login/
counts against the same login as a failure at /accounts/login/, and over the
limit both answer 429 with templates/429.html. Wagtail's own password reset
(/admin/password_reset/) shares allauth's "reset_password" limit the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from allauth.core.internal import ratelimit
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from wagtail.admin.views import account as wagtail_account

from accounts.adapter import AccountAdapter

ALLAUTH_APP = "allauth.account"

View = Callable[..., HttpResponse]


def _consume(request: HttpRequest, *, action: str, key: str | None = None):
    return ratelimit.consume(request, app=ALLAUTH_APP, action=action, key=key)


def limit_admin_login(view: View) -> View:
    """Apply allauth's "login" and "login_failed" limits to a username/password view."""

    @wraps(view)
    def limited(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        if not _consume(request, action="login"):
            return ratelimit.respond_429(request)
        key = AccountAdapter(request).login_attempts_key(request, request.POST.get("username", ""))
        usage = _consume(request, action="login_failed", key=key)
        if not usage:
            return ratelimit.respond_429(request)
        response = view(request, *args, **kwargs)
        if request.user.is_authenticated:
            # As allauth does: a successful sign-in gives its attempt back, so
            # staff who sign in often are never locked out by their own logins.
            usage.rollback()
        return response

    return limited


def limit_password_reset(view: View) -> View:
    """Apply allauth's "reset_password" limit (per address and per e-mail)."""

    @wraps(view)
    def limited(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "POST":
            email = request.POST.get("email", "").strip().lower()
            if not _consume(request, action="reset_password", key=email):
                return ratelimit.respond_429(request)
        return view(request, *args, **kwargs)

    return limited


wagtail_admin_login = limit_admin_login(wagtail_account.LoginView.as_view())
wagtail_admin_password_reset = limit_password_reset(wagtail_account.PasswordResetView.as_view())
django_admin_login = limit_admin_login(admin.site.login)

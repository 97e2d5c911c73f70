"""Sign-in abuse limits for the admin sign-in pages.

Members sign in through allauth, whose rate limits (settings.ACCOUNT_RATE_LIMITS)
count attempts in Django's cache. Staff may also sign in at the Wagtail admin
(/admin/login/) and at Django's admin (/django-admin/login/); those pages are
wrapped here so they draw on the very same counters: a failure at /admin/login/
counts against the same login as a failure at /accounts/login/, and over the
limit both answer 429 with templates/429.html. Wagtail's own password reset
(/admin/password_reset/) shares allauth's "reset_password" limit the same way.

Failed sign-ins count per login *and* client address (the adapter's key) and per
address: wrong passwords typed from one address never refuse the owner signing in
from another, and password reset is never refused for failed sign-ins.

Every 429 says when to come back: Retry-After carries the seconds until the
limit that refused the request admits one more (`seconds_until_free`), read
from the same cache entries the limits count in. allauth's own refusals reach
`handler429` (named in the root URLconf, where allauth looks for it).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from functools import wraps

from allauth.core.internal import ratelimit
from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from wagtail.admin.views import account as wagtail_account

from accounts.adapter import AccountAdapter

ALLAUTH_APP = "allauth.account"

View = Callable[..., HttpResponse]

# (action, key) pairs: the limits a request may have run into.
Limits = Iterable[tuple[str, str | None]]


def _consume(request: HttpRequest, *, action: str, key: str | None = None):
    return ratelimit.consume(request, app=ALLAUTH_APP, action=action, key=key)


def seconds_until_free(
    request: HttpRequest, limits: Limits, *, app: str = ALLAUTH_APP, config: dict | None = None
) -> int:
    """Seconds until every one of `limits` that is used up admits one attempt more.

    Each rate keeps the times of its attempts, newest first; a used-up rate frees
    when the oldest of its last `amount` attempts leaves the window. When none is
    found used up (the count's lock was busy, or it freed meanwhile), the longest
    window of the limits is the honest upper bound.
    """
    now = time.time()
    wait = 0.0
    longest = 0.0
    for action, key in limits:
        for rate in ratelimit.get_rates(app=app, action=action, config=config):
            longest = max(longest, rate.duration)
            if (rate.per == "key" and key is None) or (
                rate.per == "user" and not request.user.is_authenticated
            ):
                continue
            cache_key = ratelimit.get_cache_key(request, app=app, action=action, rate=rate, key=key)
            history = [ts for ts in cache.get(cache_key, []) if ts > now - rate.duration]
            if len(history) >= rate.amount:
                wait = max(wait, history[rate.amount - 1] + rate.duration - now)
    return max(1, math.ceil(wait or longest))


def with_retry_after(request: HttpRequest, response: HttpResponse, limits: Limits, **rates):
    """`response`, a 429, saying when to come back (`rates`: app and config of
    limits other than allauth's)."""
    response["Retry-After"] = str(seconds_until_free(request, limits, **rates))
    return response


def client_address(request: HttpRequest) -> str:
    """The client's address as every limit counts it (TRUSTED_PROXY_COUNT applied)."""
    return ratelimit.get_ip(request)


def consume(request: HttpRequest, *, app: str, config: dict, action: str, key: str):
    """Count one attempt at a limit of the site's own (allauth's counting, in the
    shared cache); None when it is used up."""
    return ratelimit.consume(request, app=app, config=config, action=action, key=key)


def login_limits(request: HttpRequest, login: str) -> list[tuple[str, str | None]]:
    """The limits a sign-in attempt with `login` draws on."""
    key = AccountAdapter(request).login_attempts_key(request, login)
    return [("login", None), ("login_failed", key)]


def _limits_of(request: HttpRequest) -> list[tuple[str, str | None]]:
    """The limits allauth applies on the page `request` asked for."""
    name = getattr(request.resolver_match, "url_name", None)
    email = request.POST.get("email", "").strip().lower() or None
    # The site's sign-in page takes allauth's path under a route of its own.
    if name == "account_login" or request.path_info == reverse("account_login"):
        return login_limits(request, request.POST.get("login", ""))
    return {
        "account_signup": [("signup", None)],
        "account_reset_password": [("reset_password", email)],
        "account_reset_password_from_key": [("reset_password_from_key", None)],
        "account_change_password": [("change_password", None)],
        "account_set_password": [("change_password", None)],
        "account_email": [("manage_email", None)],
        "account_reauthenticate": [("reauthenticate", None)],
        "account_change_phone": [("change_phone", None)],
        "account_request_login_code": [("request_login_code", email)],
    }.get(name) or [(action, None) for action in settings.ACCOUNT_RATE_LIMITS]


def handler429(request: HttpRequest) -> HttpResponse:
    """allauth's refusals (it calls the root URLconf's handler429): templates/429.html
    with Retry-After."""
    response = render(request, "429.html", status=429)
    return with_retry_after(request, response, _limits_of(request))


def limit_admin_login(view: View) -> View:
    """Apply allauth's "login" and "login_failed" limits to a username/password view."""

    @wraps(view)
    def limited(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        limits = login_limits(request, request.POST.get("username", ""))
        if not _consume(request, action="login"):
            return with_retry_after(request, ratelimit.respond_429(request), limits)
        usage = _consume(request, action="login_failed", key=limits[1][1])
        if not usage:
            return with_retry_after(request, ratelimit.respond_429(request), limits)
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
                response = ratelimit.respond_429(request)
                return with_retry_after(request, response, [("reset_password", email)])
        return view(request, *args, **kwargs)

    return limited


wagtail_admin_login = limit_admin_login(wagtail_account.LoginView.as_view())
wagtail_admin_password_reset = limit_password_reset(wagtail_account.PasswordResetView.as_view())
django_admin_login = limit_admin_login(admin.site.login)

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal import ratelimit
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.language import browser_language, mail_language, supported_language
from accounts.names import check_username


class AccountAdapter(DefaultAccountAdapter):
    """Site-wide tweaks to allauth's flows."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": _(
            "Too many failed sign-in attempts. For your security, sign-in is paused "
            "for a few minutes: wait, then try again, or reset your password."
        ),
    }

    def clean_username(self, username, shallow=False):
        # Usernames are public handles: none may pass for the brand's staff.
        check_username(username)
        return super().clean_username(username, shallow=shallow)

    def save_user(self, request, user, form, commit=True):
        # A new member reads in the language their browser asked for (the cookie or
        # Accept-Language, as the middleware decided for this request) until they
        # choose another.
        user.language = supported_language(translation.get_language()) or settings.LANGUAGE_CODE
        return super().save_user(request, user, form, commit=commit)

    def login(self, request, user):
        super().login(request, user)
        # From now on the member's own language applies: already to what this
        # request still says ("signed in as…"), as to every page after it.
        language = supported_language(user.language)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language

    def add_message(self, request, level, message_template=None, *args, **kwargs):
        # "You have signed out" is read on the next page, in the browser's language again.
        signed_out = message_template == "account/messages/logged_out.txt"
        language = browser_language(request) if signed_out else translation.get_language()
        with translation.override(language):
            super().add_message(request, level, message_template, *args, **kwargs)

    def send_mail(self, template_prefix, email, context):
        # Every account e-mail (confirmation, password reset, "account already
        # exists"…) in the language of the account behind the address, whatever the
        # language of the request that caused it; dates in it follow.
        with translation.override(mail_language(email, user=context.get("user"))):
            super().send_mail(template_prefix, email, context)

    def format_email_subject(self, subject):
        # One line only: a name or title with a line break must never reach a header.
        subject = " ".join(str(subject).split())
        return f"[{settings.WAGTAIL_SITE_NAME}] {subject}"

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # allauth counts failed sign-ins ("login_failed", per "key") under the login
        # alone, so anyone who knows a login could lock its owner out by typing
        # wrong passwords. The key names the client's address too: failures from
        # one address refuse that address only, and the owner still signs in from
        # theirs. The address is allauth's own (ALLAUTH_TRUSTED_PROXY_COUNT), the
        # one its per-"ip" limits count.
        login_key = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{login_key}:{ratelimit.get_ip(request)}"

    def login_attempts_key(self, request, login: str) -> str:
        """The key allauth counts failed sign-ins under for `login` from this
        request's address (see accounts/limits.py)."""
        return self._get_login_attempts_cache_key(request, username=login)

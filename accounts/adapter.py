from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class AccountAdapter(DefaultAccountAdapter):
    """Site-wide tweaks to allauth's flows."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": _(
            "Too many failed sign-in attempts. For your security, sign-in is paused "
            "for a few minutes: wait, then try again, or reset your password."
        ),
    }

    def format_email_subject(self, subject):
        # One line only: a name or title with a line break must never reach a header.
        subject = " ".join(str(subject).split())
        return f"[{settings.WAGTAIL_SITE_NAME}] {subject}"

    def login_attempts_key(self, request, login: str) -> str:
        """The key allauth counts failed sign-ins under for `login` (see accounts/limits.py)."""
        return self._get_login_attempts_cache_key(request, username=login)

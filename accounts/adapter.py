from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    """Site-wide tweaks to allauth's flows."""

    def format_email_subject(self, subject):
        # One line only: a name or title with a line break must never reach a header.
        subject = " ".join(str(subject).split())
        return f"[{settings.WAGTAIL_SITE_NAME}] {subject}"

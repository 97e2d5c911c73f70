"""A member's copy of their data (the GDPR's right of access and portability).

The accounts app writes the profile; the apps above it add their own sections
through the `member_data_export` hook: a function taking the member and
returning a dict of sections, each read in a fixed number of queries.
"""

from allauth.account.models import EmailAddress
from django.utils import timezone
from wagtail import hooks

from accounts.models import ExternalIdentity

EXPORT_FORMAT = "relais-member-data/1"


def _iso(value):
    return value.isoformat() if value else None


def profile_section(user) -> dict:
    emails = EmailAddress.objects.filter(user=user).order_by("-primary", "email")
    # The brand's ids for them (accounts/handoff.py): kept about them, so theirs to read.
    identities = ExternalIdentity.objects.filter(user=user).order_by("created_at", "pk")
    return {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "email_addresses": [
            {"email": address.email, "primary": address.primary, "verified": address.verified}
            for address in emails
        ],
        "external_identities": [
            {
                "provider": identity.provider,
                "subject": identity.subject,
                "linked_at": _iso(identity.created_at),
            }
            for identity in identities
        ],
        "first_name": user.first_name,
        "last_name": user.last_name,
        "display_name": user.display_name,
        "bio": user.bio,
        "avatar": user.avatar.name or None,
        "language": user.language,
        "email_notifications": user.email_notifications,
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login),
        "terms_accepted_at": _iso(user.terms_accepted_at),
        "accepted_terms_revision": user.accepted_terms_revision,
        "accepted_privacy_revision": user.accepted_privacy_revision,
        "suspended_until": _iso(user.suspended_until),
        "suspension_reason": user.suspension_reason,
    }


def member_data(user) -> dict:
    """Everything the site keeps about `user`, as JSON-ready data."""
    data = {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(timezone.now()),
        "profile": profile_section(user),
    }
    for add_sections in hooks.get_hooks("member_data_export"):
        data.update(add_sections(user))
    return data

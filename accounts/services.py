"""What a member changes about their own account."""

from datetime import datetime

from django.db import transaction

from accounts.models import User


@transaction.atomic
def user_record_consent(
    *,
    user: User,
    accepted_at: datetime,
    terms_revision: int | None,
    privacy_revision: int | None,
) -> None:
    """Record that `user` accepted the terms of use and the privacy policy, and
    which published revision of each."""
    user.terms_accepted_at = accepted_at
    user.accepted_terms_revision = terms_revision
    user.accepted_privacy_revision = privacy_revision
    user.save(
        update_fields=["terms_accepted_at", "accepted_terms_revision", "accepted_privacy_revision"]
    )

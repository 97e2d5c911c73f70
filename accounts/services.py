"""What a member changes about their own account: consent, their language, a copy of
their data, closing the account."""

from datetime import datetime

from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from accounts import audit
from accounts.export import member_data
from accounts.models import EmailNotifications, User
from accounts.permissions import check_close_account, check_export_data
from accounts.signals import account_closed


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


@transaction.atomic
def user_set_language(*, user: User, language: str) -> bool:
    """Make `language` the language `user` reads the site and our e-mails in.
    Returns whether it changed; a language the site does not serve is refused."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("This language is not available."), code="invalid_language")
    changed = User.objects.filter(pk=user.pk).exclude(language=language).update(language=language)
    user.language = language
    return bool(changed)


@transaction.atomic
def user_data_export(*, user: User) -> dict:
    """A copy of everything kept about `user`, for them alone; the request is logged."""
    check_export_data(user)
    data = member_data(user)
    log(user, audit.DATA_EXPORT, user=user)
    return data


def anonymous_username(user: User) -> str:
    return f"former-member-{user.pk}"


@transaction.atomic
def user_close(*, user: User) -> None:
    """Close `user`'s account at their request: it is anonymised and can no longer
    sign in, while their posts stay, signed "former member"."""
    user = User.objects.select_for_update().get(pk=user.pk)
    check_close_account(user)
    avatar = user.avatar.name
    user.username = anonymous_username(user)
    user.email = ""
    user.first_name = ""
    user.last_name = ""
    user.display_name = ""
    user.bio = ""
    user.avatar = ""
    user.email_notifications = EmailNotifications.NONE
    user.is_active = False
    # A new password hash also ends every session: Django checks it on each request.
    user.set_unusable_password()
    user.closed_at = timezone.now()
    user.save()
    EmailAddress.objects.filter(user=user).delete()
    if apps.is_installed("allauth.socialaccount"):
        apps.get_model("socialaccount", "SocialAccount").objects.filter(user=user).delete()
    log(user, audit.ACCOUNT_CLOSE, user=user)
    account_closed.send(sender=User, user=user)
    if avatar:
        storage = User._meta.get_field("avatar").storage
        transaction.on_commit(lambda: storage.delete(avatar))

"""What a member changes about their own account: consent, their profile and
picture, their language, a copy of their data, closing the account."""

import math
import time
from datetime import datetime

from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.log_actions import log

from accounts import audit
from accounts.api_tokens import new_secret
from accounts.export import member_data
from accounts.images import CleanImage
from accounts.models import (
    ApiCredential,
    DigestFrequency,
    EmailNotifications,
    ExternalIdentity,
    User,
)
from accounts.names import check_display_name
from accounts.permissions import (
    check_close_account,
    check_create_api_token,
    check_edit_public_profile,
    check_export_data,
    check_manage_integration_keys,
    check_revoke_api_credential,
    integration_key_scope_refusal,
)
from accounts.roles import is_moderator
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


# Avatar changes (a new picture or its removal) per member and fixed window of
# AVATAR_CHANGE_WINDOW seconds, counted in the shared cache (Redis in production,
# so every app server counts the same changes). Each attempt counts.
AVATAR_CHANGES_PER_WINDOW = 10
AVATAR_CHANGE_WINDOW = 60 * 60


class Keep:
    """The picture stays as it is (user_update_profile's default)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = Keep()


def _count_avatar_change(user: User) -> None:
    """Count one avatar change by `user`; raise a ValidationError for the avatar
    field when it is over the limit."""
    now = time.time()
    window = AVATAR_CHANGE_WINDOW
    key = f"avatar-changes:{user.pk}:{int(now // window)}"
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the add and the incr
        cache.add(key, 1, timeout=window + 5)
        count = 1
    if count > AVATAR_CHANGES_PER_WINDOW:
        minutes = max(1, math.ceil(((now // window + 1) * window - now) / 60))
        raise ValidationError(
            {
                "avatar": ValidationError(
                    ngettext(
                        "You have changed your picture too often. Try again in about "
                        "%(count)s minute.",
                        "You have changed your picture too often. Try again in about "
                        "%(count)s minutes.",
                        minutes,
                    ),
                    code="avatar_limit",
                    params={"count": minutes},
                )
            }
        )


@transaction.atomic
def user_update_profile(
    *,
    user: User,
    display_name: str,
    bio: str,
    language: str,
    email_notifications: str,
    digest: str | None = None,
    moderator_summary: bool | None = None,
    avatar: CleanImage | Keep | None = KEEP,
) -> User:
    """Save `user`'s profile: the public part (display name, bio, and a new picture,
    or None to remove it) and their own settings (language, e-mails; the digest and
    the moderators' summary stay as they are when None).

    The public part follows the member's rights (a suspended member cannot change
    it) and the reserved names; avatar changes are limited per member. A replaced or
    removed picture's file is deleted from storage once the change is committed.
    """
    member = User.objects.select_for_update().get(pk=user.pk)
    public_change = display_name != member.display_name or bio != member.bio or avatar is not KEEP
    if public_change:
        check_edit_public_profile(member)
    if display_name != member.display_name:
        try:
            check_display_name(display_name, user=member)
        except ValidationError as error:
            raise ValidationError({"display_name": error}) from error
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("This language is not available.")})
    member.display_name = display_name
    member.bio = bio
    member.language = language
    member.email_notifications = email_notifications
    fields = ["display_name", "bio", "language", "email_notifications"]
    if digest is not None:
        if digest not in DigestFrequency.values:
            raise ValidationError({"digest": _("Choose how often to receive the digest.")})
        member.digest = digest
        fields.append("digest")
    if moderator_summary is not None:
        if moderator_summary and not is_moderator(member):
            raise ValidationError(
                {"moderator_summary": _("The moderation summary is for moderators.")}
            )
        member.moderator_summary = moderator_summary
        fields.append("moderator_summary")
    storage = User._meta.get_field("avatar").storage
    previous = member.avatar.name
    stored = ""
    if avatar is not KEEP:
        _count_avatar_change(member)
        fields.append("avatar")
        if avatar is None:
            member.avatar = ""
        else:
            # The name and its extension come from the re-encoded image
            # (accounts.models.avatar_upload_to), never from the upload.
            member.avatar = avatar.as_file("avatar")
            member.avatar.save("avatar", member.avatar.file, save=False)
            stored = member.avatar.name
    try:
        member.save(update_fields=fields)
    except Exception:
        if stored:  # the row keeps its old picture: the new file goes
            storage.delete(stored)
        raise
    if previous and previous != member.avatar.name:
        # Only once the row no longer names it: a rolled-back change keeps it.
        transaction.on_commit(lambda: storage.delete(previous))
    return member


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
    # The brand's id for them goes too, like a social account: the closed account
    # is not theirs to sign in to any more, and a later hand-off starts afresh.
    ExternalIdentity.objects.filter(user=user).delete()
    if apps.is_installed("allauth.socialaccount"):
        apps.get_model("socialaccount", "SocialAccount").objects.filter(user=user).delete()
    log(user, audit.ACCOUNT_CLOSE, user=user)
    account_closed.send(sender=User, user=user)
    if avatar:
        storage = User._meta.get_field("avatar").storage
        transaction.on_commit(lambda: storage.delete(avatar))


@transaction.atomic
def api_token_create(
    *, user: User, name: str, scope: str, expires_at: datetime | None = None
) -> tuple[ApiCredential, str]:
    """A personal API token for `user`: the row, and the secret, which is never
    readable again (only its digest is kept)."""
    # The member's row is locked, so two requests at once cannot pass the count.
    User.objects.select_for_update().filter(pk=user.pk).first()
    existing = user.api_credentials.filter(
        kind=ApiCredential.Kind.PERSONAL, revoked_at=None
    ).count()
    check_create_api_token(user, scope=scope, existing=existing)
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError(_("Choose an expiry date in the future."), code="expired")
    return api_credential_issue(
        user=user, name=name, scope=scope, expires_at=expires_at, created_by=user
    )


# How many requests a minute an integration key may be allowed: a helpdesk syncing
# threads needs more than a person's script, but a typo must not lift the limit.
INTEGRATION_KEY_RATE_MIN = 1
INTEGRATION_KEY_RATE_MAX = 10_000


@transaction.atomic
def api_integration_key_create(
    *,
    by: User,
    user: User,
    name: str,
    scope: str,
    requests_per_minute: int,
    expires_at: datetime | None = None,
) -> tuple[ApiCredential, str]:
    """An integration key that `by` makes for the brand's own systems, acting as
    `user`: the row, and the secret, which is never readable again."""
    check_manage_integration_keys(by)
    if not user.is_active or user.closed_at is not None:
        raise ValidationError(
            {"user": _("This account is closed or inactive: a key cannot act as it.")}
        )
    refusal = integration_key_scope_refusal(user, scope)
    if refusal:
        raise ValidationError({"scope": refusal})
    if not INTEGRATION_KEY_RATE_MIN <= requests_per_minute <= INTEGRATION_KEY_RATE_MAX:
        raise ValidationError(
            {
                "requests_per_minute": _("Choose between %(min)s and %(max)s requests a minute.")
                % {"min": INTEGRATION_KEY_RATE_MIN, "max": INTEGRATION_KEY_RATE_MAX}
            }
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_in": _("Choose an expiry date in the future.")})
    credential, secret = api_credential_issue(
        user=user,
        name=name,
        scope=scope,
        expires_at=expires_at,
        kind=ApiCredential.Kind.INTEGRATION,
        created_by=by,
        requests_per_minute=requests_per_minute,
    )
    log(credential, "wagtail.create", user=by)
    return credential, secret


def api_credential_issue(
    *,
    user: User,
    name: str,
    scope: str,
    expires_at: datetime | None = None,
    kind: str = ApiCredential.Kind.PERSONAL,
    created_by: User | None = None,
    requests_per_minute: int | None = None,
) -> tuple[ApiCredential, str]:
    """Make the credential's row and its secret; callers check who may."""
    secret, prefix, digest = new_secret()
    credential = ApiCredential(
        user=user,
        kind=kind,
        name=" ".join(name.split()),
        scope=scope,
        prefix=prefix,
        digest=digest,
        expires_at=expires_at,
        created_by=created_by,
    )
    if requests_per_minute is not None:
        credential.requests_per_minute = requests_per_minute
    credential.save()
    return credential, secret


def api_credential_revoke(*, user: User, credential: ApiCredential) -> ApiCredential:
    """Revoke `credential` at once; revoking it again changes nothing."""
    check_revoke_api_credential(user, credential)
    ApiCredential.objects.filter(pk=credential.pk, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    credential.refresh_from_db(fields=["revoked_at"])
    return credential

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.images import stored_extension
from accounts.querysets import UserManagerWithQuerySet
from accounts.validators import AvatarValidator


def avatar_upload_to(instance, filename):
    """A new random name for each upload, so a browser never shows the previous
    picture from its cache. The extension says what the stored bytes are (found by
    reading them), never what the uploader's file name claimed: a file named
    "me.pdf" or "me.html" is stored, and served, as the image it is, and bytes that
    are no image of ours get ".bin", which nothing serves."""
    content = getattr(instance.avatar, "_file", None)
    extension = (stored_extension(content) if content is not None else None) or "bin"
    return f"avatars/{instance.pk or 'new'}/{uuid.uuid4().hex[:16]}.{extension}"


class EmailNotifications(models.TextChoices):
    EVERY_EVENT = "all", _("Every event")
    NONE = "none", _("None")


class DigestFrequency(models.TextChoices):
    """How often a member is sent the digest of what is new where they follow."""

    OFF = "off", _("Never")
    DAILY = "daily", _("Once a day")
    WEEKLY = "weekly", _("Once a week")


class User(AbstractUser):
    """A member of the community; staff are members in the Moderators or Editors group."""

    display_name = models.CharField(
        _("display name"),
        max_length=80,
        blank=True,
        help_text=_("How your name appears on your posts. Leave empty to use your username."),
    )
    bio = models.TextField(_("short bio"), max_length=500, blank=True)
    avatar = models.ImageField(
        _("avatar"),
        upload_to=avatar_upload_to,
        blank=True,
        validators=[AvatarValidator()],
        help_text=_("JPEG, PNG or WebP, at most 1 MB."),
    )

    email_notifications = models.CharField(
        _("e-mail notifications"),
        max_length=8,
        choices=EmailNotifications,
        default=EmailNotifications.EVERY_EVENT,
        help_text=_("We also show every notification in the bell at the top of the page."),
    )

    # The digest (community/digests.py): off until the member asks for it. The
    # *_sent_at fields are the end of the period the last one covered; the next one
    # covers what happened since, and the sending job claims a member's send by
    # moving it on (so no digest is sent twice).
    digest = models.CharField(
        _("digest e-mail"),
        max_length=8,
        choices=DigestFrequency,
        default=DigestFrequency.OFF,
        help_text=_(
            "New questions and solutions in the categories and tags you follow, and a few "
            "questions still waiting for an answer."
        ),
    )
    digest_sent_at = models.DateTimeField(
        _("digest last sent at"), null=True, blank=True, editable=False
    )
    # For moderators only: a daily e-mail of the threads overdue or reopened.
    moderator_summary = models.BooleanField(
        _("daily moderation summary"),
        default=False,
        help_text=_(
            "Once a day, the threads whose official reply is overdue and those the "
            "customer reopened."
        ),
    )
    moderator_summary_sent_at = models.DateTimeField(
        _("moderation summary last sent at"), null=True, blank=True, editable=False
    )

    # The language of the interface once signed in, and of every e-mail we send.
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the site once you are signed in, and of our e-mails."),
    )

    # A suspended member still reads everything but cannot post until this moment;
    # the reason is shown to them (and staff), never to others.
    suspended_until = models.DateTimeField(_("suspended until"), null=True, blank=True)
    suspension_reason = models.CharField(_("reason for suspension"), max_length=500, blank=True)

    # Consent given at sign-up: when, and which published revision of the terms of
    # use and of the privacy policy the member saw (Wagtail revision ids, kept as
    # plain numbers so that the record outlives any clean-up of old revisions).
    terms_accepted_at = models.DateTimeField(_("terms accepted at"), null=True, blank=True)
    accepted_terms_revision = models.PositiveIntegerField(
        _("terms of use revision accepted"), null=True, blank=True
    )
    accepted_privacy_revision = models.PositiveIntegerField(
        _("privacy policy revision accepted"), null=True, blank=True
    )

    # A closed account is anonymised and inactive; its posts stay, signed "former member".
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    # The random value the e-mails' unsubscribe links name the member by (signed and
    # dated in accounts/tokens.py): the links never carry the member's id or address.
    # Made when the first link is.
    unsubscribe_key = models.CharField(
        _("unsubscribe key"), max_length=32, unique=True, null=True, blank=True, editable=False
    )

    # The address a delivery failure came back for (community/mail): nothing more is
    # sent to it; a new address, once verified, receives mail again.
    bounced_email = models.EmailField(_("address that bounced"), blank=True, editable=False)

    objects = UserManagerWithQuerySet()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [("moderate_community", _("Can post official replies and moderate"))]

    def __str__(self):
        return self.public_name

    @property
    def is_suspended(self) -> bool:
        return self.suspended_until is not None and self.suspended_until > timezone.now()

    def get_full_name(self) -> str:
        # What Wagtail's admin (audit log, history) shows for a person.
        if self.closed_at is not None:
            return self.public_name
        return self.display_name or super().get_full_name()

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def public_name(self) -> str:
        if self.closed_at is not None:
            return str(_("Former member"))
        return self.display_name or self.username

    def get_absolute_url(self):
        return reverse("members:profile", kwargs={"username": self.username})


class ApiScope(models.TextChoices):
    """What an API credential may do, each level including the ones before it."""

    READ = "read", _("Read")
    WRITE = "write", _("Read and write")
    MODERATE = "moderate", _("Read, write and moderate")


API_SCOPE_LEVELS = {ApiScope.READ: 0, ApiScope.WRITE: 1, ApiScope.MODERATE: 2}


class ApiCredential(models.Model):
    """A secret that lets a program use the API as one member: a personal token the
    member made in their account, or an integration key staff made in the admin for
    the brand's own systems (a helpdesk, an app). Only a digest of the secret is
    kept: it is shown once, when it is made (accounts/api_tokens.py)."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", _("Personal token")
        INTEGRATION = "integration", _("Integration key")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_credentials",
        verbose_name=_("acts as"),
        help_text=_("The API acts as this member, with their roles at the time of each request."),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind, default=Kind.PERSONAL)
    name = models.CharField(_("name"), max_length=80, help_text=_("What it is for."))
    scope = models.CharField(_("access"), max_length=10, choices=ApiScope, default=ApiScope.READ)
    # The first characters of the secret, in the clear: how a request finds its row,
    # and how a member tells their tokens apart.
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    requests_per_minute = models.PositiveIntegerField(
        _("requests per minute"),
        default=60,
        help_text=_("Requests beyond this, in any minute, get 429 Too Many Requests."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API credential")
        verbose_name_plural = _("API credentials")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, at=None) -> bool:
        at = at or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > at)

    def allows(self, scope: str) -> bool:
        return API_SCOPE_LEVELS[ApiScope(self.scope)] >= API_SCOPE_LEVELS[ApiScope(scope)]


class ExternalIdentity(models.Model):
    """The brand's own id for a customer, linked to the member it signs in
    (accounts/handoff.py). A brand's id is stable where its customer's e-mail
    address is not, so a returning customer is found by it, never by address."""

    class Provider(models.TextChoices):
        HANDOFF = "handoff", _("Brand sign-in hand-off")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="external_identities",
        verbose_name=_("member"),
    )
    provider = models.CharField(_("provider"), max_length=16, choices=Provider)
    subject = models.CharField(_("id at the brand"), max_length=255)
    created_at = models.DateTimeField(_("linked at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        constraints = [
            # One member per brand id, also when two first hand-offs race.
            models.UniqueConstraint(
                fields=["provider", "subject"], name="accounts_external_identity_unique"
            )
        ]

    def __str__(self):
        return f"{self.provider}:{self.subject}"


class HandoffNonce(models.Model):
    """A hand-off token's id (its `jti`), kept until the token expires so that the
    token signs in once. In the database, not in memory: every app server sees the
    same rows, and the unique constraint decides between two requests at once."""

    jti = models.CharField(max_length=255, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return self.jti

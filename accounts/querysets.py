from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, Permission, UserManager
from django.db import models
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.roles import STAFF_GROUPS

# How long after the last digest the next one is due. An hour less than the period:
# an hourly job whose runs drift by a few minutes still sends once a day (a week),
# never skipping a day because the last run was a minute late.
DIGEST_SLACK = timedelta(hours=1)
DIGEST_PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
MODERATOR_SUMMARY_PERIOD = timedelta(days=1)


def staff_flag_expression(user_field: str = "") -> ExpressionWrapper:
    """True when the user (or the user behind `user_field`, e.g. "author") is staff.

    Usable in annotate() on any model that points to a user, so a list of posts
    learns whether each author is staff inside its own query.
    """
    prefix = f"{user_field}__" if user_field else ""
    staff_membership = Group.objects.filter(
        name__in=STAFF_GROUPS, user=OuterRef(f"{user_field}_id" if user_field else "pk")
    )
    return ExpressionWrapper(
        Q(**{f"{prefix}is_superuser": True}) | Q(Exists(staff_membership)),
        output_field=BooleanField(),
    )


class UserQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def with_staff_flag(self):
        return self.annotate(is_brand_staff=staff_flag_expression())

    def holding_permission(self, permission: str):
        """Members who hold `permission` ("app_label.codename"): superusers, and
        members given it directly or through a group, as User.has_perm reads it.
        Where a list needs the role in SQL; accounts.roles answers for one member."""
        app_label, _dot, codename = permission.partition(".")
        granted = Permission.objects.filter(codename=codename, content_type__app_label=app_label)
        through_group = self.model.groups.through.objects.filter(
            user_id=OuterRef("pk"), group__permissions__in=granted
        )
        directly = self.model.user_permissions.through.objects.filter(
            user_id=OuterRef("pk"), permission__in=granted
        )
        return self.filter(Q(is_superuser=True) | Exists(through_group) | Exists(directly))

    def reachable_by_email(self, *, at=None):
        """Members we may send a scheduled e-mail to: an active, open account, not
        suspended, whose current address is verified (allauth) and did not bounce."""
        at = at or timezone.now()
        # The same address whatever its case (allauth may keep it as typed); not
        # `iexact`, which would read "_" and "%" in an address as wildcards.
        verified = (
            EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)
            .alias(address=Lower("email"))
            .filter(address=Lower(OuterRef("email")))
        )
        return (
            self.filter(is_active=True, closed_at__isnull=True)
            .exclude(email="")
            .filter(Q(suspended_until__isnull=True) | Q(suspended_until__lte=at))
            .exclude(bounced_email=F("email"))
            .filter(Exists(verified))
        )

    def digest_due(self, *, at=None):
        """Members whose digest is due at `at`: never sent yet, or sent at least a
        period (less DIGEST_SLACK) ago."""
        at = at or timezone.now()
        due = Q()
        for frequency, period in DIGEST_PERIODS.items():
            due |= Q(digest=frequency) & (
                Q(digest_sent_at__isnull=True) | Q(digest_sent_at__lte=at - period + DIGEST_SLACK)
            )
        return self.filter(due)

    def moderator_summary_due(self, *, at=None):
        """Members who asked for the moderators' summary and are due one. Whether they
        still moderate is a role (accounts.roles.is_moderator), checked per member."""
        at = at or timezone.now()
        return self.filter(moderator_summary=True).filter(
            Q(moderator_summary_sent_at__isnull=True)
            | Q(moderator_summary_sent_at__lte=at - MODERATOR_SUMMARY_PERIOD + DIGEST_SLACK)
        )


class UserManagerWithQuerySet(UserManager.from_queryset(UserQuerySet)):
    pass

from django.contrib.auth.models import Group, UserManager
from django.db import models
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q

from accounts.roles import STAFF_GROUPS


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


class UserManagerWithQuerySet(UserManager.from_queryset(UserQuerySet)):
    pass

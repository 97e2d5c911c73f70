from django.shortcuts import get_object_or_404

from accounts.models import User


def user_get_public(*, username: str) -> User:
    """The active member behind a public profile URL, with the staff flag loaded."""
    return get_object_or_404(User.objects.active().with_staff_flag(), username=username)

"""What a credential may do through the API: its scope, on top of the member's own
rights, which the services check as on the site (community/permissions.py)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework import permissions
from rest_framework.exceptions import PermissionDenied

from accounts.models import ApiScope
from accounts.roles import is_moderator


def credential_allows(request, scope: str) -> bool:
    credential = request.auth
    return credential is not None and credential.allows(scope)


def moderates(request) -> bool:
    """Staff work through the API only with a credential that may moderate, and
    while the member it acts as still holds the role."""
    return credential_allows(request, ApiScope.MODERATE) and is_moderator(request.user)


def check_staff_scope(request, *, owner_id: int | None = None) -> None:
    """Staff speak for the brand (an official reply: `owner_id` None) or act on
    another member's post (edit it, accept its solution on the asker's behalf) only
    with a credential that may moderate: a moderator's read-and-write token acts as
    a member does, on their own posts. The services then check the role itself."""
    if not is_moderator(request.user) or request.user.pk == owner_id or moderates(request):
        return
    if owner_id is None:
        message = _("A staff member's reply is official: it needs a token with moderate access.")
    else:
        message = _("Acting on another member's post needs a token with moderate access.")
    raise PermissionDenied(message)


def readable_posts_q(request, prefix: str = "") -> Q:
    """The posts a request may read: the visible ones, the member's own hidden or
    pending ones, and everything for staff working with a moderating credential. A
    moderator's read-only token reads what the public reads."""
    if moderates(request):
        return Q()
    visible = Q(**{f"{prefix}visibility": "visible"})
    if request.user.is_authenticated:
        return visible | Q(**{f"{prefix}author": request.user})
    return visible


class CanWrite(permissions.BasePermission):
    """Writes need a credential with write access (read-only tokens only read)."""

    message = _("This needs a token with write access.")

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        if request.auth is None:
            return False
        return credential_allows(request, ApiScope.WRITE)


class CanModerate(permissions.BasePermission):
    message = _("This needs a moderator's token with moderate access.")

    def has_permission(self, request, view):
        return request.auth is not None and moderates(request)

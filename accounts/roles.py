"""The roles of the community, as the rest of the code asks about them.

Roles are Django groups created by a data migration. A role is checked through
the permission the group carries, so a superuser holds every role, and a role can
be granted to another group in the admin without touching code.

What each group holds is set by data migrations:
- Moderators: MODERATE_PERMISSION (accounts 0002), no Wagtail admin access;
- Editors: ADMIN_ACCESS_PERMISSION (accounts 0002); pages from the home page down
  and announcements (community 0014); Settings → Community settings,
  EDIT_SITE_SETTINGS_PERMISSION (community 0018); the footer snippet and
  wagtail-localize's "submit translation" (community 0025).
"""

import time

from django.core.cache import cache
from django.db import transaction

MODERATORS_GROUP = "Moderators"
EDITORS_GROUP = "Editors"
STAFF_GROUPS = (MODERATORS_GROUP, EDITORS_GROUP)

MODERATE_PERMISSION = "accounts.moderate_community"
ADMIN_ACCESS_PERMISSION = "wagtailadmin.access_admin"
EDIT_SITE_SETTINGS_PERMISSION = "community.change_communitysettings"


# The roles a member holds, as the shared cache keeps them between requests. Every
# change to who holds which permission (memberships of groups, a group's or a
# member's permissions) moves the roles version on (roles_changed, connected in
# AccountsConfig.ready); an entry of another version is read again. A member's own
# flags (superuser, active) are part of the entry, so saving them needs nothing.
ROLES_VERSION_KEY = "relais:roles-version"
ROLES_SECONDS = 60 * 60


def _roles(user) -> tuple[bool, bool]:
    """(moderates, edits) for a signed-in, active member.

    Pages ask per row: the answer is also kept on the user object for as long as
    that object lives (a request), as Django keeps the permissions it read there."""
    flags = (user.is_superuser, user.is_active)
    kept = getattr(user, "_relais_roles", None)
    if kept is not None and kept[0] == flags:
        return kept[1]
    entry_key = f"relais:roles:{user.pk}"
    stored = cache.get_many([ROLES_VERSION_KEY, entry_key])
    version, entry = stored.get(ROLES_VERSION_KEY), stored.get(entry_key)
    if version is not None and entry is not None and entry[:2] == (version, flags):
        roles = entry[2]
    else:
        if version is None:
            # Read before the permissions: an entry is never older than its version.
            version = cache.get_or_set(ROLES_VERSION_KEY, time.time_ns, timeout=None)
        roles = (user.has_perm(MODERATE_PERMISSION), user.has_perm(ADMIN_ACCESS_PERMISSION))
        cache.set(entry_key, (version, flags, roles), ROLES_SECONDS)
    user._relais_roles = (flags, roles)
    return roles


def roles_version() -> int:
    """Moves on with every change to who holds which role (roles_changed): for keys
    of what is kept per role, such as the list of whom a thread can be assigned to."""
    return cache.get_or_set(ROLES_VERSION_KEY, time.time_ns, timeout=None)


def roles_changed(**kwargs) -> None:
    """Someone's permissions may have changed: every member's roles are read again.
    Once now and once when the change is committed, so that an entry read from the
    rows as they were before the commit is not kept either."""

    def move_on():
        cache.set(ROLES_VERSION_KEY, time.time_ns(), timeout=None)

    move_on()
    transaction.on_commit(move_on)


def is_moderator(user) -> bool:
    """May post official replies and use the moderation tools."""
    if not (user.is_authenticated and user.is_active):
        return False
    return _roles(user)[0]


def is_editor(user) -> bool:
    """May work in the Wagtail admin."""
    if not (user.is_authenticated and user.is_active):
        return False
    return _roles(user)[1]

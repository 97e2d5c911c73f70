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

MODERATORS_GROUP = "Moderators"
EDITORS_GROUP = "Editors"
STAFF_GROUPS = (MODERATORS_GROUP, EDITORS_GROUP)

MODERATE_PERMISSION = "accounts.moderate_community"
ADMIN_ACCESS_PERMISSION = "wagtailadmin.access_admin"
EDIT_SITE_SETTINGS_PERMISSION = "community.change_communitysettings"


def is_moderator(user) -> bool:
    """May post official replies and use the moderation tools.

    Pages ask it per row: the answer is kept on the user object, as Django keeps the
    permissions it read there (_perm_cache), for as long as that object lives (a
    request); a user read afresh asks again."""
    if not (user.is_authenticated and user.is_active):
        return False
    kept = getattr(user, "_relais_moderates", None)
    if kept is None or kept[0] != user.is_superuser:
        kept = (user.is_superuser, user.has_perm(MODERATE_PERMISSION))
        user._relais_moderates = kept
    return kept[1]


def is_editor(user) -> bool:
    """May work in the Wagtail admin."""
    return bool(user.is_authenticated and user.is_active and user.has_perm(ADMIN_ACCESS_PERMISSION))

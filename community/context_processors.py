from django.conf import settings

from accounts.roles import is_editor, is_moderator


def community(request):
    """What the base template needs on every page: the brand's name and the viewer's roles."""
    user = getattr(request, "user", None)
    viewer_is_moderator = bool(user and is_moderator(user))
    viewer_is_editor = bool(user and is_editor(user))
    return {
        "community_name": settings.WAGTAIL_SITE_NAME,
        "viewer_is_moderator": viewer_is_moderator,
        "viewer_is_editor": viewer_is_editor,
        "viewer_is_staff": viewer_is_moderator or viewer_is_editor,
    }

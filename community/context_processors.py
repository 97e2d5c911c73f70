from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from accounts.roles import is_editor, is_moderator
from community.cache import csrf_placeholder, renders_for_page_cache
from community.models import CommunitySettings
from community.selectors import footer_get, unread_notification_count


def community(request):
    """What the base template needs on every page: the brand's name, logo, colour and
    footer (the site settings and the footer snippet editors change in Wagtail), the viewer's roles
    and their unread notifications (one query, only for signed-in members)."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    viewer_is_moderator = signed_in and is_moderator(user)
    viewer_is_editor = signed_in and is_editor(user)
    # Lazy and cached on the request by load(): one query, only when a page uses it.
    site_branding = SimpleLazyObject(lambda: CommunitySettings.load(request))
    context = {
        "site_branding": site_branding,
        "community_name": SimpleLazyObject(lambda: site_branding.display_name),
        # The footer's links and channels in the reader's language (a snippet).
        "site_footer": SimpleLazyObject(lambda: footer_get(language=get_language())),
        "viewer_is_moderator": viewer_is_moderator,
        "viewer_is_editor": viewer_is_editor,
        "viewer_is_staff": viewer_is_moderator or viewer_is_editor,
        # Lazy: counted only when a page shows the bell, and only once.
        "unread_notifications": SimpleLazyObject(
            lambda: unread_notification_count(user=user) if signed_in else 0
        ),
    }
    if renders_for_page_cache(request):
        # Rendered once for every visitor: each response gets its own token back
        # (community.cache.cache_page_for_visitors). Overrides Django's processor.
        context["csrf_token"] = csrf_placeholder()
    return context

from django.contrib import admin


def superuser_only(request) -> bool:
    """Django's admin is for superusers; editors work in the Wagtail admin."""
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = superuser_only

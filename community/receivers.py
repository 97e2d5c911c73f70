"""What community does when Wagtail tells it something happened."""

from wagtail.models import GroupPagePermission, Page


def grant_home_permissions_to_translation(sender, source_obj, target_obj, **kwargs):
    """A home page's translation is a new site root beside it, outside the tree where
    groups were given page permissions: it gets the same ones, so whoever edits the
    English pages also edits and publishes their translations."""
    if not isinstance(source_obj, Page) or not source_obj.is_site_root():
        return
    for granted in GroupPagePermission.objects.filter(page=source_obj):
        GroupPagePermission.objects.get_or_create(
            group_id=granted.group_id, page=target_obj, permission_id=granted.permission_id
        )

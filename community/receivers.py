"""What community does when Wagtail tells it something happened."""

from django.db import transaction
from wagtail.models import GroupPagePermission, Page

from community.cache import content_changed
from community.models.forum import Category
from community.search import category_reindex_on_commit


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


def reindex_threads_of_a_saved_category(sender, instance, created, raw=False, **kwargs):
    """Each thread's index entry holds its category's names in every language
    (community.models.Thread), and a translation lends its name to its original's.
    A signal, not an admin hook: wagtail-localize publishes a translation from its
    own editor, which runs no snippet hook."""
    if raw:
        return
    originals = Category.objects.originals().filter(translation_key=instance.translation_key)
    for category_id in originals.values_list("pk", flat=True):
        category_reindex_on_commit(category_id=category_id)


def content_changed_after_publishing(sender, instance, **kwargs):
    """A page went live or was taken down, in a request or not (publish_scheduled):
    cached pages move on once the change is committed."""
    transaction.on_commit(content_changed)


def content_changed_after_saving_the_frame(sender, instance, raw=False, **kwargs):
    """The site settings, the footer or an image (the logo) were saved, in a request or
    not: every page's frame (community.frame) is read again once it is committed."""
    if not raw:
        transaction.on_commit(content_changed)

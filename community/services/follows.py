"""Following a category or a tag: what a member's digest reports on
(community/digests.py). Thread follows, which notify of each reply, are marks
(community/services/marks.py)."""

from django.db import transaction
from taggit.models import Tag

from community import permissions
from community.models.forum import Category
from community.models.marks import CategoryFollow, TagFollow


def _set_follow(model, *, user, on: bool, **target) -> bool:
    """Add or remove the member's row. Idempotent: asking for the state that holds
    changes nothing (get_or_create survives a concurrent insert of the same pair
    through the unique constraint). Returns whether the member follows afterwards."""
    if on:
        model.objects.get_or_create(user=user, **target)
        return True
    model.objects.filter(user=user, **target).delete()
    return False


@transaction.atomic
def category_set_follow(*, user, category: Category, following: bool) -> bool:
    permissions.check_follow(user)
    return _set_follow(CategoryFollow, user=user, on=following, category=category)


@transaction.atomic
def tag_set_follow(*, user, tag: Tag, following: bool) -> bool:
    permissions.check_follow(user)
    return _set_follow(TagFollow, user=user, on=following, tag=tag)

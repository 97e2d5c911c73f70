"""Editors write the announcements shown on the home page, and publish pages.

Wagtail's first migration lets Editors add and change pages but leaves
publishing to Moderators, who in Relais moderate the community and have no
admin access: the pages' publishers are the Editors, and the Moderators group
gives up Wagtail's page permissions (a moderator who also edits pages is added
to both groups). Django creates model
permissions only after all migrations ran, so they are created here if missing.
"""

from django.db import migrations

GROUP = "Editors"
ACTIONS = ("add", "change", "delete", "view")
PAGE_ACTIONS = ("publish_page", "lock_page", "unlock_page")
MODERATORS = "Moderators"
# Wagtail's first migration gives its Moderators these on the root page.
MODERATOR_PAGE_ACTIONS = ("add_page", "change_page", "publish_page", "lock_page", "unlock_page")


def _permissions(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(
        app_label="community", model="announcement"
    )
    return [
        Permission.objects.get_or_create(
            content_type=content_type,
            codename=f"{action}_announcement",
            defaults={"name": f"Can {action} announcement"},
        )[0]
        for action in ACTIONS
    ]


def _page_permissions(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="page")
    return [
        Permission.objects.get_or_create(
            content_type=content_type,
            codename=codename,
            defaults={"name": f"Can {codename.replace('_page', '')} page"},
        )[0]
        for codename in PAGE_ACTIONS
    ]


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(*_permissions(apps))
    root = Page.objects.filter(depth=1).first()
    if root is not None:
        for permission in _page_permissions(apps):
            GroupPagePermission.objects.get_or_create(
                group=group, page=root, permission=permission
            )
    GroupPagePermission.objects.filter(
        group__name=MODERATORS,
        page__depth=1,
        permission__content_type__app_label="wagtailcore",
        permission__codename__in=MODERATOR_PAGE_ACTIONS,
    ).delete()


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Permission = apps.get_model("auth", "Permission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    # Looked up by name: nothing is created on the way back.
    announcement = Permission.objects.filter(
        content_type__app_label="community",
        codename__in=[f"{action}_announcement" for action in ACTIONS],
    )
    for group in Group.objects.filter(name=GROUP):
        group.permissions.remove(*announcement)
        GroupPagePermission.objects.filter(
            group=group,
            page__depth=1,
            permission__content_type__app_label="wagtailcore",
            permission__codename__in=PAGE_ACTIONS,
        ).delete()
    root = Page.objects.filter(depth=1).first()
    moderators = Group.objects.filter(name=MODERATORS).first()
    if root is not None and moderators is not None:
        for permission in Permission.objects.filter(
            content_type__app_label="wagtailcore", codename__in=MODERATOR_PAGE_ACTIONS
        ):
            GroupPagePermission.objects.get_or_create(
                group=moderators, page=root, permission=permission
            )


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0013_remove_home_hero_fields"),
        ("accounts", "0002_roles"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(grant, revoke)]

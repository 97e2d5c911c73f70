"""Editors run the pages and write announcements; Moderators leave the page tree.

Wagtail's first migration lets Editors add and change pages from the root (where
pages reach no URL), leaves publishing to Moderators and sends editors' drafts
to a "Moderators approval" workflow. In Relais the Moderators moderate the
community and have no admin access, so:

- Editors add, change, publish, lock and unlock pages from the home page down;
- the Moderators group gives up Wagtail's page permissions (a moderator who
  also edits pages is added to both groups);
- the default approval workflow is switched off (kept, and can be switched on
  again in Settings → Workflows with a task for Editors);
- Editors add, change, delete and view announcements.

Django creates model permissions only after all migrations ran, so they are
created here if missing. Reversed, Wagtail's defaults come back.
"""

from django.db import migrations

EDITORS = "Editors"
MODERATORS = "Moderators"
ANNOUNCEMENT_ACTIONS = ("add", "change", "delete", "view")
EDITOR_PAGE_ACTIONS = ("add_page", "change_page", "publish_page", "lock_page", "unlock_page")
# What Wagtail's first migration gives on the root page.
WAGTAIL_EDITOR_ROOT_ACTIONS = ("add_page", "change_page")
WAGTAIL_MODERATOR_ROOT_ACTIONS = (
    "add_page",
    "change_page",
    "publish_page",
    "lock_page",
    "unlock_page",
)
DEFAULT_WORKFLOW = "Moderators approval"


def _permission(apps, app_label, model, codename, name):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    return Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": name}
    )[0]


def _page_permission(apps, codename):
    return _permission(
        apps, "wagtailcore", "page", codename, f"Can {codename.replace('_page', '')} page"
    )


def _announcement_permissions(apps):
    return [
        _permission(
            apps,
            "community",
            "announcement",
            f"{action}_announcement",
            f"Can {action} announcement",
        )
        for action in ANNOUNCEMENT_ACTIONS
    ]


def _pages(apps):
    Page = apps.get_model("wagtailcore", "Page")
    HomePage = apps.get_model("community", "HomePage")
    root = Page.objects.filter(depth=1).first()
    home = HomePage.objects.order_by("path").first()
    return root, home


def _set_page_permissions(apps, group_name, page, codenames, *, present):
    Group = apps.get_model("auth", "Group")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    group = Group.objects.filter(name=group_name).first()
    if group is None or page is None:
        return
    for codename in codenames:
        permission = _page_permission(apps, codename)
        if present:
            GroupPagePermission.objects.get_or_create(
                group=group, page_id=page.pk, permission=permission
            )
        else:
            GroupPagePermission.objects.filter(
                group=group, page_id=page.pk, permission=permission
            ).delete()


def _set_default_workflow(apps, *, active):
    Workflow = apps.get_model("wagtailcore", "Workflow")
    Workflow.objects.filter(name=DEFAULT_WORKFLOW).update(active=active)


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    editors.permissions.add(*_announcement_permissions(apps))
    root, home = _pages(apps)
    _set_page_permissions(apps, EDITORS, home or root, EDITOR_PAGE_ACTIONS, present=True)
    if home is not None:
        _set_page_permissions(apps, EDITORS, root, WAGTAIL_EDITOR_ROOT_ACTIONS, present=False)
    _set_page_permissions(apps, MODERATORS, root, WAGTAIL_MODERATOR_ROOT_ACTIONS, present=False)
    _set_default_workflow(apps, active=False)


def backwards(apps, schema_editor):
    # Looked up by name on the way back: nothing is created there.
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    root, home = _pages(apps)
    announcement = Permission.objects.filter(
        content_type__app_label="community",
        codename__in=[f"{action}_announcement" for action in ANNOUNCEMENT_ACTIONS],
    )
    for editors in Group.objects.filter(name=EDITORS):
        editors.permissions.remove(*announcement)
    GroupPagePermission.objects.filter(
        group__name=EDITORS,
        page_id=(home or root).pk,
        permission__content_type__app_label="wagtailcore",
        permission__codename__in=EDITOR_PAGE_ACTIONS,
    ).delete()
    page_permissions = Permission.objects.filter(content_type__app_label="wagtailcore")
    for name, codenames in (
        (EDITORS, WAGTAIL_EDITOR_ROOT_ACTIONS),
        (MODERATORS, WAGTAIL_MODERATOR_ROOT_ACTIONS),
    ):
        group = Group.objects.filter(name=name).first()
        if group is None or root is None:
            continue
        for permission in page_permissions.filter(codename__in=codenames):
            GroupPagePermission.objects.get_or_create(
                group=group, page_id=root.pk, permission=permission
            )
    _set_default_workflow(apps, active=True)


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0013_remove_home_hero_fields"),
        ("accounts", "0002_roles"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

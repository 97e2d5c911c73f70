"""Editors write canned responses in the Wagtail admin; moderators may as well.

Grants add/change/delete on moderation.CannedResponse to the "Editors" and
"Moderators" groups (created by accounts.0002_roles). Django creates model
permissions only after all migrations ran, so they are created here if missing.
"""

from django.db import migrations

GROUPS = ("Editors", "Moderators")
ACTIONS = ("add", "change", "delete")


def _permissions(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(
        app_label="moderation", model="cannedresponse"
    )
    return [
        Permission.objects.get_or_create(
            content_type=content_type,
            codename=f"{action}_cannedresponse",
            defaults={"name": f"Can {action} canned response"},
        )[0]
        for action in ACTIONS
    ]


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    permissions = _permissions(apps)
    for name in GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    permissions = _permissions(apps)
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
        ("accounts", "0002_roles"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]

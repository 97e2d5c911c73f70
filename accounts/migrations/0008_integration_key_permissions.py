"""Editors manage integration keys in the Wagtail admin (Settings → API keys).

Django creates model permissions only after all migrations ran, so the API
credential's add/change/view permissions are created here if missing and given to
Editors; not delete: a key is revoked, its row kept for the record. Reversed,
Editors lose them again.
"""

from django.db import migrations

EDITORS = "Editors"
ACTIONS = ("add", "change", "view")


def _permissions(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label="accounts", model="apicredential")
    return [
        Permission.objects.get_or_create(
            content_type=content_type,
            codename=f"{action}_apicredential",
            defaults={"name": f"Can {action} API credential"},
        )[0]
        for action in ACTIONS
    ]


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    editors.permissions.add(*_permissions(apps))


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for editors in Group.objects.filter(name=EDITORS):
        editors.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_api_credentials"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

"""Editors translate snippets and pages and edit the footer, now a snippet.

The footer's links and contact channels left Settings → Community settings for a
translatable snippet (0024), so Editors get its add/change/delete/view permissions,
and wagtail-localize's "submit translation", which shows the "Translate" action on
pages and snippets. Django creates model permissions only after all migrations
ran, so they are created here if missing. Reversed, Editors lose them again.
"""

from django.db import migrations

EDITORS = "Editors"
FOOTER_ACTIONS = ("add", "change", "delete", "view")


def _permissions(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    footer, _ = ContentType.objects.get_or_create(app_label="community", model="footer")
    permissions = [
        Permission.objects.get_or_create(
            content_type=footer,
            codename=f"{action}_footer",
            defaults={"name": f"Can {action} footer"},
        )[0]
        for action in FOOTER_ACTIONS
    ]
    submit = Permission.objects.filter(
        content_type__app_label="wagtail_localize", codename="submit_translation"
    ).first()
    if submit is not None:
        permissions.append(submit)
    return permissions


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
        ("community", "0025_footer_snippet"),
        ("accounts", "0002_roles"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtail_localize", "0006_create_submit_translation_permission"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

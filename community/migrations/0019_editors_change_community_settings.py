"""Editors open and save Settings → Community settings in the Wagtail admin.

Wagtail shows a site setting to whoever holds its change permission, and the
Editors group did not: only superusers could reach the page the README gives to
editors. Django creates model permissions only after all migrations ran, so the
permission is created here if missing. Reversed, Editors lose it again (the
permission itself stays, as Django would have created it anyway).
"""

from django.db import migrations

EDITORS = "Editors"
CHANGE_SETTINGS = ("community", "communitysettings", "change_communitysettings")


def _change_settings_permission(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    app_label, model, codename = CHANGE_SETTINGS
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    return Permission.objects.get_or_create(
        content_type=content_type,
        codename=codename,
        defaults={"name": "Can change community settings"},
    )[0]


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    editors.permissions.add(_change_settings_permission(apps))


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    app_label, _model, codename = CHANGE_SETTINGS
    permission = Permission.objects.filter(
        content_type__app_label=app_label, codename=codename
    ).first()
    if permission is None:
        return
    for editors in Group.objects.filter(name=EDITORS):
        editors.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0018_post_image_attachments"),
        ("accounts", "0002_roles"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

"""The community's roles as groups.

Wagtail's first migration already creates groups named Moderators and Editors,
both with admin access. In Relais, Moderators post official replies and moderate
the community (they do not need the Wagtail admin); Editors run the Wagtail admin.
"""

from django.db import migrations

MODERATE = ("accounts", "user", "moderate_community", "Can post official replies and moderate")
ACCESS_ADMIN = ("wagtailadmin", "admin", "access_admin", "Can access Wagtail admin")


def _permission(apps, app_label, model, codename, name):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": name}
    )
    return permission


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    moderators, _ = Group.objects.get_or_create(name="Moderators")
    editors, _ = Group.objects.get_or_create(name="Editors")
    moderate = _permission(apps, *MODERATE)
    access_admin = _permission(apps, *ACCESS_ADMIN)
    moderators.permissions.add(moderate)
    moderators.permissions.remove(access_admin)
    editors.permissions.add(access_admin)


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    moderate = _permission(apps, *MODERATE)
    access_admin = _permission(apps, *ACCESS_ADMIN)
    for moderators in Group.objects.filter(name="Moderators"):
        moderators.permissions.remove(moderate)
        moderators.permissions.add(access_admin)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0002_initial_data"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]

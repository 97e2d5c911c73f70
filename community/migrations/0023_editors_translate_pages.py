"""Editors translate pages and snippets with wagtail-localize's "Translate" action.

The action asks for wagtail_localize.submit_translation, which no group held. The
French pages are a tree of their own beside the English one (under the French home
page): Editors get on each home page translation the page permissions they hold on
the English home page (migration 0014), so they can edit and publish the French
pages too. Home pages translated later get them when they are created
(community.receivers). Reversed, Editors lose the permission to translate.
"""

from django.db import migrations

EDITORS = "Editors"


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    HomePage = apps.get_model("community", "HomePage")
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    submit = Permission.objects.get(
        content_type__app_label="wagtail_localize", codename="submit_translation"
    )
    editors.permissions.add(submit)
    homes = list(HomePage.objects.order_by("path"))
    if not homes:
        return
    source, translations = homes[0], homes[1:]
    for granted in GroupPagePermission.objects.filter(page_id=source.pk):
        for home in translations:
            GroupPagePermission.objects.get_or_create(
                group_id=granted.group_id, page_id=home.pk, permission_id=granted.permission_id
            )


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    submit = Permission.objects.filter(
        content_type__app_label="wagtail_localize", codename="submit_translation"
    ).first()
    if submit is None:
        return
    for editors in Group.objects.filter(name=EDITORS):
        editors.permissions.remove(submit)


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0022_content_locales"),
        ("wagtail_localize", "0016_rename_page_revision_translationlog_revision"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

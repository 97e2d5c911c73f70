import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def into_default_locale(apps, schema_editor):
    """Every existing canned response becomes the default-language version of itself."""
    Locale = apps.get_model("wagtailcore", "Locale")
    CannedResponse = apps.get_model("moderation", "CannedResponse")
    default, _created = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    for row in CannedResponse.objects.filter(translation_key__isnull=True).only("pk"):
        CannedResponse.objects.filter(pk=row.pk).update(
            translation_key=uuid.uuid4(), locale=default
        )


def drop_translations(apps, schema_editor):
    CannedResponse = apps.get_model("moderation", "CannedResponse")
    CannedResponse.objects.exclude(locale__language_code=settings.LANGUAGE_CODE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0002_canned_response_permissions"),
        ("community", "0024_translatable_categories_and_announcements"),
    ]

    operations = [
        migrations.AddField(
            model_name="cannedresponse",
            name="translation_key",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.AddField(
            model_name="cannedresponse",
            name="locale",
            field=models.ForeignKey(
                null=True,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="wagtailcore.locale",
                verbose_name="locale",
            ),
        ),
        migrations.RunPython(into_default_locale, drop_translations),
        migrations.AlterField(
            model_name="cannedresponse",
            name="translation_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.AlterField(
            model_name="cannedresponse",
            name="locale",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="wagtailcore.locale",
                verbose_name="locale",
            ),
        ),
        migrations.AlterUniqueTogether(
            name="cannedresponse", unique_together={("translation_key", "locale")}
        ),
    ]

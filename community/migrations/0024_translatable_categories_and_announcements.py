import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TRANSLATED = ("category", "announcement")


def into_default_locale(apps, schema_editor):
    """Every existing category and announcement becomes the default-language row of
    its own translation set."""
    Locale = apps.get_model("wagtailcore", "Locale")
    default, _created = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    for model_name in TRANSLATED:
        model = apps.get_model("community", model_name)
        for row in model.objects.filter(translation_key__isnull=True).only("pk"):
            model.objects.filter(pk=row.pk).update(translation_key=uuid.uuid4(), locale=default)


def drop_translations(apps, schema_editor):
    """Back to one row per category and announcement: the translations go, the
    default-language rows (the ones threads point to) stay as they are."""
    for model_name in TRANSLATED:
        model = apps.get_model("community", model_name)
        model.objects.exclude(locale__language_code=settings.LANGUAGE_CODE).delete()


def translation_fields(model_name: str) -> list:
    return [
        migrations.AddField(
            model_name=model_name,
            name="translation_key",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.AddField(
            model_name=model_name,
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
    ]


def required_translation_fields(model_name: str) -> list:
    return [
        migrations.AlterField(
            model_name=model_name,
            name="translation_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.AlterField(
            model_name=model_name,
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
            name=model_name, unique_together={("translation_key", "locale")}
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0023_editors_translate_pages"),
        ("wagtailcore", "0054_initial_locale"),
    ]

    operations = [
        *translation_fields("category"),
        *translation_fields("announcement"),
        migrations.RunPython(into_default_locale, drop_translations),
        *required_translation_fields("category"),
        *required_translation_fields("announcement"),
        # Names and slugs are unique within a language; a translation keeps its
        # original's slug, so a category has one address.
        migrations.AlterField(
            model_name="category",
            name="name",
            field=models.CharField(max_length=80, verbose_name="name"),
        ),
        migrations.AlterField(
            model_name="category",
            name="slug",
            field=models.SlugField(max_length=80, verbose_name="slug"),
        ),
        migrations.AddConstraint(
            model_name="category",
            constraint=models.UniqueConstraint(
                fields=("locale", "name"), name="category_name_per_locale"
            ),
        ),
        migrations.AddConstraint(
            model_name="category",
            constraint=models.UniqueConstraint(
                fields=("locale", "slug"), name="category_slug_per_locale"
            ),
        ),
    ]

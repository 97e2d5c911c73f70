from django.conf import settings
from django.db import migrations


def create_locales(apps, schema_editor):
    """Every language the site ships gets a Wagtail locale, so that editors can
    translate pages and snippets into it from the start."""
    Locale = apps.get_model("wagtailcore", "Locale")
    for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES:
        Locale.objects.get_or_create(language_code=code)


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0021_thread_language"),
        ("wagtailcore", "0054_initial_locale"),
    ]

    # Reversing keeps the locales: content in them may exist by then.
    operations = [migrations.RunPython(create_locales, migrations.RunPython.noop)]

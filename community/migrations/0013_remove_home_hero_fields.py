"""The home page's hero text and introduction now live in its body (0012)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("community", "0012_home_body_from_hero")]

    operations = [
        migrations.RemoveField(model_name="homepage", name="hero_text"),
        migrations.RemoveField(model_name="homepage", name="intro"),
    ]

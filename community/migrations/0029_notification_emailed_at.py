from django.db import migrations, models
from django.db.models import F


def earlier_notifications_were_handled(apps, schema_editor):
    # Notifications made before delivery was recorded had their e-mail task run
    # already: a task run again must not send them a second time.
    Notification = apps.get_model("community", "Notification")
    Notification.objects.filter(emailed_at__isnull=True).update(emailed_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0028_help_article_votes"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="emailed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(earlier_notifications_were_handled, migrations.RunPython.noop),
    ]

"""Webhook subscriptions, their delivery log and the marks of overdue threads
announced; Editors manage subscriptions in the Wagtail admin.

Django creates model permissions only after all migrations ran, so the
subscription's add/change/delete/view permissions are created here if missing and
given to Editors. Reversed, Editors lose them again.
"""

import community.models.webhooks
import django.db.models.deletion
from django.db import migrations, models

EDITORS = "Editors"
ACTIONS = ("add", "change", "delete", "view")


def _permissions(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(
        app_label="community", model="webhooksubscription"
    )
    return [
        Permission.objects.get_or_create(
            content_type=content_type,
            codename=f"{action}_webhooksubscription",
            defaults={"name": f"Can {action} webhook subscription"},
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
        ("community", "0035_business_hours"),
        ("accounts", "0002_roles"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="WebhookSubscription",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                (
                    "target_url",
                    models.URLField(
                        help_text="The receiver's address; events are POSTed to it as JSON.",
                        max_length=500,
                        validators=[community.models.webhooks.validate_webhook_url],
                        verbose_name="target URL",
                    ),
                ),
                (
                    "secret",
                    models.CharField(
                        default=community.models.webhooks.generate_webhook_secret,
                        help_text="Your receiver checks the X-Relais-Signature header with it (HMAC-SHA256 of the body). Change it here and in the receiver at the same time.",
                        max_length=128,
                        verbose_name="secret",
                    ),
                ),
                (
                    "events",
                    community.models.webhooks.EventListField(default=list, verbose_name="events"),
                ),
                (
                    "is_active",
                    models.BooleanField(
                        default=True,
                        help_text="Switched off, nothing is sent to it.",
                        verbose_name="active",
                    ),
                ),
                (
                    "paused_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="paused at"
                    ),
                ),
                (
                    "paused_reason",
                    models.CharField(
                        blank=True, editable=False, max_length=300, verbose_name="paused because"
                    ),
                ),
                ("given_up_in_a_row", models.PositiveIntegerField(default=0, editable=False)),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
            ],
            options={
                "verbose_name": "webhook subscription",
                "verbose_name_plural": "webhook subscriptions",
                "ordering": ["name", "pk"],
            },
        ),
        migrations.CreateModel(
            name="ThreadOverdueMark",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("due_at", models.DateTimeField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "thread",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="community.thread",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("thread", "due_at"), name="thread_overdue_once")
                ],
            },
        ),
        migrations.CreateModel(
            name="WebhookDelivery",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "event",
                    models.CharField(
                        choices=[
                            ("thread.created", "Thread created (public at once)"),
                            ("thread.published", "Thread published after approval"),
                            ("reply.created", "Reply created (every public reply)"),
                            ("reply.official", "Official reply"),
                            ("thread.solved", "Solution accepted"),
                            ("thread.hidden", "Thread hidden by a moderator"),
                            ("thread.restored", "Thread restored by a moderator"),
                            ("thread.overdue", "Thread overdue (its reply is late)"),
                            ("resolution.not_yet", "Asker answered “Not yet”"),
                            ("satisfaction.received", "Satisfaction rating received"),
                        ],
                        max_length=40,
                        verbose_name="event",
                    ),
                ),
                ("event_id", models.UUIDField(db_index=True, verbose_name="event id")),
                ("payload", models.JSONField(verbose_name="data")),
                ("created_at", models.DateTimeField(verbose_name="created at")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("succeeded", "Succeeded"),
                            ("failed", "Failed, will retry"),
                            ("given_up", "Given up"),
                        ],
                        default="pending",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="attempts")),
                (
                    "next_attempt_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="next attempt at"),
                ),
                (
                    "last_attempt_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="last attempt at"),
                ),
                (
                    "response_status_code",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="response code"
                    ),
                ),
                (
                    "last_error",
                    models.CharField(blank=True, max_length=300, verbose_name="last error"),
                ),
                (
                    "subscription",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deliveries",
                        to="community.webhooksubscription",
                    ),
                ),
            ],
            options={
                "verbose_name": "webhook delivery",
                "verbose_name_plural": "webhook deliveries",
                "indexes": [
                    models.Index(
                        condition=models.Q(("status__in", ["pending", "failed"])),
                        fields=["next_attempt_at"],
                        name="webhook_delivery_due",
                    ),
                    models.Index(
                        fields=["subscription", "-created_at"], name="webhook_delivery_log"
                    ),
                ],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]

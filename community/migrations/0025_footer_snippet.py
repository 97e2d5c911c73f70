
import django.db.models.deletion
import uuid
import wagtail.fields
from django.conf import settings
from django.db import migrations, models


def footer_from_settings(apps, schema_editor):
    """Today's footer links and contact channels become the default language's footer."""
    CommunitySettings = apps.get_model("community", "CommunitySettings")
    Footer = apps.get_model("community", "Footer")
    Locale = apps.get_model("wagtailcore", "Locale")
    rules = CommunitySettings.objects.order_by("pk").first()
    if rules is None:
        return
    default, _created = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if not Footer.objects.filter(locale=default).exists():
        Footer.objects.create(
            locale=default,
            footer_links=list(rules.footer_links.raw_data),
            contact_channels=list(rules.contact_channels.raw_data),
        )


def footer_to_settings(apps, schema_editor):
    """Back into the settings: the default language's footer (translations cannot go
    there)."""
    CommunitySettings = apps.get_model("community", "CommunitySettings")
    Footer = apps.get_model("community", "Footer")
    footer = Footer.objects.filter(locale__language_code=settings.LANGUAGE_CODE).first()
    rules = CommunitySettings.objects.order_by("pk").first()
    if footer is None or rules is None:
        return
    rules.footer_links = list(footer.footer_links.raw_data)
    rules.contact_channels = list(footer.contact_channels.raw_data)
    rules.save(update_fields=["footer_links", "contact_channels"])


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0024_translatable_categories_and_announcements"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.CreateModel(
            name="Footer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("translation_key", models.UUIDField(default=uuid.uuid4, editable=False)),
                (
                    "footer_links",
                    wagtail.fields.StreamField(
                        [("link", 2)],
                        blank=True,
                        block_lookup={
                            0: (
                                "wagtail.blocks.CharBlock",
                                (),
                                {"label": "label", "max_length": 60},
                            ),
                            1: ("wagtail.blocks.URLBlock", (), {"label": "address"}),
                            2: ("wagtail.blocks.StructBlock", [[("label", 0), ("url", 1)]], {}),
                        },
                        verbose_name="footer links",
                    ),
                ),
                (
                    "contact_channels",
                    wagtail.fields.StreamField(
                        [("channel", 3)],
                        blank=True,
                        block_lookup={
                            0: (
                                "wagtail.blocks.ChoiceBlock",
                                [],
                                {
                                    "choices": [
                                        ("email", "E-mail"),
                                        ("phone", "Phone"),
                                        ("chat", "Chat"),
                                        ("social", "Social network"),
                                    ],
                                    "label": "kind",
                                },
                            ),
                            1: (
                                "wagtail.blocks.CharBlock",
                                (),
                                {"label": "label", "max_length": 60},
                            ),
                            2: (
                                "wagtail.blocks.CharBlock",
                                (),
                                {
                                    "help_text": "An e-mail address, a phone number or a web address (https://…).",
                                    "label": "address, number or link",
                                    "max_length": 200,
                                },
                            ),
                            3: (
                                "wagtail.blocks.StructBlock",
                                [[("kind", 0), ("label", 1), ("value", 2)]],
                                {},
                            ),
                        },
                        help_text="Shown in the footer under “Contact us”.",
                        verbose_name="contact channels",
                    ),
                ),
                (
                    "locale",
                    models.ForeignKey(
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="wagtailcore.locale",
                        verbose_name="locale",
                    ),
                ),
            ],
            options={
                "verbose_name": "footer",
                "verbose_name_plural": "footers",
                "abstract": False,
                "unique_together": {("translation_key", "locale")},
            },
        ),
        migrations.RunPython(footer_from_settings, footer_to_settings),
        migrations.RemoveField(
            model_name="communitysettings",
            name="contact_channels",
        ),
        migrations.RemoveField(
            model_name="communitysettings",
            name="footer_links",
        ),
    ]

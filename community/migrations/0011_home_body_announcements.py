"""The home page's sections (a StreamField) and the brand's announcements.

The hero text and introduction move into the new body by the next migration;
only then are their columns removed.
"""

import django.db.models.deletion
import django.utils.timezone
import wagtail.fields
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0010_site_branding"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("wagtailcore", "0098_apitoken"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Announcement",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=120, verbose_name="title")),
                ("body", wagtail.fields.RichTextField(blank=True, verbose_name="text")),
                (
                    "link_url",
                    models.URLField(
                        blank=True, help_text="Where “Read more” leads.", verbose_name="link"
                    ),
                ),
                (
                    "link_label",
                    models.CharField(
                        blank=True,
                        help_text="Leave empty for “Read more”, translated for each visitor.",
                        max_length=60,
                        verbose_name="link label",
                    ),
                ),
                (
                    "starts_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="show from"
                    ),
                ),
                (
                    "ends_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="Leave empty to show it until removed.",
                        null=True,
                        verbose_name="show until",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
            ],
            options={
                "verbose_name": "announcement",
                "verbose_name_plural": "announcements",
                "ordering": ["-starts_at", "-pk"],
            },
        ),
        migrations.AddField(
            model_name="homepage",
            name="body",
            field=wagtail.fields.StreamField(
                [
                    ("hero", 3),
                    ("category_grid", 6),
                    ("featured_threads", 9),
                    ("latest_threads", 12),
                    ("announcements", 14),
                    ("rich_text", 15),
                    ("call_to_action", 18),
                ],
                blank=True,
                block_lookup={
                    0: ("wagtail.blocks.CharBlock", (), {"label": "heading", "max_length": 120}),
                    1: (
                        "wagtail.blocks.RichTextBlock",
                        (),
                        {
                            "features": ["bold", "italic", "link"],
                            "label": "text",
                            "required": False,
                        },
                    ),
                    2: (
                        "wagtail.blocks.BooleanBlock",
                        (),
                        {"default": True, "label": "show the search box", "required": False},
                    ),
                    3: (
                        "wagtail.blocks.StructBlock",
                        [[("heading", 0), ("text", 1), ("show_search", 2)]],
                        {},
                    ),
                    4: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {
                            "help_text": "Leave empty for the default heading, translated for each visitor.",
                            "label": "heading",
                            "max_length": 80,
                            "required": False,
                        },
                    ),
                    5: (
                        "wagtail.blocks.BooleanBlock",
                        (),
                        {
                            "default": True,
                            "label": "show how many discussions each has",
                            "required": False,
                        },
                    ),
                    6: ("wagtail.blocks.StructBlock", [[("heading", 4), ("show_counts", 5)]], {}),
                    7: ("community.blocks.ThreadChooserBlock", (), {"label": "thread"}),
                    8: (
                        "wagtail.blocks.ListBlock",
                        (7,),
                        {"label": "threads", "max_num": 10, "min_num": 1},
                    ),
                    9: ("wagtail.blocks.StructBlock", [[("heading", 4), ("threads", 8)]], {}),
                    10: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {
                            "choices": [
                                ("solved", "Recently solved"),
                                ("active", "Latest activity"),
                                ("unanswered", "Waiting for a first reply"),
                            ],
                            "label": "show",
                        },
                    ),
                    11: (
                        "wagtail.blocks.IntegerBlock",
                        (),
                        {"default": 5, "label": "how many", "max_value": 12, "min_value": 1},
                    ),
                    12: (
                        "wagtail.blocks.StructBlock",
                        [[("heading", 4), ("show", 10), ("count", 11)]],
                        {},
                    ),
                    13: (
                        "wagtail.blocks.IntegerBlock",
                        (),
                        {"default": 3, "label": "how many", "max_value": 10, "min_value": 1},
                    ),
                    14: ("wagtail.blocks.StructBlock", [[("heading", 4), ("count", 13)]], {}),
                    15: (
                        "community.blocks.HomeRichTextBlock",
                        (),
                        {"features": ["h2", "h3", "bold", "italic", "link", "ol", "ul"]},
                    ),
                    16: (
                        "wagtail.blocks.TextBlock",
                        (),
                        {"label": "text", "max_length": 300, "required": False},
                    ),
                    17: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {
                            "help_text": "Leave empty for “Ask the community”, translated for each visitor.",
                            "label": "button label",
                            "max_length": 40,
                            "required": False,
                        },
                    ),
                    18: (
                        "wagtail.blocks.StructBlock",
                        [[("heading", 0), ("text", 16), ("button_label", 17)]],
                        {},
                    ),
                },
                help_text="The sections of the home page, top to bottom. A hero placed first spans the full width.",
                verbose_name="body",
            ),
        ),
        migrations.AddIndex(
            model_name="thread",
            index=models.Index(
                condition=models.Q(("solution__isnull", False)),
                fields=["visibility", "-solved_at"],
                name="thread_solved_newest",
            ),
        ),
        migrations.AddField(
            model_name="announcement",
            name="latest_revision",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="wagtailcore.revision",
                verbose_name="latest revision",
            ),
        ),
        migrations.AddIndex(
            model_name="announcement",
            index=models.Index(fields=["-starts_at"], name="announcement_starts"),
        ),
    ]

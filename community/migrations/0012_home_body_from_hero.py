"""Move the home page's hero text and introduction into its new body.

A home page with an empty body gets the sections the old page showed: a hero
with its text and the search box, the categories, the latest solved threads and
the latest activity, and a call to ask. Saved revisions get the same body, so
the editor opens what visitors see. Reversed, the hero's heading and text go
back into their own fields.
"""

import json
import uuid

from django.db import migrations

DEFAULT_HEADING = "How can we help?"


def _block(block_type, value):
    return {"type": block_type, "value": value, "id": str(uuid.uuid4())}


def _default_body(hero_text, intro):
    return [
        _block(
            "hero",
            {"heading": hero_text or DEFAULT_HEADING, "text": intro, "show_search": True},
        ),
        _block("category_grid", {"heading": "", "show_counts": True}),
        _block("latest_threads", {"heading": "", "show": "solved", "count": 5}),
        _block("latest_threads", {"heading": "", "show": "active", "count": 6}),
        _block("call_to_action", {"heading": "Still stuck?", "text": "", "button_label": ""}),
    ]


def _home_revisions(apps, page):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Revision = apps.get_model("wagtailcore", "Revision")
    home_type = ContentType.objects.filter(app_label="community", model="homepage").first()
    if home_type is None:
        return Revision.objects.none()
    return Revision.objects.filter(content_type=home_type, object_id=str(page.pk))


def hero_into_body(apps, schema_editor):
    HomePage = apps.get_model("community", "HomePage")
    for page in HomePage.objects.all():
        if page.body.raw_data:
            continue
        body = _default_body(page.hero_text, page.intro)
        page.body = body
        page.save(update_fields=["body"])
        for revision in _home_revisions(apps, page):
            content = dict(revision.content)
            if not content.get("body"):
                content["body"] = json.dumps(
                    _default_body(content.get("hero_text", ""), content.get("intro", ""))
                )
                revision.content = content
                revision.save(update_fields=["content"])


def body_into_hero(apps, schema_editor):
    HomePage = apps.get_model("community", "HomePage")
    for page in HomePage.objects.all():
        hero = next((block for block in page.body.raw_data if block["type"] == "hero"), None)
        if hero is None:
            continue
        page.hero_text = hero["value"].get("heading", "")[:255]
        page.intro = hero["value"].get("text", "")
        page.save(update_fields=["hero_text", "intro"])


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0011_home_body_announcements"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(hero_into_body, body_into_hero)]

"""Each thread's words stored for PostgreSQL's full-text search, with their GIN
indexes, and the vectors of the threads already written (community.models.search).

Elsewhere than on PostgreSQL the table stays empty (the search reads the index) and
has no GIN index. The backfill reads the threads a chunk at a time, each chunk's
replies and tags in one query, as the search backend writes them; `manage.py
update_index` writes them again too.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from community.folding import fold

CHUNK_SIZE = 1000
# As community.models.forum.SEARCH_REPLIES_INDEXED and community.search_backend
# were when this migration was written.
REPLIES_INDEXED = 50
TEXT_SEARCH_CONFIGS = {"en": "english", "fr": "french"}
UPSERT = """
    INSERT INTO community_threadsearchdocument (thread_id, title, document)
    SELECT v.thread_id, setweight(to_tsvector(v.config::regconfig, v.title), 'A'),
        setweight(to_tsvector(v.config::regconfig, v.title), 'A')
        || setweight(to_tsvector(v.config::regconfig, v.question), 'B')
        || setweight(to_tsvector(v.config::regconfig, v.replies), 'C')
        || setweight(to_tsvector(v.config::regconfig, v.category), 'D')
    FROM (VALUES {rows}) AS v (thread_id, config, title, question, replies, category)
    ON CONFLICT (thread_id) DO UPDATE SET title = EXCLUDED.title, document = EXCLUDED.document
"""
GIN_INDEXES = [
    "CREATE INDEX thread_search_title_gin ON community_threadsearchdocument USING gin (title)",
    "CREATE INDEX thread_search_document_gin "
    "ON community_threadsearchdocument USING gin (document)",
]


def _category_names(apps) -> dict[int, str]:
    """Each category's names in every language, as Category.search_names gives them."""
    Category = apps.get_model("community", "Category")
    languages = [code for code, _name in settings.LANGUAGES]
    by_key: dict = {}
    for row in Category.objects.values("translation_key", "name", "locale__language_code"):
        by_key.setdefault(row["translation_key"], {})[row["locale__language_code"]] = row["name"]
    names = {}
    for category in Category.objects.only("pk", "name", "translation_key"):
        found = [category.name]
        for code in languages:
            name = by_key.get(category.translation_key, {}).get(code)
            if name and name not in found:
                found.append(name)
        names[category.pk] = " ".join(found)
    return names


def _write_chunk(apps, cursor, threads, category_names) -> None:
    Reply = apps.get_model("community", "Reply")
    TaggedThread = apps.get_model("community", "TaggedThread")
    ids = [thread.pk for thread in threads]
    replies: dict[int, list[str]] = {}
    rows = (
        Reply.objects.filter(thread_id__in=ids, visibility="visible")
        .order_by("thread_id", "pk")
        .values_list("thread_id", "body")
    )
    for thread_id, body in rows.iterator(chunk_size=10_000):
        kept = replies.setdefault(thread_id, [])
        if len(kept) < REPLIES_INDEXED:
            kept.append(body)
    tags: dict[int, list[str]] = {}
    for thread_id, name in TaggedThread.objects.filter(content_object_id__in=ids).values_list(
        "content_object_id", "tag__name"
    ):
        tags.setdefault(thread_id, []).append(name)
    params = []
    for thread in threads:
        params += [
            thread.pk,
            TEXT_SEARCH_CONFIGS.get(thread.language, "simple"),
            fold(thread.title),
            fold(" ".join([thread.body, *tags.get(thread.pk, ())])),
            fold(" ".join(replies.get(thread.pk, ()))),
            fold(category_names.get(thread.category_id, "")),
        ]
    values = ", ".join(["(%s::bigint, %s, %s, %s, %s, %s)"] * len(threads))
    cursor.execute(UPSERT.format(rows=values), params)


def backfill(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Thread = apps.get_model("community", "Thread")
    threads = Thread.objects.order_by("pk").only("pk", "title", "body", "language", "category")
    category_names = _category_names(apps)
    last_pk = 0
    with schema_editor.connection.cursor() as cursor:
        while chunk := list(threads.filter(pk__gt=last_pk)[:CHUNK_SIZE]):
            _write_chunk(apps, cursor, chunk, category_names)
            last_pk = chunk[-1].pk


def create_indexes(apps, schema_editor):
    # Built once the rows are in: faster than keeping them up to date row by row.
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in GIN_INDEXES:
        schema_editor.execute(statement)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS thread_search_title_gin")
    schema_editor.execute("DROP INDEX IF EXISTS thread_search_document_gin")


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0030_proposed_edits"),
    ]

    operations = [
        migrations.CreateModel(
            name="ThreadSearchDocument",
            fields=[
                (
                    "thread",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="community.thread",
                        verbose_name="thread",
                    ),
                ),
                ("title", django.contrib.postgres.search.SearchVectorField()),
                ("document", django.contrib.postgres.search.SearchVectorField()),
            ],
            options={
                "verbose_name": "thread search document",
                "verbose_name_plural": "thread search documents",
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(create_indexes, drop_indexes),
    ]

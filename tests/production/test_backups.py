"""Backups that restore (issue 17, item 4): README's pg_dump / pg_restore round trip
on the run's own cluster finds the same rows, counters and queue."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.production


def row_counts(stack, database: str) -> dict[str, int]:
    tables = stack.sql(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name",
        database=database,
    )
    counts = {}
    for (table,) in tables:
        counts[table] = stack.sql(f'SELECT count(*) FROM "{table}"', database=database)[0][0]  # noqa: S608
    return counts


def test_pg_dump_restores_the_same_rows_counters_and_queue(stack, tmp_path):
    stack.wait_for_tasks()
    dump = tmp_path / "relais.dump"
    # The commands README gives (section "Backups").
    stack.postgres.tool("pg_dump", "--format=custom", "--no-owner", f"--file={dump}", "relais")
    stack.postgres.create_database("relais_restored")
    stack.postgres.tool("pg_restore", "--no-owner", "--dbname=relais_restored", str(dump))

    original, restored = row_counts(stack, "relais"), row_counts(stack, "relais_restored")
    assert restored == original
    # The seeded community and whatever the tests before wrote are there.
    assert original["community_thread"] >= 12
    assert original["community_reply"] >= 12
    assert original["accounts_user"] >= 40
    stack.check_counters_and_queue("relais_restored")
    # The queue holds the same threads in both.
    awaiting = "SELECT count(*) FROM community_thread"
    assert stack.sql(awaiting, database="relais_restored") == stack.sql(awaiting)

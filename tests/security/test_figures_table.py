"""SECURITY.md's table is printed from the runs' figures, not typed by hand."""

from tests.security.figures_table import table


def _figure(title, cases, failures, **extra):
    return {
        "title": title,
        "cases_label": "cases",
        "failures_label": "failures",
        "cases": cases,
        "failures": failures,
        "when_not_run": "not run: PostgreSQL only",
        "extra": extra,
    }


def test_each_figure_is_a_row_with_a_cell_per_run():
    sqlite = [_figure("Stored XSS", 4558, 0), _figure("Concurrency", 0, 0)]
    postgres = [_figure("Stored XSS", 4484, 1), _figure("Concurrency", 1100, 0)]

    lines = table(sqlite, postgres, headers=["SQLite", "PostgreSQL"]).splitlines()

    assert lines[0] == "| figure | SQLite | PostgreSQL |"
    assert lines[2] == "| stored xss: cases, failures | 4,558, 0 | 4,484, 1 |"
    assert lines[3] == ("| concurrency: cases, failures | not run: PostgreSQL only | 1,100, 0 |")


def test_a_figure_missing_from_one_run_says_so_and_extras_follow_the_counts():
    sqlite = [_figure("Write load", 900, 0, p99_ms=41.4), _figure("Stored XSS", 3, 0, p99_ms=None)]

    lines = table(sqlite, [], headers=["SQLite", "PostgreSQL"]).splitlines()

    assert lines[2] == "| write load: cases, failures | 900, 0 (p99 41 ms) | not in this run |"
    assert lines[3] == "| stored xss: cases, failures | 3, 0 | not in this run |"

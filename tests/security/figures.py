"""The security suite's figures, printed at the end of every test run.

Each security test adds what it tried and what went wrong to one of the
figures below; `tests/conftest.py` prints them after the run, so the README's
test command shows them (issue 8: "the suite prints its figures"). A figure
whose tests did not run (the concurrency rounds on SQLite) says so.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Figure:
    title: str
    cases_label: str
    failures_label: str
    cases: int = 0
    failures: int = 0
    # Why a figure may be missing from a run (its tests need PostgreSQL).
    when_not_run: str = "not run in this run"
    # The slowest answer but 1 %, for figures that time what they count (write load).
    p99_ms: float | None = None


# tests/production starts servers of its own; where their binaries are missing it skips.
PRODUCTION_NOT_RUN = (
    "not run in this run (tests/production, which needs PostgreSQL's server binaries "
    "and redis-server)"
)

FIGURES: dict[str, Figure] = {
    "xss": Figure("Stored XSS", "cases", "violations"),
    "bad_input": Figure(
        "Bad input", "cases", "failures (5xx, CPU-time overrun, neither 4xx nor form error)"
    ),
    "matrix": Figure("Permission matrix", "cells", "mismatches"),
    "api_matrix": Figure("API permission matrix", "cells", "mismatches"),
    "concurrency": Figure(
        "Concurrency",
        "concurrent operations",
        "lost updates",
        when_not_run="not run: PostgreSQL only (set DATABASE_URL)",
    ),
    "double_submit": Figure("Double submits", "duplicate submissions", "extra rows"),
    "write_load": Figure(
        "Write load",
        "operations",
        "errors (5xx or dropped)",
        when_not_run=PRODUCTION_NOT_RUN,
    ),
    "faults": Figure(
        "Faults survived",
        "faults",
        "failures",
        when_not_run=PRODUCTION_NOT_RUN,
    ),
}


def record(figure: str, *, cases: int, failures: int = 0, p99_ms: float | None = None) -> None:
    """Add `cases` tried and `failures` found to a figure; call it before asserting.
    A timed figure keeps the highest p99 recorded in the run."""
    FIGURES[figure].cases += cases
    FIGURES[figure].failures += failures
    if p99_ms is not None:
        FIGURES[figure].p99_ms = max(p99_ms, FIGURES[figure].p99_ms or 0.0)


def summary_lines() -> list[str]:
    lines = []
    for figure in FIGURES.values():
        if figure.cases:
            timing = "" if figure.p99_ms is None else f", p99 {figure.p99_ms:.0f} ms"
            lines.append(
                f"{figure.title}: {figure.cases} {figure.cases_label}{timing}, "
                f"{figure.failures} {figure.failures_label}"
            )
        else:
            lines.append(f"{figure.title}: {figure.when_not_run}")
    return lines

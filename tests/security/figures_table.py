"""SECURITY.md's table of figures, from what two runs of the suite recorded.

Each run writes its figures when SECURITY_FIGURES_FILE names a file (tests/conftest.py);
`.ci/run` runs the suite on SQLite, then on PostgreSQL, and prints this table from the
two files, so the table in SECURITY.md is copied from a run, never typed by hand:

    python -m tests.security.figures_table sqlite.json postgres.json
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

BASE_FIELDS = {"title", "cases_label", "failures_label", "cases", "failures", "when_not_run"}


def figures_as_data() -> list[dict]:
    """This run's figures as plain data; fields beyond the common ones (a figure's own
    measures, such as a latency) go under "extra"."""
    from tests.security.figures import FIGURES

    data = []
    for figure in FIGURES.values():
        fields = dataclasses.asdict(figure)
        extra = {name: value for name, value in fields.items() if name not in BASE_FIELDS}
        data.append({name: fields[name] for name in BASE_FIELDS} | {"extra": extra})
    return data


def _cell(figure: dict | None) -> str:
    if figure is None:
        return "not in this run"
    if not figure["cases"]:
        return figure["when_not_run"]
    cell = f"{figure['cases']:,}, {figure['failures']:,}"
    for name, value in figure.get("extra", {}).items():
        if value is None:  # a measure this figure does not take
            continue
        if name.endswith("_ms"):
            cell += f" ({name.removesuffix('_ms')} {round(value):,} ms)"
        else:
            cell += f" ({name} {value})"
    return cell


def table(*runs: list[dict], headers: list[str]) -> str:
    by_title = [{figure["title"]: figure for figure in run} for run in runs]
    titles = list(dict.fromkeys(figure["title"] for run in runs for figure in run))
    lines = [
        "| figure | " + " | ".join(headers) + " |",
        "| --- |" + " --- |" * len(headers),
    ]
    for title in titles:
        first = next(run[title] for run in by_title if title in run)
        label = f"{title.lower()}: {first['cases_label']}, {first['failures_label']}"
        lines.append(f"| {label} | " + " | ".join(_cell(run.get(title)) for run in by_title) + " |")
    return "\n".join(lines)


def main(paths: list[str]) -> None:
    runs = [json.loads(Path(path).read_text()) for path in paths]
    headers = ["SQLite", "PostgreSQL"][: len(runs)]
    print(table(*runs, headers=headers))


if __name__ == "__main__":
    main(sys.argv[1:])

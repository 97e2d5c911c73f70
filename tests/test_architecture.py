"""The apps depend in one direction only: accounts <- community <- moderation."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Each app and the apps it must never import.
FORBIDDEN = {
    "accounts": {"community", "moderation"},
    "community": {"moderation"},
    "moderation": set(),
}
# Project configuration wires every app together, so it is exempt.
EXEMPT = {ROOT / "community" / "settings.py", ROOT / "community" / "urls.py"}


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_app_never_imports_upwards(app):
    offenders = []
    for path in sorted((ROOT / app).rglob("*.py")):
        if path in EXEMPT:
            continue
        wrong = imported_apps(path) & FORBIDDEN[app]
        if wrong:
            offenders.append(f"{path.relative_to(ROOT)} imports {sorted(wrong)}")
    assert offenders == []


def test_dependency_check_catches_an_upward_import(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("from moderation.models import Something\n", encoding="utf-8")
    assert "moderation" in imported_apps(module)

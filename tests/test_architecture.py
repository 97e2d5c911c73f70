"""The shape of the code: one direction between the apps, no import circles.

The apps depend in one direction only (accounts <- community <- moderation); the
site's wiring (`community/config/`) alone may import every app. No module takes
part in an import circle, not even through an import inside a function.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("accounts", "community", "moderation")
# Each app and the apps it must never import.
FORBIDDEN = {
    "accounts": {"community", "moderation"},
    "community": {"moderation"},
    "moderation": set(),
}
# The site's wiring puts every app together, so it alone is exempt.
WIRING = ROOT / "community" / "config"


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_names(path: Path, root: Path = ROOT) -> set[str]:
    """Every dotted name the module imports, relative imports made absolute."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path, root)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def imported_apps(path: Path) -> set[str]:
    return {name.split(".")[0] for name in imported_names(path, path.parent)}


def app_modules(root: Path = ROOT) -> dict[str, Path]:
    modules = {}
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" not in path.parts:
                modules[module_name(path, root)] = path
    return modules


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Module -> the app modules it imports (`from pkg import mod` counts as mod)."""
    modules = app_modules(root)
    graph = {}
    for name, path in modules.items():
        targets = set()
        for imported in imported_names(path, root):
            while imported and imported not in modules:
                imported = imported.rpartition(".")[0]
            if imported and imported != name:
                targets.add(imported)
        graph[name] = targets
    return graph


def import_circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of two or more modules (Tarjan, iterative)."""
    index, low, on_stack, stack, circles = {}, {}, set(), [], []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    circles.append(sorted(group))
    return circles


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_app_never_imports_upwards(app):
    offenders = []
    for path in sorted((ROOT / app).rglob("*.py")):
        if WIRING in path.parents:
            continue
        wrong = imported_apps(path) & FORBIDDEN[app]
        if wrong:
            offenders.append(f"{path.relative_to(ROOT)} imports {sorted(wrong)}")
    assert offenders == []


def test_dependency_check_catches_an_upward_import(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("from moderation.models import Something\n", encoding="utf-8")
    assert "moderation" in imported_apps(module)


def test_no_import_circles_between_modules():
    assert import_circles(import_graph()) == []


def test_circle_check_catches_a_circle_through_a_function_local_import(tmp_path):
    app = tmp_path / "community"
    app.mkdir()
    (app / "__init__.py").write_text("", encoding="utf-8")
    (app / "models.py").write_text("from community import blocks\n", encoding="utf-8")
    (app / "blocks.py").write_text(
        "def sections():\n    from .selectors import latest\n", encoding="utf-8"
    )
    (app / "selectors.py").write_text("from community.models import Thread\n", encoding="utf-8")
    (app / "forms.py").write_text("from community.models import Thread\n", encoding="utf-8")
    for other in ("accounts", "moderation"):
        (tmp_path / other).mkdir()

    assert import_circles(import_graph(tmp_path)) == [
        ["community.blocks", "community.models", "community.selectors"]
    ]

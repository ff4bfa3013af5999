"""No import cycle among the modules of ``tracker/``, counting imports inside functions too.

A cycle hidden in a function-level import still means two modules that cannot be understood,
tested or moved apart; the package move of issue 13 exists to keep arrows pointing one way.
Importing from a package is an edge to its ``__init__`` (and from there to its private modules),
so a private module that imports its own package back closes a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Module -> the modules of ``root/tracker`` it imports anywhere in its body."""
    files = {
        _module_name(p, root): p
        for p in (root / "tracker").rglob("*.py")
        if "migrations" not in p.relative_to(root).parts
    }
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                targets = [node.module]
                # ``from package import module`` imports the module too.
                targets += [f"{node.module}.{alias.name}" for alias in node.names]
            for target in targets:
                if target in files and target != name:
                    edges.add(target)
        graph[name] = edges
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph[node]):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_a_cycle_through_a_function_level_import_is_found(tmp_path: Path) -> None:
    package = tmp_path / "tracker"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "queries.py").write_text(
        "def list_actions():\n    from tracker.register import fetch_rows\n"
    )
    (package / "register.py").write_text("from tracker.queries import list_actions\n")
    (package / "rules.py").write_text("")
    assert _cycles(_graph(tmp_path)) == [["tracker.queries", "tracker.register"]]


def test_no_import_cycle_inside_tracker() -> None:
    assert _cycles(_graph()) == []


def test_cycle_finder_reports_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]

"""The layering of HOUSE_STYLE.md, checked with ast: dependencies point one way."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    # The seed is the command line's: a service that needs the strategy reads tracker.strategy.
    "tracker/services": {
        "streamlit",
        "apscheduler",
        "msal",
        "tracker.pages",
        "tracker.ui",
        "jobs",
        "tracker.seed",
    },
    "tracker/demo": {"streamlit", "apscheduler", "msal", "tracker.pages", "tracker.ui", "jobs"},
    "tracker/models.py": {"streamlit", "tracker.services", "tracker.pages", "tracker.ui"},
    "tracker/rules": {"streamlit", "sqlmodel", "sqlalchemy", "tracker.services"},
    "tracker/permissions.py": {"streamlit", "tracker.services"},
    "tracker/papers": {"streamlit", "tracker.pages", "tracker.ui"},
    "jobs": {"streamlit", "tracker.pages", "tracker.ui"},
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            # ``from tracker import seed`` imports the module tracker.seed too.
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _files(target: str) -> list[Path]:
    path = ROOT / target
    return [path] if path.is_file() else sorted(path.rglob("*.py"))


@pytest.mark.parametrize("target", list(FORBIDDEN))
def test_dependencies_point_one_way(target: str) -> None:
    offences = [
        f"{f.relative_to(ROOT)} imports {name}"
        for f in _files(target)
        for name in _imports(f)
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[target])
    ]
    assert offences == []


def test_no_yaml_load_without_safe_loader() -> None:
    for f in _files("tracker") + _files("jobs"):
        text = f.read_text(encoding="utf-8")
        assert "yaml.load(" not in text, f

"""One error tree: every exception class defined in ``tracker/`` and ``jobs/`` derives from
``tracker.errors.TrackerError``, and each kind is still the built-in exception it replaced.
"""

from __future__ import annotations

import ast
import builtins
from pathlib import Path

import pytest

from tracker.errors import (
    ConfigurationError,
    Conflict,
    InvalidInput,
    NotAllowed,
    NotFound,
    OperationFailed,
    TrackerError,
)

ROOT = Path(__file__).resolve().parent.parent
BUILTIN_EXCEPTIONS = {
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
}


def _classes(root: Path) -> list[tuple[str, set[str]]]:
    """(name, base names) of every class defined under ``root``, one entry per definition."""
    found: list[tuple[str, set[str]]] = []
    for top in ("tracker", "jobs"):
        for path in sorted((root / top).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ClassDef):
                    bases = {ast.unparse(base).rsplit(".", 1)[-1] for base in node.bases}
                    found.append((node.name, bases))
    return found


def _outside_the_tree(classes: list[tuple[str, set[str]]]) -> list[str]:
    """Exception classes that do not derive from TrackerError (a name defined twice, such as
    two ``UnknownBoard`` classes, is checked once per definition)."""
    definitions: dict[str, list[set[str]]] = {}
    for name, bases in classes:
        definitions.setdefault(name, []).append(bases)

    def is_exception(name: str, seen: frozenset[str] = frozenset()) -> bool:
        if name in BUILTIN_EXCEPTIONS:
            return True
        return any(
            is_exception(base, seen | {name})
            for bases in definitions.get(name, [])
            for base in bases
            if base not in seen
        )

    def in_tree(bases: set[str], seen: frozenset[str] = frozenset()) -> bool:
        return any(
            base == "TrackerError"
            or (
                base in definitions
                and base not in seen
                and all(in_tree(b, seen | {base}) for b in definitions[base])
            )
            for base in bases
        )

    return sorted(
        name
        for name, bases in classes
        if name != "TrackerError" and any(is_exception(b) for b in bases) and not in_tree(bases)
    )


def test_every_exception_class_derives_from_tracker_error() -> None:
    assert _outside_the_tree(_classes(ROOT)) == []


def test_the_check_finds_an_exception_outside_the_tree(tmp_path: Path) -> None:
    (tmp_path / "tracker").mkdir()
    (tmp_path / "jobs").mkdir()
    (tmp_path / "tracker" / "errors.py").write_text(
        "class TrackerError(Exception): ...\nclass NotFound(TrackerError, LookupError): ...\n"
    )
    (tmp_path / "tracker" / "a.py").write_text(
        "class Good(NotFound): ...\nclass Bad(ValueError): ...\nclass Worse(Bad): ...\n"
        "class Row: ...\n"
    )
    assert _outside_the_tree(_classes(tmp_path)) == ["Bad", "Worse"]


@pytest.mark.parametrize(
    ("kind", "builtin"),
    [
        (InvalidInput, ValueError),
        (NotAllowed, PermissionError),
        (Conflict, RuntimeError),
        (NotFound, LookupError),
        (ConfigurationError, ValueError),
        (OperationFailed, RuntimeError),
    ],
)
def test_each_kind_is_a_tracker_error_and_its_old_builtin(kind: type, builtin: type) -> None:
    error = kind("what went wrong")
    assert isinstance(error, TrackerError)
    assert isinstance(error, builtin)
    assert str(error) == "what went wrong"
    assert dict(error.fields) == {}

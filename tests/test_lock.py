"""The lock files pin, with hashes, every dependency pyproject.toml names, within its range.

A dependency added to pyproject.toml without ``./dev lock`` fails here (and ``./dev test``
would not install it), naming the package and the command that fixes it.
"""

from __future__ import annotations

import re
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
RUNTIME = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]
TEST = [Requirement(r) for r in PYPROJECT["project"]["optional-dependencies"]["test"]]
PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;\\]+)(?:\s*;\s*([^\\]+?))?\s*\\?$")


def read_lock(name: str) -> dict[str, tuple[str, int]]:
    """package -> (version, number of hashes) for every pin in a lock file."""
    pins: dict[str, tuple[str, int]] = {}
    current: str | None = None
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match.group(1).split("[")[0])
            pins[current] = (match.group(2), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
    return pins


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [("requirements.lock", RUNTIME), ("requirements-test.lock", RUNTIME + TEST)],
)
def test_every_dependency_is_pinned_with_hashes_within_its_range(
    lock: str, requirements: list[Requirement]
) -> None:
    pins = read_lock(lock)
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in {lock}: run ./dev lock"
        version, hashes = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{lock} pins {name}=={version}, outside {requirement.specifier}: run ./dev lock"
        )
        assert hashes > 0, f"{name} has no --hash in {lock}"


def test_every_pin_in_either_lock_has_a_hash() -> None:
    for lock in ("requirements.lock", "requirements-test.lock"):
        unhashed = [name for name, (_, hashes) in read_lock(lock).items() if hashes == 0]
        assert unhashed == [], f"{lock}: {unhashed}"


def test_the_test_lock_keeps_the_runtime_pins() -> None:
    runtime = read_lock("requirements.lock")
    test = read_lock("requirements-test.lock")
    differing = {
        name: (version, test.get(name, ("missing", 0))[0])
        for name, (version, _) in runtime.items()
        if test.get(name, ("missing", 0))[0] != version
    }
    assert differing == {}

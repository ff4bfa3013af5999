"""governance.yaml is refused whole, at once, when it is too big or an alias bomb.

A "billion laughs" file is a few hundred bytes that stand for billions of values; it must be
refused in well under a second, with a sentence saying why, instead of taking the process's
memory. A 60 MB file is refused without being read whole. A file with a few honest aliases
still loads.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.conftest import GOVERNANCE_FILE
from tracker.governance import GovernanceError, load_governance, parse_governance
from tracker.safety.yaml_limits import MAX_ALIASES, find_duplicate_keys, find_yaml_limit_problem


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    lines = ['a0: &a0 ["lol"]']
    for level in range(1, levels + 1):
        refs = ", ".join(f"*a{level - 1}" for _ in range(width))
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\n"


def wide_then_deep() -> str:
    """Within the alias count, but a 2,000-item list doubled ten times: 2 million values."""
    items = ", ".join(str(n) for n in range(2000))
    lines = [f"b0: &b0 [{items}]"]
    for level in range(1, 11):
        lines.append(f"b{level}: &b{level} [*b{level - 1}, *b{level - 1}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (billion_laughs(), "aliases"),
        (wide_then_deep(), "expand to more than"),
        ("a: &a [*a]\n", "expand to more than"),
        ("partnership:\n  name: " + "x" * (1024 * 1024) + "\n", "the limit is 1,048,576"),
    ],
    ids=["billion-laughs", "wide-then-deep", "recursive", "over-1-MB"],
)
def test_a_dangerous_document_is_refused_at_once(text: str, says: str) -> None:
    started = time.monotonic()
    with pytest.raises(GovernanceError) as refused:
        parse_governance(text, source="governance.yaml")
    assert time.monotonic() - started < 1.0
    (problem,) = refused.value.problems
    assert says in problem


def test_a_60_mb_file_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "governance.yaml"
    with path.open("wb") as handle:
        handle.truncate(60 * 1024 * 1024)
    started = time.monotonic()
    with pytest.raises(GovernanceError) as refused:
        load_governance(path)
    assert time.monotonic() - started < 1.0
    assert "62,914,560 bytes; the limit is 1,048,576 (1 MB)" in str(refused.value)


def test_a_few_honest_aliases_are_fine() -> None:
    text = "defaults: &d {tier: oversight}\nfirst: *d\nsecond: *d\n"
    assert find_yaml_limit_problem(text) is None


def test_the_alias_limit_is_exact() -> None:
    within = "a: &a 1\nb: [" + ", ".join(["*a"] * MAX_ALIASES) + "]\n"
    beyond = "a: &a 1\nb: [" + ", ".join(["*a"] * (MAX_ALIASES + 1)) + "]\n"
    assert find_yaml_limit_problem(within) is None
    assert find_yaml_limit_problem(beyond) is not None


def test_the_shipped_governance_file_is_within_every_limit() -> None:
    assert find_yaml_limit_problem(GOVERNANCE_FILE.read_text(encoding="utf-8")) is None


def test_a_section_written_twice_is_refused_naming_both_lines() -> None:
    text = GOVERNANCE_FILE.read_text(encoding="utf-8")
    block = text[text.index("# --- Risk scale") : text.index("# --- National comparators")]
    doubled = text.replace("# --- National comparators", block + "# --- National comparators", 1)
    with pytest.raises(GovernanceError) as refused:
        parse_governance(doubled)
    first = text[: text.index("\nrisks:")].count("\n") + 2
    second = first + block.count("\n")
    assert f"'risks' is written twice in the same section (lines {first} and {second})" in str(
        refused.value
    )


def test_a_key_repeated_inside_a_list_item_is_refused() -> None:
    assert find_duplicate_keys("people:\n  - email: a@x.org\n    email: b@x.org\n") == [
        "'email' is written twice in the same section (lines 2 and 3); YAML would keep only "
        "the second"
    ]
    assert find_duplicate_keys("a: 1\nb:\n  a: 2\n") == []  # the same key in another section

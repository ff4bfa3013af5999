"""The one reference order and the one way of naming a priority (``tracker.rules``).

Every list of actions or measures (the register, worklists, reminders, measure links, imports)
sorts references with ``reference_sort_key``; every screen, paper and summary names a priority
with ``priority_label``.
"""

from __future__ import annotations

import pytest

from tracker.rules import priority_label, reference_sort_key, reference_sort_number


def test_references_sort_by_their_numbers_not_their_letters() -> None:
    shuffled = ["P2.10", "P10.1", "P2.9", "M2.3", "P1.1", "P2.1a", "x"]
    assert sorted(shuffled, key=reference_sort_key) == [
        "x", "P1.1", "P2.1a", "M2.3", "P2.9", "P2.10", "P10.1"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("reference", "number"),
    [("P1.1", 1001), ("P2.9", 2009), ("P2.10", 2010), ("P5", 5000), ("new", 0)],
)
def test_the_stored_sort_number_keeps_the_same_order(reference: str, number: int) -> None:
    assert reference_sort_number(reference) == number


@pytest.mark.parametrize(
    ("number", "title", "short_title", "label"),
    [
        (
            1,
            "Identifying needs early and accurately",
            "Identifying needs",
            "Priority 1: Identifying needs",
        ),
        (3, "Inclusion", None, "Priority 3: Inclusion"),
    ],
)
def test_a_priority_is_named_by_its_short_title_when_it_has_one(
    number: int, title: str, short_title: str | None, label: str
) -> None:
    assert priority_label(number, title, short_title) == label

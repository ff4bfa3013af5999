"""The pure rules of the risk scale, stated as the partnership's risk policy words them."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import GOVERNANCE_FILE
from tracker.governance import GovernanceError, RiskScaleConfig, parse_governance
from tracker.rules.risks import (
    band_for,
    heat_map,
    is_review_overdue,
    movement_words,
    next_reference,
    review_reminder_due,
    scale_problem,
    score_words,
)

SCALE = RiskScaleConfig()


@pytest.mark.parametrize(
    ("likelihood", "impact", "band"),
    [
        (1, 1, "Low"),
        (2, 2, "Low"),
        (1, 5, "Moderate"),
        (3, 3, "Moderate"),
        (2, 5, "High"),
        (3, 5, "High"),
        (4, 4, "Very high"),
        (5, 5, "Very high"),
    ],
)
def test_score_bands(likelihood: int, impact: int, band: str) -> None:
    assert band_for(likelihood * impact, SCALE.bands).name == band


def test_score_in_words() -> None:
    assert score_words(4, 5, SCALE) == "20 (likelihood 4 Likely x impact 5 Severe): Very high"


@pytest.mark.parametrize(
    ("before", "after", "words"),
    [
        (None, 12, "new since the last paper"),
        (15, 20, "up from 15 to 20"),
        (20, 12, "down from 20 to 12"),
        (9, 9, "unchanged at 9"),
    ],
)
def test_movement_since_the_last_paper(before: int | None, after: int, words: str) -> None:
    assert movement_words(before, after) == words


def test_a_value_off_the_scale_is_explained() -> None:
    assert scale_problem(3, words=SCALE.likelihood) is None
    assert scale_problem(7, words=SCALE.likelihood) == (
        "must be a whole number from 1 to 5 (1 Rare, 2 Unlikely, 3 Possible, 4 Likely, "
        "5 Almost certain), not 7"
    )
    assert scale_problem(None, words=SCALE.impact) == "required (1 to 5)"


def test_review_overdue_only_for_open_risks_past_their_date() -> None:
    assert is_review_overdue(status="open", next_review=date(2026, 1, 1), today=date(2026, 1, 2))
    assert not is_review_overdue(
        status="open", next_review=date(2026, 1, 2), today=date(2026, 1, 2)
    )
    assert not is_review_overdue(
        status="closed", next_review=date(2026, 1, 1), today=date(2026, 2, 1)
    )


def test_heat_map_and_references() -> None:
    grid = heat_map([(4, 5), (4, 5), (1, 2)])
    assert grid[3][4] == 2 and grid[0][1] == 1 and sum(map(sum, grid)) == 3
    assert next_reference([]) == "R1"
    assert next_reference(["R1", "R10", "R9", "X4"]) == "R11"


def test_governance_refuses_bands_with_a_gap() -> None:
    text = GOVERNANCE_FILE.read_text(encoding="utf-8")
    assert parse_governance(text).risks.bands[-1].name == "Very high"
    with pytest.raises(GovernanceError, match=r"risk bands must run from 1 to 25.*line \d+"):
        parse_governance(text.replace("low: 5, high: 9", "low: 6, high: 9"))


@pytest.mark.parametrize(
    ("next_review", "reminded_on", "today", "days_before", "expected"),
    [
        (date(2026, 3, 2), None, date(2026, 3, 1), 0, False),  # not due yet
        (date(2026, 3, 2), None, date(2026, 3, 2), 0, True),  # falls due today
        (date(2026, 3, 2), None, date(2026, 2, 27), 3, True),  # three days ahead
        (date(2026, 3, 2), date(2026, 3, 2), date(2026, 3, 2), 0, False),  # reminded today
        (date(2026, 3, 2), date(2026, 3, 2), date(2026, 3, 8), 0, False),  # chased after 7
        (date(2026, 3, 2), date(2026, 3, 2), date(2026, 3, 9), 0, True),  # a week overdue
        (date(2026, 3, 2), None, date(2026, 4, 2), 0, True),  # never reminded (job was off)
        (date(2026, 4, 1), date(2026, 3, 9), date(2026, 3, 20), 0, False),  # rescored since
        (date(2026, 4, 1), date(2026, 3, 9), date(2026, 4, 1), 0, True),  # the new review
    ],
)
def test_review_reminder_due(
    next_review: date, reminded_on: date | None, today: date, days_before: int, expected: bool
) -> None:
    assert (
        review_reminder_due(
            next_review=next_review,
            reminded_on=reminded_on,
            today=today,
            days_before=days_before,
            repeat_every_days=7,
        )
        is expected
    )

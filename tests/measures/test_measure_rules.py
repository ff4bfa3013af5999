"""The rating rules for success measures, as tables of cases a PMO lead could check by hand.

Trajectory cases use a baseline of 30 on 1 Jan 2025 and a target of 60 on 1 Jan 2027 (730 days),
so on 2 Jan 2026 (day 366) the expected value is 30 + 30 * 366 / 730 = 45.04, and the 10%
tolerance band is 3 (10% of the 30-point distance).
"""

from __future__ import annotations

from datetime import date

import pytest

from tracker.rules.measures import (
    BASIS_NARRATIVE,
    BASIS_NO_TARGET,
    BASIS_NO_VALUES,
    BASIS_NOT_JUDGED,
    BASIS_TARGET,
    BASIS_TRAJECTORY,
    Targets,
    check_value,
    direction_of_travel,
    expected_value,
    format_value,
    next_period_end,
    overdue_period,
    parse_number,
    rate_measure,
    rate_value,
    tolerance_band,
    trend,
    trend_arrow,
)

START, END = date(2025, 1, 1), date(2027, 1, 1)
MIDWAY = date(2026, 1, 2)  # day 366 of 730: expected 45.04 on the 30 -> 60 trajectory


def higher(target: float | None = 60, baseline: float | None = None, tol: float = 10) -> Targets:
    return Targets("higher", target, None, baseline, None, tol)


def lower(target: float | None = 10, baseline: float | None = None, tol: float = 10) -> Targets:
    return Targets("lower", target, None, baseline, None, tol)


TRAJECTORY = Targets("higher", 60, END, 30, START, 10)
FALLING = Targets("lower", 100, END, 200, START, 20)  # expected 149.86 midway, band 20


@pytest.mark.parametrize(
    ("value", "targets", "rag", "basis"),
    [
        # higher is better, no baseline: band is 10% of the target (6)
        (60, higher(), "blue", BASIS_TARGET),
        (75, higher(), "blue", BASIS_TARGET),
        (59.9, higher(), "amber", BASIS_TARGET),
        (54, higher(), "amber", BASIS_TARGET),  # exactly the band
        (53.9, higher(), "red", BASIS_TARGET),
        (0, higher(), "red", BASIS_TARGET),
        # with a baseline but no dates: band is 10% of the distance (3)
        (57, higher(baseline=30), "amber", BASIS_TARGET),
        (56.9, higher(baseline=30), "red", BASIS_TARGET),
        # lower is better
        (10, lower(), "blue", BASIS_TARGET),
        (4, lower(), "blue", BASIS_TARGET),
        (11, lower(), "amber", BASIS_TARGET),  # band 1
        (11.5, lower(), "red", BASIS_TARGET),
        (110, lower(target=100, baseline=200), "amber", BASIS_TARGET),  # band 10
        (111, lower(target=100, baseline=200), "red", BASIS_TARGET),
        # a target of zero with no baseline has no band: any shortfall is Red
        (0, lower(target=0), "blue", BASIS_TARGET),
        (1, lower(target=0), "red", BASIS_TARGET),
        # a zero tolerance has no Amber
        (59, higher(tol=0), "red", BASIS_TARGET),
        # a wide tolerance
        (31, higher(tol=50), "amber", BASIS_TARGET),
        # a target equal to the baseline ("hold the line"): band from the target
        (47, higher(target=50, baseline=50), "amber", BASIS_TARGET),
    ],
)
def test_rating_against_target(value: float, targets: Targets, rag: str, basis: str) -> None:
    rating = rate_value(value, period_end=MIDWAY, targets=targets)
    assert (rating.rag, rating.basis) == (rag, basis)


@pytest.mark.parametrize(
    ("value", "period_end", "targets", "rag"),
    [
        (45.1, MIDWAY, TRAJECTORY, "green"),  # ahead of the expected 45.04
        (45.04, MIDWAY, TRAJECTORY, "amber"),  # a hair under 45.041...
        (42.1, MIDWAY, TRAJECTORY, "amber"),  # within the band of 3
        (42.0, MIDWAY, TRAJECTORY, "red"),
        (30, START, TRAJECTORY, "green"),  # at the baseline date the baseline is on track
        (30, date(2024, 6, 1), TRAJECTORY, "green"),  # before the baseline date too
        (59, date(2028, 1, 1), TRAJECTORY, "amber"),  # after the target date: the target
        (56, date(2028, 1, 1), TRAJECTORY, "red"),
        (60, START, TRAJECTORY, "blue"),  # achieving the target early is achieving it
        (149, MIDWAY, FALLING, "green"),  # lower is better: under the expected 149.86
        (165, MIDWAY, FALLING, "amber"),  # within the band of 20
        (170.5, MIDWAY, FALLING, "red"),
        (100, MIDWAY, FALLING, "blue"),
    ],
)
def test_rating_against_trajectory(
    value: float, period_end: date, targets: Targets, rag: str
) -> None:
    rating = rate_value(value, period_end=period_end, targets=targets)
    assert rating.rag == rag
    assert rating.basis == BASIS_TRAJECTORY


@pytest.mark.parametrize(
    ("period_end", "expected"),
    [
        (date(2024, 1, 1), 30.0),
        (START, 30.0),
        (MIDWAY, 30 + 30 * 366 / 730),
        (END, 60.0),
        (date(2030, 1, 1), 60.0),
    ],
)
def test_expected_value_follows_the_trajectory(period_end: date, expected: float) -> None:
    assert expected_value(TRAJECTORY, period_end) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("targets", "band"),
    [
        (higher(), 6.0),
        (higher(baseline=30), 3.0),
        (higher(target=50, baseline=50), 5.0),
        (lower(target=0), 0.0),
        (lower(target=100, baseline=200, tol=25), 25.0),
        (higher(target=None), 0.0),
    ],
)
def test_tolerance_band(targets: Targets, band: float) -> None:
    assert tolerance_band(targets) == pytest.approx(band)


def test_trajectory_needs_both_dates_in_order() -> None:
    backwards = Targets("higher", 60, START, 30, END, 10)
    assert rate_value(45, period_end=MIDWAY, targets=backwards).basis == BASIS_TARGET


@pytest.mark.parametrize(
    ("mode", "narrative", "value", "period", "targets", "rag", "basis"),
    [
        ("numeric", None, 50, MIDWAY, higher(target=None), None, BASIS_NO_TARGET),
        ("numeric", None, None, None, higher(target=None), None, BASIS_NO_TARGET),
        ("numeric", None, None, None, higher(), None, BASIS_NO_VALUES),
        ("numeric", None, 60, MIDWAY, higher(), "blue", BASIS_TARGET),
        ("numeric", "green", 10, MIDWAY, higher(), "red", BASIS_TARGET),  # judgement ignored
        ("narrative", "amber", None, None, higher(target=None), "amber", BASIS_NARRATIVE),
        ("narrative", "green", 10, MIDWAY, higher(), "green", BASIS_NARRATIVE),
        ("narrative", None, None, None, higher(target=None), None, BASIS_NOT_JUDGED),
    ],
)
def test_rate_measure(
    mode: str,
    narrative: str | None,
    value: float | None,
    period: date | None,
    targets: Targets,
    rag: str | None,
    basis: str,
) -> None:
    rating = rate_measure(
        rating_mode=mode,
        narrative_rag=narrative,
        latest_value=value,
        latest_period=period,
        targets=targets,
    )
    assert (rating.rag, rating.basis) == (rag, basis)


@pytest.mark.parametrize(
    ("latest", "previous", "direction", "movement", "travel", "arrow"),
    [
        (35, 30, "higher", "up", "improving", "↑"),
        (28, 35, "higher", "down", "deteriorating", "↓"),
        (35, 35, "higher", "flat", "stable", "→"),
        (8, 12, "lower", "down", "improving", "↓"),
        (12, 8, "lower", "up", "deteriorating", "↑"),
        (0.1 + 0.2, 0.3, "lower", "flat", "stable", "→"),  # float noise is not movement
        (35, None, "higher", None, None, ""),
        (None, 35, "higher", None, None, ""),
    ],
)
def test_trend_and_direction_of_travel(
    latest: float | None,
    previous: float | None,
    direction: str,
    movement: str | None,
    travel: str | None,
    arrow: str,
) -> None:
    assert trend(latest, previous) == movement
    assert direction_of_travel(latest, previous, direction) == travel
    assert trend_arrow(movement) == arrow


@pytest.mark.parametrize(
    ("value", "unit", "problem"),
    [
        (35, "percentage", None),
        (0, "percentage", None),
        (100, "percentage", None),
        (100.5, "percentage", "a percentage must be between 0 and 100"),
        (-1, "percentage", "a percentage must be between 0 and 100"),
        (13402, "count", None),
        (12.5, "count", "a count must be a whole number, 0 or more"),
        (-3, "count", "a count must be a whole number, 0 or more"),
        (-0.5, "rate", "rate cannot be negative"),
        (-2, "days", "days cannot be negative"),
        (-2, "survey_score", None),  # net scores can be negative
        (float("nan"), "survey_score", "must be a number"),
        (float("inf"), "rate", "must be a number"),
        (None, "count", "enter a value"),
        (None, "narrative", None),
    ],
)
def test_check_value_by_unit(value: float | None, unit: str, problem: str | None) -> None:
    assert check_value(value, unit) == problem


@pytest.mark.parametrize(
    ("text", "unit", "number"),
    [
        ("35", "percentage", 35.0),
        ("35.5%", "percentage", 35.5),
        (" 13,402 ", "count", 13402.0),
        ("-2", "survey_score", -2.0),
        (".5", "rate", 0.5),
    ],
)
def test_parse_number(text: str, unit: str, number: float) -> None:
    assert parse_number(text, unit) == number


@pytest.mark.parametrize(
    ("text", "unit", "message"),
    [
        ("35%", "count", "is a percentage, but this measure is a count"),
        ("about 40", "percentage", "is not a number"),
        ("", "count", "is not a number"),
        ("1e5", "count", "is not a number"),
    ],
)
def test_parse_number_refuses(text: str, unit: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_number(text, unit)


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (35, "percentage", "35%"),
        (35.25, "percentage", "35.25%"),
        (13402, "count", "13,402"),
        (3.8, "survey_score", "3.8"),
        (1, "days", "1 day"),
        (20, "weeks", "20 weeks"),
        (None, "count", "–"),
    ],
)
def test_format_value(value: float | None, unit: str, shown: str) -> None:
    assert format_value(value, unit) == shown


# --- milestones: the piecewise trajectory ----------------------------------------------------

MILESTONED = Targets(
    direction="higher",
    target_value=60,
    target_date=date(2026, 12, 31),
    baseline_value=30,
    baseline_date=date(2025, 12, 31),
    milestones=((date(2026, 6, 30), 50.0),),
)


@pytest.mark.parametrize(
    ("period_end", "expected"),
    [
        (date(2025, 6, 30), 30),  # before the baseline: the baseline
        (date(2025, 12, 31), 30),
        (date(2026, 6, 30), 50),  # the milestone itself
        (date(2026, 12, 31), 60),
        (date(2027, 6, 30), 60),  # after the target date: the target
    ],
)
def test_expected_value_runs_through_the_milestones(period_end: date, expected: float) -> None:
    assert expected_value(MILESTONED, period_end) == pytest.approx(expected)


def test_between_points_the_line_joins_its_neighbours() -> None:
    # Half-way (by days) from 31 Dec 2025 (30) to 30 Jun 2026 (50) is about 40.
    assert expected_value(MILESTONED, date(2026, 3, 31)) == pytest.approx(39.8, abs=0.2)
    rating = rate_value(48, period_end=date(2026, 6, 30), targets=MILESTONED)
    assert (rating.rag, rating.basis, rating.gap) == ("amber", "against milestones to target", 2)


# --- stale: the next expected period -------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "after", "next_end"),
    [
        ("monthly", date(2026, 1, 31), date(2026, 2, 28)),
        ("quarterly", date(2025, 12, 31), date(2026, 3, 31)),
        ("termly", date(2025, 12, 31), date(2026, 4, 30)),
        ("termly", date(2026, 7, 31), date(2026, 12, 31)),
        ("annual", date(2025, 8, 31), date(2026, 8, 31)),
        ("Annual", date(2024, 12, 31), date(2025, 12, 31)),
        ("when available", date(2025, 8, 31), None),
        (None, date(2025, 8, 31), None),
    ],
)
def test_next_period_end(frequency: str | None, after: date, next_end: date | None) -> None:
    assert next_period_end(frequency, after) == next_end


@pytest.mark.parametrize(
    ("latest", "baseline", "today", "stale_since"),
    [
        (date(2025, 12, 31), None, date(2026, 4, 30), None),  # March ended, 30 days' grace
        (date(2025, 12, 31), None, date(2026, 5, 1), date(2026, 3, 31)),
        (None, date(2025, 6, 30), date(2025, 11, 1), date(2025, 9, 30)),  # none since baseline
        (None, None, date(2030, 1, 1), None),  # nothing to count from
    ],
)
def test_a_quarterly_measure_is_stale_when_a_period_is_overdue(
    latest: date | None, baseline: date | None, today: date, stale_since: date | None
) -> None:
    assert (
        overdue_period(
            "quarterly", latest_period=latest, baseline_date=baseline, today=today, lag_days=30
        )
        == stale_since
    )

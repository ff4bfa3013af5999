"""Pure rules for success measures: rating a value against its target, trends, units.

How a numeric value is rated (everything here takes values, never the database):

* **Expected value.** Where the baseline value, the baseline date and the target date are all
  known (baseline date before target date), the measure is expected to move in a straight line
  from the baseline (at the baseline date) to the target (at the target date): the *trajectory*.
  A value is judged against the trajectory at its period end; before the baseline date the
  expectation is the baseline, after the target date it is the target. Without those three facts
  the expectation is simply the target.
* **Milestones.** A measure may have dated milestones between baseline and target; then the
  trajectory runs piecewise through baseline, each milestone and the target, and a value is
  judged against the line between the points either side of its period end (before the first
  point the expectation is the first point, after the last it is the target). A measure with
  milestones but no baseline runs from its first milestone.
* **Gap.** How far the value falls short of the expectation, in the measure's unit, respecting
  the direction: for "higher is better" ``expected - value``, for "lower is better"
  ``value - expected``. Zero or less means at or better than expected.
* **Tolerance band.** ``tolerance_pct`` per cent of the distance from baseline to target
  (``|target - baseline|``); when there is no baseline, or it equals the target, per cent of
  the target itself (``|target|``). A target of 0 with no baseline has a band of 0: any
  shortfall is Red.
* **Rating.** Blue when the value meets or beats the target itself (the target is achieved,
  whenever that happens; a later value that falls back is rated afresh); Green when at or better
  than expected; Amber when short by no more than the band; Red when short by more.
* **Not rated.** No target gives no rating (basis "target not set"); a target but no values gives
  none either ("no values yet"). A missing baseline is fine: the value is rated against the target.
* **Narrative measures** (``rating_mode`` "narrative") carry the owner's judgement and commentary
  instead; without a judgement they are not rated ("not yet judged").

A measure is **stale** when the period after its latest value (from its frequency) ended more
than the reporting lag ago and still has no value; with no value yet, the first period after the
baseline date counts. A measure without a frequency this module knows is never stale.

Direction of travel compares the latest value with the previous one: "improving" when it moved
the better way, "deteriorating" the worse way, "stable" when unchanged. The trend arrow shows the
raw movement of the number (↑ up, ↓ down, → flat), which for a "lower is better" measure points
the opposite way to the direction of travel.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from tracker.formatting import format_number as format_number
from tracker.formatting import format_quantity
from tracker.models import Direction, MeasureUnit, Rag

BASIS_TARGET = "against target"
BASIS_TRAJECTORY = "against trajectory to target"
BASIS_MILESTONES = "against milestones to target"
BASIS_NARRATIVE = "narrative judgement"
BASIS_NOT_JUDGED = "not yet judged"
BASIS_NO_TARGET = "target not set"
BASIS_NO_VALUES = "no values yet"

RATING_MODES = ("numeric", "narrative")
Trend = Literal["up", "down", "flat"]
DirectionOfTravel = Literal["improving", "stable", "deteriorating"]
TREND_ARROWS = {"up": "↑", "down": "↓", "flat": "→"}
UNIT_LABELS = {
    MeasureUnit.PERCENTAGE.value: "Percentage",
    MeasureUnit.COUNT.value: "Count",
    MeasureUnit.RATE.value: "Rate",
    MeasureUnit.SURVEY_SCORE.value: "Survey score",
    MeasureUnit.DAYS.value: "Days",
    MeasureUnit.WEEKS.value: "Weeks",
    MeasureUnit.NARRATIVE.value: "Narrative",
}
DIRECTION_LABELS = {
    Direction.HIGHER.value: "Higher is better",
    Direction.LOWER.value: "Lower is better",
}
_NON_NEGATIVE_UNITS = frozenset({"rate", "days", "weeks"})
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
# Relative slack for comparisons, so 36.0 against an expectation of 35.99999999 is "on trajectory".
_EPSILON = 1e-9


@dataclass(frozen=True)
class Targets:
    """What a numeric value is judged against."""

    direction: str
    target_value: float | None
    target_date: date | None = None
    baseline_value: float | None = None
    baseline_date: date | None = None
    tolerance_pct: float = 10.0
    # Dated milestones (date, expected value) between baseline and target, oldest first.
    milestones: tuple[tuple[date, float], ...] = ()


@dataclass(frozen=True)
class Rating:
    """A rating, why, and (for numeric ratings) the expectation and the shortfall from it."""

    rag: str | None
    basis: str
    expected: float | None = None
    gap: float | None = None


def trajectory_points(targets: Targets) -> tuple[tuple[date, float], ...]:
    """The points the expectation runs through: baseline, milestones, target (dated ones only).

    Empty when they do not make a trajectory (fewer than two points, or dates out of order).
    """
    if targets.target_value is None:
        return ()
    points: list[tuple[date, float]] = []
    if targets.baseline_value is not None and targets.baseline_date is not None:
        points.append((targets.baseline_date, targets.baseline_value))
    points += sorted(targets.milestones)
    if targets.target_date is not None:
        points.append((targets.target_date, targets.target_value))
    if len(points) < 2 or any(a[0] >= b[0] for a, b in itertools.pairwise(points)):
        return ()
    return tuple(points)


def uses_trajectory(targets: Targets) -> bool:
    """True when baseline, milestones and target dates define a trajectory to the target."""
    return bool(trajectory_points(targets))


def uses_milestones(targets: Targets) -> bool:
    return bool(targets.milestones) and uses_trajectory(targets)


def expected_value(targets: Targets, period_end: date) -> float | None:
    """Where the measure should be at ``period_end``: on the trajectory, or the target."""
    target = targets.target_value
    if target is None:
        return None
    points = trajectory_points(targets)
    if not points:
        return target
    if period_end <= points[0][0]:
        return points[0][1]
    for (start, low), (end, high) in itertools.pairwise(points):
        if period_end <= end:
            return low + (high - low) * (period_end - start).days / (end - start).days
    return points[-1][1]


def tolerance_band(targets: Targets) -> float:
    """How far short of expected a value may fall and still be Amber rather than Red."""
    target = targets.target_value
    if target is None:
        return 0.0
    baseline = targets.baseline_value
    if baseline is not None and not math.isclose(baseline, target):
        distance = abs(target - baseline)
    else:
        distance = abs(target)
    return max(targets.tolerance_pct, 0.0) / 100 * distance


def shortfall(value: float, expected: float, direction: str) -> float:
    """How far ``value`` falls short of ``expected`` (zero or less: at or better)."""
    if direction == Direction.LOWER.value:
        return value - expected
    return expected - value


def _slack(*numbers: float) -> float:
    return _EPSILON * max(1.0, *(abs(n) for n in numbers))


def rate_value(value: float | None, *, period_end: date, targets: Targets) -> Rating:
    """Rate one numeric value for the period ending ``period_end``."""
    target = targets.target_value
    if target is None:
        return Rating(None, BASIS_NO_TARGET)
    if value is None:
        return Rating(None, BASIS_NO_VALUES)
    basis = (
        BASIS_MILESTONES
        if uses_milestones(targets)
        else BASIS_TRAJECTORY
        if uses_trajectory(targets)
        else BASIS_TARGET
    )
    expected = expected_value(targets, period_end)
    assert expected is not None
    gap = shortfall(value, expected, targets.direction)
    slack = _slack(value, expected, target)
    if shortfall(value, target, targets.direction) <= slack:
        rag = Rag.BLUE.value
    elif gap <= slack:
        rag = Rag.GREEN.value
    elif gap <= tolerance_band(targets) + slack:
        rag = Rag.AMBER.value
    else:
        rag = Rag.RED.value
    return Rating(rag, basis, expected=expected, gap=max(gap, 0.0))


def rate_narrative(rag: str | None) -> Rating:
    """A narrative measure carries its owner's judgement as it stands."""
    if rag is None:
        return Rating(None, BASIS_NOT_JUDGED)
    return Rating(rag, BASIS_NARRATIVE)


def rate_measure(
    *,
    rating_mode: str,
    narrative_rag: str | None,
    latest_value: float | None,
    latest_period: date | None,
    targets: Targets,
) -> Rating:
    """The measure's rating: its narrative judgement, or its latest value against target."""
    if rating_mode == "narrative":
        return rate_narrative(narrative_rag)
    if targets.target_value is None:
        return Rating(None, BASIS_NO_TARGET)
    if latest_period is None or latest_value is None:
        return Rating(None, BASIS_NO_VALUES)
    return rate_value(latest_value, period_end=latest_period, targets=targets)


def trend(latest: float | None, previous: float | None) -> Trend | None:
    """The raw movement of the number: "up", "down" or "flat"; None without two values."""
    if latest is None or previous is None:
        return None
    if math.isclose(latest, previous, rel_tol=_EPSILON, abs_tol=_EPSILON):
        return "flat"
    return "up" if latest > previous else "down"


def direction_of_travel(
    latest: float | None, previous: float | None, direction: str
) -> DirectionOfTravel | None:
    """ "improving", "stable" or "deteriorating" between two values; None without two values."""
    movement = trend(latest, previous)
    if movement is None:
        return None
    if movement == "flat":
        return "stable"
    better: Trend = "up" if direction != Direction.LOWER.value else "down"
    return "improving" if movement == better else "deteriorating"


def trend_arrow(movement: str | None) -> str:
    """↑, ↓ or → for a trend; empty when there is none."""
    return TREND_ARROWS.get(movement or "", "")


# --- staleness: the next expected period ---------------------------------------------------------

# Months between periods for each frequency as measures store it ("termly" follows the terms).
_FREQUENCY_MONTHS = {
    "monthly": 1,
    "quarterly": 3,
    "six-monthly": 6,
    "half-yearly": 6,
    "annual": 12,
    "annually": 12,
    "yearly": 12,
}
# The school terms end in December, at Easter (counted as April) and in July.
_TERM_END_MONTHS = (4, 7, 12)


def _month_end(year: int, month: int) -> date:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def knows_frequency(frequency: str | None) -> bool:
    key = (frequency or "").strip().casefold()
    return key == "termly" or key in _FREQUENCY_MONTHS


def next_period_end(frequency: str | None, after: date) -> date | None:
    """The end of the period after the one ending ``after``; None for an unknown frequency."""
    key = (frequency or "").strip().casefold()
    if key == "termly":
        for year in (after.year, after.year + 1):
            for month in _TERM_END_MONTHS:
                end = _month_end(year, month)
                if end > after:
                    return end
    months = _FREQUENCY_MONTHS.get(key)
    if months is None:
        return None
    return _month_end(after.year, after.month + months)


def overdue_period(
    frequency: str | None,
    *,
    latest_period: date | None,
    baseline_date: date | None,
    today: date,
    lag_days: int,
) -> date | None:
    """The end of the expected period whose value is overdue (the measure is stale), or None."""
    start = latest_period or baseline_date
    if start is None:
        return None
    due = next_period_end(frequency, start)
    if due is None or due + timedelta(days=lag_days) >= today:
        return None
    return due


# --- units: checking and showing values ---------------------------------------------------------


def check_value(value: float | None, unit: str) -> str | None:
    """Why ``value`` is not acceptable for a measure in ``unit``, or None when it is."""
    if value is None:
        return None if unit == MeasureUnit.NARRATIVE.value else "enter a value"
    if isinstance(value, bool) or not math.isfinite(value):
        return "must be a number"
    if unit == MeasureUnit.PERCENTAGE.value and not 0 <= value <= 100:
        return "a percentage must be between 0 and 100"
    if unit == MeasureUnit.COUNT.value and (value < 0 or not float(value).is_integer()):
        return "a count must be a whole number, 0 or more"
    if unit in _NON_NEGATIVE_UNITS and value < 0:
        return f"{UNIT_LABELS[unit].lower()} cannot be negative"
    return None


def parse_number(text: str, unit: str) -> float:
    """A value as typed ("35", "35.5%", "13,402"); ValueError says what is wrong with it."""
    cleaned = text.strip().replace(",", "").replace(" ", "").replace("\u00a0", "")
    if cleaned.endswith("%"):
        if unit != MeasureUnit.PERCENTAGE.value:
            raise ValueError(f"is a percentage, but this measure is a {unit_label(unit).lower()}")
        cleaned = cleaned[:-1]
    if not _NUMBER.fullmatch(cleaned):
        raise ValueError("is not a number")
    return float(cleaned)


def unit_label(unit: str) -> str:
    return UNIT_LABELS.get(unit, unit.replace("_", " ").capitalize())


def direction_label(direction: str) -> str:
    return DIRECTION_LABELS.get(direction, direction)


def unit_suffix(unit: str) -> str:
    """What follows a number in print: "%" for percentages, "days"/"weeks", else nothing."""
    if unit == MeasureUnit.PERCENTAGE.value:
        return "%"
    if unit in (MeasureUnit.DAYS.value, MeasureUnit.WEEKS.value):
        return unit
    return ""


def format_value(value: float | None, unit: str, *, missing: str = "–") -> str:
    """A value as a person reads it in its unit: 35%, 13,402, 12 days."""
    if unit not in (MeasureUnit.PERCENTAGE.value, MeasureUnit.DAYS.value, MeasureUnit.WEEKS.value):
        unit = ""
    return format_quantity(value, unit, missing=missing)


def format_gap(gap: float | None, unit: str) -> str:
    """A shortfall as people say it: "met", "3.7 points short" (percentages), "12 days short"."""
    if gap is None:
        return ""
    if gap <= _EPSILON:
        return "met"
    if unit == MeasureUnit.PERCENTAGE.value:
        return f"{format_number(gap)} points short"
    return f"{format_value(gap, unit)} short"

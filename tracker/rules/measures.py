"""Pure rules for success measures: rating a value against its target, trends, units.

How a numeric value is rated (everything here takes values, never the database):

* **Expected value.** Where the baseline value, the baseline date and the target date are all
  known (baseline date before target date), the measure is expected to move in a straight line
  from the baseline (at the baseline date) to the target (at the target date): the *trajectory*.
  A value is judged against the trajectory at its period end; before the baseline date the
  expectation is the baseline, after the target date it is the target. Without those three facts
  the expectation is simply the target.
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

Direction of travel compares the latest value with the previous one: "improving" when it moved
the better way, "deteriorating" the worse way, "stable" when unchanged. The trend arrow shows the
raw movement of the number (↑ up, ↓ down, → flat), which for a "lower is better" measure points
the opposite way to the direction of travel.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from tracker.formatting import format_number as format_number
from tracker.formatting import format_quantity
from tracker.models import Direction, MeasureUnit, Rag

BASIS_TARGET = "against target"
BASIS_TRAJECTORY = "against trajectory to target"
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


@dataclass(frozen=True)
class Rating:
    """A rating, why, and (for numeric ratings) the expectation and the shortfall from it."""

    rag: str | None
    basis: str
    expected: float | None = None
    gap: float | None = None


def uses_trajectory(targets: Targets) -> bool:
    """True when baseline, baseline date and target date define a trajectory to the target."""
    return (
        targets.target_value is not None
        and targets.baseline_value is not None
        and targets.baseline_date is not None
        and targets.target_date is not None
        and targets.baseline_date < targets.target_date
    )


def expected_value(targets: Targets, period_end: date) -> float | None:
    """Where the measure should be at ``period_end``: on the trajectory, or the target."""
    target = targets.target_value
    if target is None:
        return None
    if not uses_trajectory(targets):
        return target
    assert targets.baseline_value is not None
    assert targets.baseline_date is not None and targets.target_date is not None
    span = (targets.target_date - targets.baseline_date).days
    elapsed = min(max((period_end - targets.baseline_date).days, 0), span)
    return targets.baseline_value + (target - targets.baseline_value) * elapsed / span


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
    basis = BASIS_TRAJECTORY if uses_trajectory(targets) else BASIS_TARGET
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

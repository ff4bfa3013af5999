"""Pure rules for risks: the score, its band, the heat map, review dates and movement.

A risk is scored on a 5 x 5 scale: likelihood (1 rare ... 5 almost certain) times impact
(1 negligible ... 5 severe), so a score runs from 1 to 25. governance.yaml's ``risks`` section
names the words for each step and the bands (by default 1-4 Low, 5-9 Moderate, 10-15 High,
16-25 Very high). A risk's *inherent* score is its first assessment, before mitigation; its
*current* (residual) score is the latest; its *target* is where the owner means to bring it.

A risk is due for review on ``next_review``; an open risk past that day is "review overdue",
flagged like an action not updated. Each rescoring moves ``next_review`` to the day of the
review plus the risk's review frequency in days. Movement compares the current score with the
score at an earlier moment (the last paper): "up" is worse, "down" better.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.governance import RiskBandConfig, RiskScaleConfig

SCALE_STEPS = 5
MAX_SCORE = SCALE_STEPS * SCALE_STEPS
REFERENCE_PREFIX = "R"


@dataclass(frozen=True)
class Band:
    name: str
    low: int
    high: int
    colour: str


def score(likelihood: int, impact: int) -> int:
    return likelihood * impact


def scale_problem(value: int | None, *, words: Sequence[str]) -> str | None:
    """Why ``value`` is not a step of the scale (None when it is), for under its field."""
    if value is None:
        return f"required (1 to {len(words)})"
    if not 1 <= value <= len(words):
        steps = ", ".join(f"{i} {word}" for i, word in enumerate(words, start=1))
        return f"must be a whole number from 1 to {len(words)} ({steps}), not {value}"
    return None


def band_for(value: int, bands: Iterable[RiskBandConfig]) -> Band:
    """The band a score falls in; the bands cover 1-25 (governance.yaml is checked for it)."""
    for band in bands:
        if band.low <= value <= band.high:
            return Band(band.name, band.low, band.high, band.colour)
    raise ValueError(f"no risk band holds the score {value}")


def top_band(scale: RiskScaleConfig) -> Band:
    last = scale.bands[-1]
    return Band(last.name, last.low, last.high, last.colour)


def score_words(likelihood: int, impact: int, scale: RiskScaleConfig) -> str:
    """ "20 (likelihood 4 Likely x impact 5 Severe): Very high"."""
    value = score(likelihood, impact)
    return (
        f"{value} (likelihood {likelihood} {scale.likelihood[likelihood - 1]} x impact "
        f"{impact} {scale.impact[impact - 1]}): {band_for(value, scale.bands).name}"
    )


def next_review_after(reviewed_on: date, review_days: int) -> date:
    return reviewed_on + timedelta(days=review_days)


def is_review_overdue(*, status: str, next_review: date, today: date) -> bool:
    return status == "open" and next_review < today


def movement(before: int | None, after: int) -> str:
    """'new' (no earlier score), 'up' (worse), 'down' (better) or 'same'."""
    if before is None:
        return "new"
    if after > before:
        return "up"
    if after < before:
        return "down"
    return "same"


def movement_words(before: int | None, after: int) -> str:
    kind = movement(before, after)
    if kind == "new":
        return "new since the last paper"
    if kind == "same":
        return f"unchanged at {after}"
    return f"{'up' if kind == 'up' else 'down'} from {before} to {after}"


def heat_map(cells: Iterable[tuple[int, int]]) -> tuple[tuple[int, ...], ...]:
    """Counts per (likelihood, impact): ``grid[likelihood - 1][impact - 1]``."""
    grid = [[0] * SCALE_STEPS for _ in range(SCALE_STEPS)]
    for likelihood, impact in cells:
        grid[likelihood - 1][impact - 1] += 1
    return tuple(tuple(row) for row in grid)


def next_reference(existing: Iterable[str]) -> str:
    """R1, R2 ...: one more than the highest R-number in use."""
    numbers = [
        int(ref[len(REFERENCE_PREFIX) :])
        for ref in existing
        if ref.startswith(REFERENCE_PREFIX) and ref[len(REFERENCE_PREFIX) :].isdigit()
    ]
    return f"{REFERENCE_PREFIX}{max(numbers, default=0) + 1}"


def review_falls_due(*, next_review: date, today: date, days_before: int = 0) -> bool:
    """Whether a risk's review is due (or overdue) on ``today``, ``days_before`` days ahead."""
    return next_review - timedelta(days=days_before) <= today


def review_reminder_due(
    *,
    next_review: date,
    reminded_on: date | None,
    today: date,
    days_before: int = 0,
    repeat_every_days: int = 7,
) -> bool:
    """Whether the owner should be reminded to review today: once when the review falls due
    (``days_before`` ahead of it), then every ``repeat_every_days`` while it is overdue."""
    due_from = next_review - timedelta(days=days_before)
    if today < due_from:
        return False
    if reminded_on is None or reminded_on < due_from:
        return True
    return next_review < today and reminded_on <= today - timedelta(days=repeat_every_days)

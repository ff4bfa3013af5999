"""The demonstration's success measures: a baseline, a target and a year of values with a trend.

Most numeric measures get a baseline (the strategy's own where it states one), a target for the
end of the strategy in the direction that counts as better, and a value for each period of the
last year at the measure's frequency, entered a fortnight after the period ends through the
measures service. Most improve towards target, some stall and one or two go the wrong way, so
the Measures page and the papers have something to rate. Each value carries the measure's data
source; its owner signs it off a week after it is entered, except the latest, which still waits
for sign-off. Narrative measures are left to people.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from tracker.governance import MeasuresConfig
from tracker.models import MeasureUnit, Person, SuccessMeasure
from tracker.permissions import Actor
from tracker.services.measures import add_milestone, enter_value, set_targets, sign_off_value
from tracker.services.people import actor_for_email

STRATEGY_END = date(2028, 8, 31)
MILESTONE_MEASURES = ("M2.3", "M2.4")
SKIP_SHARE = 0.12  # a few measures have no data yet, as in any real plan

Run = Callable[[Session, datetime], None]


def _month_end(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def period_ends(frequency: str | None, *, today: date) -> list[date]:
    """The ends of the periods of the last year (two for annual measures), oldest first."""
    start = today - timedelta(days=365)
    months = {
        "monthly": range(1, 13),
        "quarterly": (3, 6, 9, 12),
        "termly": (4, 7, 12),
        "annual": (8,),
    }.get(frequency or "quarterly", (3, 6, 9, 12))
    ends = [
        _month_end(year, month)
        for year in range(start.year - 1, today.year + 1)
        for month in months
    ]
    floor = start - timedelta(days=365) if frequency == "annual" else start
    return [d for d in sorted(ends) if floor <= d <= today - timedelta(days=14)]


def _baseline(unit: str, rng: random.Random, direction: str) -> float:
    if unit == MeasureUnit.PERCENTAGE.value:
        return float(rng.randint(35, 65))
    if unit == MeasureUnit.SURVEY_SCORE.value:
        return round(rng.uniform(2.6, 3.3), 1)
    if unit in (MeasureUnit.DAYS.value, MeasureUnit.WEEKS.value):
        return float(rng.randint(20, 40))
    if unit == MeasureUnit.RATE.value:
        return round(rng.uniform(4, 12), 1)
    return float(rng.randint(300, 1500) if direction == "lower" else rng.randint(80, 900))


def _target(unit: str, baseline: float, direction: str, rng: random.Random) -> float:
    if direction == "lower":
        return _round(unit, baseline * rng.uniform(0.5, 0.8))
    if unit == MeasureUnit.PERCENTAGE.value:
        return float(min(95, round(baseline + rng.randint(15, 30))))
    if unit == MeasureUnit.SURVEY_SCORE.value:
        return min(5.0, round(baseline + rng.uniform(0.8, 1.3), 1))
    return _round(unit, baseline * rng.uniform(1.2, 1.5))


def _round(unit: str, value: float) -> float:
    if unit == MeasureUnit.COUNT.value:
        return float(max(0, round(value)))
    if unit == MeasureUnit.PERCENTAGE.value:
        return min(100.0, max(0.0, round(value, 1)))
    return max(0.0, round(value, 1))


def plan_measure_events(
    session: Session, *, rng: random.Random, today: date, actor: Actor
) -> tuple[list[tuple[datetime, Run]], list[tuple[datetime, Run]]]:
    """Targets now, then each value at the moment it would have been entered, and (second)
    each owner's sign-off a week later."""
    events: list[tuple[datetime, Run]] = []
    sign_offs: list[tuple[datetime, Run]] = []
    measures = session.exec(select(SuccessMeasure).order_by(col(SuccessMeasure.id))).all()
    for measure in measures:
        if measure.unit == MeasureUnit.NARRATIVE.value or rng.random() < SKIP_SHARE:
            continue
        ends = period_ends(measure.frequency, today=today)
        if not ends:
            continue
        unit, direction = measure.unit, measure.direction
        baseline = measure.baseline_value
        if baseline is None:
            baseline = _baseline(unit, rng, direction)
        target = _target(unit, baseline, direction, rng)
        baseline_date = measure.baseline_date or ends[0] - timedelta(days=90)
        set_targets(
            session,
            actor=actor,
            reference=measure.reference,
            seen_version=measure.version,
            baseline_value=baseline,
            baseline_date=min(baseline_date, ends[0] - timedelta(days=1)),
            target_value=target,
            target_date=STRATEGY_END,
            tolerance_pct=10.0,
            direction=direction,
        )
        if measure.reference in MILESTONE_MEASURES:
            # A slow first year agreed in the plan, then the pace picks up to the target.
            start = min(baseline_date, ends[0] - timedelta(days=1))
            for years, share in ((1, 0.25), (2, 0.6)):
                add_milestone(
                    session,
                    actor=actor,
                    reference=measure.reference,
                    due_date=start + timedelta(days=365 * years),
                    value=_round(unit, baseline + (target - baseline) * share),
                    label=f"Year {years}",
                )
        reach = rng.choices([0.6, 0.35, 0.08, -0.15], weights=[40, 30, 18, 12])[0]
        owner = session.get(Person, measure.owner_id) if measure.owner_id else None
        for index, end in enumerate(ends):
            share = reach * (index + 1) / len(ends)
            noise = (target - baseline) * rng.uniform(-0.06, 0.06)
            value = _round(unit, baseline + (target - baseline) * share + noise)
            entered = datetime.combine(end + timedelta(days=14), time(10), tzinfo=UTC)
            entry = _entry(measure.reference, end, value, actor, source=measure.data_source)
            events.append((entered, entry))
            # The owner signs values off a week later; the latest one still waits.
            if owner is not None and index < len(ends) - 1:
                signed = entered + timedelta(days=7)
                sign_offs.append((signed, _sign_off(measure.reference, end, owner.email)))
    return events, sign_offs


def _entry(
    reference: str, period_end: date, value: float, actor: Actor, *, source: str | None
) -> Run:
    def run(session: Session, moment: datetime) -> None:
        enter_value(
            session,
            actor=actor,
            reference=reference,
            period_end=period_end,
            value=value,
            note=None,
            today=moment.date(),
            now=moment,
            source=source,
        )

    return run


def _sign_off(reference: str, period_end: date, owner_email: str) -> Run:
    def run(session: Session, moment: datetime) -> None:
        sign_off_value(
            session,
            actor=actor_for_email(session, owner_email),
            reference=reference,
            period_end=period_end,
            config=MeasuresConfig(),
            now=moment,
        )

    return run

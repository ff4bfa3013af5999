"""Success measures: summaries for the page, the overview and the papers, and the reads behind them.

``list_measure_summaries`` answers "where does each measure stand on a date?" in three queries
(measures, their latest two values via a window function, contributing actions) however many
measures there are, and rates each with :mod:`tracker.rules.measures`. ``list_red_measures`` is
the exceptions list the executive overview and the Improvement Board paper show, each with the
owner's commentary. ``get_measure_detail`` adds every value, who entered it, the contributing
actions and (for staff) the audit trail. Changes to measures live in
:mod:`tracker.services.measures`; the spreadsheet import in
:mod:`tracker.services.measures`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from tracker.errors import NotFound
from tracker.models import (
    Action,
    AuditLog,
    MeasureAction,
    MeasureValue,
    Person,
    Priority,
    Rag,
    SuccessMeasure,
)
from tracker.permissions import Actor, Operation, can
from tracker.rules import reference_sort_key
from tracker.rules.measures import (
    DirectionOfTravel,
    Targets,
    Trend,
    direction_of_travel,
    rate_measure,
    rate_value,
    trend,
    uses_trajectory,
)
from tracker.services.measures._national import ComparatorSet, latest_comparators
from tracker.services.register import AuditEntry, audit_trail
from tracker.strategy import load_strategy

AUDIT_ENTITY = "measure"
NOT_RATED = "not_rated"
# Exceptions first, as on the overview: Red, Amber, Green, Blue, then not rated.
RATING_ORDER = (Rag.RED.value, Rag.AMBER.value, Rag.GREEN.value, Rag.BLUE.value, NOT_RATED)


class MeasureNotFound(NotFound):
    pass


@dataclass(frozen=True)
class MeasureSummary:
    """Where one measure stands on a date: facts, latest two values, rating and trend."""

    id: int
    reference: str
    priority_number: int
    priority_title: str
    wording: str
    unit: str
    direction: str
    baseline_value: float | None
    baseline_date: date | None
    baseline_set: bool
    baseline_note: str | None
    target_value: float | None
    target_date: date | None
    tolerance_pct: float
    frequency: str | None
    data_source: str | None
    owner: str | None
    owner_email: str | None
    owner_id: int | None
    rating_mode: str
    latest_value: float | None
    latest_period: date | None
    latest_period_label: str | None
    latest_note: str | None
    previous_value: float | None
    previous_period: date | None
    previous_period_label: str | None
    trend: Trend | None  # the raw movement of the number
    direction_of_travel: DirectionOfTravel | None  # better or worse, respecting the direction
    rag: str | None
    previous_rag: str | None
    rating_basis: str
    expected_value: float | None  # where the latest value was expected to be (target/trajectory)
    commentary: str | None
    linked_actions: tuple[str, ...]
    version: int

    @property
    def target_set(self) -> bool:
        return self.target_value is not None

    @property
    def targets(self) -> Targets:
        return _targets(self)


@dataclass(frozen=True)
class ValueRow:
    """One recorded value, who entered it, and how it rates against the current targets."""

    period_end: date
    period_label: str | None
    value: float | None
    note: str | None
    entered_by: str | None
    entered_at: datetime
    rag: str | None
    expected: float | None


@dataclass(frozen=True)
class LinkedAction:
    reference: str
    title: str
    rag: str | None
    status: str
    owner: str | None
    due_date: date | None


@dataclass(frozen=True)
class MeasureDetail:
    summary: MeasureSummary
    narrative_rag: str | None
    narrative_commentary: str | None
    values: tuple[ValueRow, ...]  # oldest period first
    trajectory: tuple[tuple[date, float], ...]  # baseline then target, when a trajectory applies
    actions: tuple[LinkedAction, ...]
    audit: tuple[AuditEntry, ...]  # newest first; empty unless the viewer may see audit trails
    # Who wrote the commentary shown (the owner or an administrator); None for the strategy's.
    commentary_by: str | None = None
    # The published England, regional and local authority figures for the latest period.
    comparators: ComparatorSet | None = None


@dataclass(frozen=True)
class _Point:
    period_end: date
    period_label: str | None
    value: float | None
    note: str | None


def _targets(measure: SuccessMeasure | MeasureSummary) -> Targets:
    return Targets(
        direction=measure.direction,
        target_value=measure.target_value,
        target_date=measure.target_date,
        baseline_value=measure.baseline_value,
        baseline_date=measure.baseline_date,
        tolerance_pct=measure.tolerance_pct,
    )


def find_measure(session: Session, reference: str) -> SuccessMeasure:
    """The measure with ``reference`` (case and spaces ignored), or MeasureNotFound."""
    wanted = normalise_reference(reference)
    measure = session.exec(select(SuccessMeasure).where(SuccessMeasure.reference == wanted)).first()
    if measure is None:
        raise MeasureNotFound(f"No success measure with reference {reference.strip()!r}")
    return measure


def normalise_reference(reference: str) -> str:
    """``m 2.3`` -> ``M2.3``: references are typed in many ways, stored in one."""
    return "".join(reference.split()).upper()


def _latest_points(
    session: Session, *, as_of: date, measure_ids: Iterable[int] | None
) -> dict[int, list[_Point]]:
    """The latest two values per measure up to ``as_of``, newest first, in one query."""
    rank = (
        func.row_number()
        .over(
            partition_by=col(MeasureValue.measure_id),
            order_by=col(MeasureValue.period_end).desc(),
        )
        .label("rank")
    )
    inner = select(col(MeasureValue.id), rank).where(col(MeasureValue.period_end) <= as_of)
    if measure_ids is not None:
        inner = inner.where(col(MeasureValue.measure_id).in_(list(measure_ids)))
    ranked = inner.subquery()
    query = (
        select(MeasureValue)
        .join(ranked, ranked.c.id == col(MeasureValue.id))
        .where(ranked.c.rank <= 2)
        .order_by(col(MeasureValue.measure_id), ranked.c.rank)
    )
    points: dict[int, list[_Point]] = defaultdict(list)
    for row in session.exec(query).all():
        points[row.measure_id].append(_Point(row.period_end, row.period_label, row.value, row.note))
    return points


def _linked_references(session: Session, measure_ids: Iterable[int] | None) -> dict[int, list[str]]:
    query = select(MeasureAction.measure_id, Action.reference).join(
        Action, col(Action.id) == col(MeasureAction.action_id)
    )
    if measure_ids is not None:
        query = query.where(col(MeasureAction.measure_id).in_(list(measure_ids)))
    links: dict[int, list[str]] = defaultdict(list)
    for measure_id, reference in session.exec(query).all():
        links[measure_id].append(reference)
    return links


def _summarise(
    measure: SuccessMeasure,
    *,
    priority: Priority,
    owner: Person | None,
    points: list[_Point],
    links: list[str],
) -> MeasureSummary:
    latest = points[0] if points else None
    previous = points[1] if len(points) > 1 else None
    targets = _targets(measure)
    rating = rate_measure(
        rating_mode=measure.rating_mode,
        narrative_rag=measure.narrative_rag,
        latest_value=latest.value if latest else None,
        latest_period=latest.period_end if latest else None,
        targets=targets,
    )
    # What the previous value rated, for "movement since last time"; a judgement has no history.
    previous_rating = (
        rate_value(previous.value, period_end=previous.period_end, targets=targets)
        if previous is not None and previous.value is not None and measure.rating_mode == "numeric"
        else None
    )
    latest_value = latest.value if latest else None
    previous_value = previous.value if previous else None
    if measure.rating_mode == "narrative":
        commentary = measure.narrative_commentary or (latest.note if latest else None)
    else:
        commentary = (latest.note if latest else None) or measure.commentary
    assert measure.id is not None
    return MeasureSummary(
        id=measure.id,
        reference=measure.reference,
        priority_number=priority.number,
        priority_title=priority.short_title or priority.title,
        wording=measure.wording,
        unit=measure.unit,
        direction=measure.direction,
        baseline_value=measure.baseline_value,
        baseline_date=measure.baseline_date,
        baseline_set=measure.baseline_value is not None,
        baseline_note=measure.baseline_note,
        target_value=measure.target_value,
        target_date=measure.target_date,
        tolerance_pct=measure.tolerance_pct,
        frequency=measure.frequency,
        data_source=measure.data_source,
        owner=owner.name if owner else None,
        owner_email=owner.email if owner else None,
        owner_id=measure.owner_id,
        rating_mode=measure.rating_mode,
        latest_value=latest_value,
        latest_period=latest.period_end if latest else None,
        latest_period_label=latest.period_label if latest else None,
        latest_note=latest.note if latest else None,
        previous_value=previous_value,
        previous_period=previous.period_end if previous else None,
        previous_period_label=previous.period_label if previous else None,
        trend=trend(latest_value, previous_value),
        direction_of_travel=direction_of_travel(latest_value, previous_value, measure.direction),
        rag=rating.rag,
        previous_rag=previous_rating.rag if previous_rating else None,
        rating_basis=rating.basis,
        expected_value=rating.expected,
        commentary=commentary,
        linked_actions=tuple(sorted(links, key=reference_sort_key)),
        version=measure.version,
    )


def _summaries(session: Session, *, as_of: date, reference: str | None) -> list[MeasureSummary]:
    query = (
        select(SuccessMeasure, Priority, Person)
        .join(Priority, col(Priority.id) == col(SuccessMeasure.priority_id))
        .outerjoin(Person, col(Person.id) == col(SuccessMeasure.owner_id))
    )
    if reference is not None:
        query = query.where(SuccessMeasure.reference == normalise_reference(reference))
    rows = session.exec(query).all()
    ids = [m.id for m, _, _ in rows if m.id is not None] if reference is not None else None
    points = _latest_points(session, as_of=as_of, measure_ids=ids)
    links = _linked_references(session, ids)
    summaries = [
        _summarise(m, priority=p, owner=o, points=points.get(m.id or 0, []), links=links[m.id or 0])
        for m, p, o in rows
    ]
    summaries.sort(key=lambda s: (s.priority_number, reference_sort_key(s.reference)))
    return summaries


def list_measure_summaries(session: Session, *, as_of: date) -> list[MeasureSummary]:
    """Every measure as it stood on ``as_of`` (values for later periods ignored), in order."""
    return _summaries(session, as_of=as_of, reference=None)


def list_red_measures(session: Session, *, as_of: date) -> list[MeasureSummary]:
    """The measures rated Red on ``as_of``: the exceptions, each with its owner's commentary."""
    return [s for s in list_measure_summaries(session, as_of=as_of) if s.rag == Rag.RED.value]


def get_measure_summary(session: Session, *, reference: str, as_of: date) -> MeasureSummary:
    found = _summaries(session, as_of=as_of, reference=reference)
    if not found:
        raise MeasureNotFound(f"No success measure with reference {reference.strip()!r}")
    return found[0]


def filter_summaries(
    summaries: Iterable[MeasureSummary],
    *,
    priority: int | None = None,
    rating: str | None = None,
) -> list[MeasureSummary]:
    """Those of one priority and/or one rating (a RAG code, or "not_rated")."""
    chosen = []
    for summary in summaries:
        if priority is not None and summary.priority_number != priority:
            continue
        if rating is not None and (summary.rag or NOT_RATED) != rating:
            continue
        chosen.append(summary)
    return chosen


def count_by_rating(summaries: Iterable[MeasureSummary]) -> dict[str, int]:
    """How many measures are Red, Amber, Green, Blue and not rated (in that order)."""
    counts = {code: 0 for code in RATING_ORDER}
    for summary in summaries:
        counts[summary.rag or NOT_RATED] += 1
    return counts


def get_measure_detail(
    session: Session, *, reference: str, as_of: date, viewer: Actor | None = None
) -> MeasureDetail:
    """A measure with all its values to ``as_of``, its actions and (for staff) its audit trail.

    The audit trail names who changed what; it is included only when ``viewer`` may see audit
    trails (partners and forum representatives may not).
    """
    summary = get_measure_summary(session, reference=reference, as_of=as_of)
    measure = session.get(SuccessMeasure, summary.id)
    assert measure is not None
    targets = summary.targets
    values = tuple(
        _value_row(value, name, targets)
        for value, name in session.exec(
            select(MeasureValue, Person.name)
            .outerjoin(Person, col(Person.id) == col(MeasureValue.entered_by_id))
            .where(MeasureValue.measure_id == summary.id, col(MeasureValue.period_end) <= as_of)
            .order_by(col(MeasureValue.period_end))
        ).all()
    )
    trajectory: tuple[tuple[date, float], ...] = ()
    if uses_trajectory(targets) and summary.rating_mode == "numeric":
        assert summary.baseline_date and summary.target_date
        assert summary.baseline_value is not None and summary.target_value is not None
        trajectory = (
            (summary.baseline_date, summary.baseline_value),
            (summary.target_date, summary.target_value),
        )
    show_audit = viewer is not None and can(viewer, Operation.VIEW_AUDIT)
    return MeasureDetail(
        summary=summary,
        narrative_rag=measure.narrative_rag,
        narrative_commentary=measure.narrative_commentary,
        values=values,
        trajectory=trajectory,
        actions=tuple(_linked_actions(session, summary.id)),
        audit=tuple(audit_trail(session, actor=viewer, entity=AUDIT_ENTITY, entity_id=summary.id))
        if viewer is not None and show_audit
        else (),
        commentary_by=_commentary_author(session, summary, measure, values),
        comparators=latest_comparators(session, [summary.id], as_of=as_of).get(summary.id),
    )


def _commentary_author(
    session: Session, summary: MeasureSummary, measure: SuccessMeasure, values: tuple[ValueRow, ...]
) -> str | None:
    """Who wrote the commentary the measure shows: whoever entered the latest value's note or
    made the narrative judgement (the owner or an administrator); None for the strategy's text."""
    if summary.commentary is None:
        return None
    if summary.rating_mode == "narrative" and measure.narrative_commentary == summary.commentary:
        row = session.exec(
            select(AuditLog.actor_label, Person.name)
            .outerjoin(Person, col(Person.id) == col(AuditLog.actor_id))
            .where(
                AuditLog.entity == AUDIT_ENTITY,
                AuditLog.entity_id == summary.id,
                AuditLog.field == "narrative commentary",
            )
            .order_by(col(AuditLog.at).desc(), col(AuditLog.id).desc())
        ).first()
        return None if row is None else (row[1] or row[0])
    latest = values[-1] if values else None  # oldest period first, up to ``as_of``
    if latest is not None and latest.note == summary.commentary:
        return latest.entered_by
    return None


def _value_row(value: MeasureValue, entered_by: str | None, targets: Targets) -> ValueRow:
    rating = rate_value(value.value, period_end=value.period_end, targets=targets)
    return ValueRow(
        period_end=value.period_end,
        period_label=value.period_label,
        value=value.value,
        note=value.note,
        entered_by=entered_by,
        entered_at=value.entered_at,
        rag=rating.rag,
        expected=rating.expected,
    )


def _linked_actions(session: Session, measure_id: int) -> list[LinkedAction]:
    query = (
        select(Action, Person.name)
        .join(MeasureAction, col(MeasureAction.action_id) == col(Action.id))
        .outerjoin(Person, col(Person.id) == col(Action.owner_id))
        .where(MeasureAction.measure_id == measure_id)
    )
    found = [
        LinkedAction(
            reference=a.reference,
            title=a.title,
            rag=a.rag,
            status=a.status,
            owner=owner,
            due_date=a.due_date,
        )
        for a, owner in session.exec(query).all()
    ]
    return sorted(found, key=lambda a: reference_sort_key(a.reference))


@dataclass(frozen=True)
class ContextFigure:
    """A "SEND in context" figure the strategy states, with its own sentence."""

    label: str
    value: float
    unit: str
    as_at: date | None
    text: str


def list_context_figures() -> list[ContextFigure]:
    """The strategy's context figures (13,402 EHCPs in June 2025 ...), as packaged with it.

    Only two of them fit a measure and are seeded as its baseline (M1.3, M2.6); the rest are
    shown beside the measures so the page states everything the strategy gives as a baseline.
    """
    return [
        ContextFigure(
            label=str(item["label"]),
            value=float(item["value"]),
            unit=str(item.get("unit") or "count"),
            as_at=item.get("date"),
            text=str(item.get("text") or ""),
        )
        for item in load_strategy().get("context", [])
    ]


def may_edit_measure(actor: Actor, summary: MeasureSummary) -> bool:
    """May ``actor`` set this measure's baseline, target, tolerance and narrative rating?"""
    return can(actor, Operation.EDIT_MEASURE, is_owner=summary.owner_id == actor.person_id)


def may_enter_values(actor: Actor, summary: MeasureSummary) -> bool:
    return can(actor, Operation.ENTER_MEASURE_VALUE, is_owner=summary.owner_id == actor.person_id)


def may_import_values(actor: Actor, summaries: Iterable[MeasureSummary]) -> bool:
    """May ``actor`` load values from a spreadsheet at all (each row is checked again)?"""
    return can(actor, Operation.ENTER_MEASURE_VALUE) or any(
        may_enter_values(actor, s) for s in summaries
    )


def may_link_actions(actor: Actor) -> bool:
    """Only administrators change which actions contribute to a measure."""
    return can(actor, Operation.EDIT_MEASURE)

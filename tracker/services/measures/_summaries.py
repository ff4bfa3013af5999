"""Success measures: summaries for the page, the overview and the papers, and the reads behind them.

``list_measure_summaries`` answers "where does each measure stand on a date?" in four queries
(measures, their latest two values via a window function, contributing actions, milestones)
however many measures there are, rates each with :mod:`tracker.rules.measures` and flags it
stale when an expected period's value is overdue. ``list_red_measures`` is the exceptions list
the executive overview and the Improvement Board paper show, each with the owner's commentary.
``get_measure_detail`` adds every value (provisional or final, who entered and signed it off,
its source and caveat), the milestones beside their actuals, the comparators' history for the
chart, the contributing actions and (for staff) the audit trail. Changes to measures live in
the package's other modules.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from tracker.errors import NotFound
from tracker.governance import MeasuresConfig
from tracker.models import (
    Action,
    AuditLog,
    MeasureAction,
    MeasureComparator,
    MeasureMilestone,
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
    overdue_period,
    rate_measure,
    rate_value,
    shortfall,
    trajectory_points,
    trend,
)
from tracker.services.measures._comparators import ComparatorSet, latest_comparators
from tracker.services.measures._sign_off_rule import sign_off_refusal
from tracker.services.register import AuditEntry, audit_trail
from tracker.strategy import load_strategy

AUDIT_ENTITY = "measure"
FINAL = "final"
# Days after a period ends before its missing value makes a measure stale (governance.yaml's
# measures.reporting_lag_days; callers with the file pass its value).
DEFAULT_REPORTING_LAG_DAYS = MeasuresConfig().reporting_lag_days
NOT_RATED = "not_rated"
# Exceptions first, as on the overview: Red, Amber, Green, Blue, then not rated.
RATING_ORDER = (Rag.RED.value, Rag.AMBER.value, Rag.GREEN.value, Rag.BLUE.value, NOT_RATED)


class MeasureNotFound(NotFound):
    pass


@dataclass(frozen=True)
class Milestone:
    """A dated point on the way from baseline to target: the value expected by then."""

    due_date: date
    value: float
    label: str | None


@dataclass(frozen=True)
class MilestoneProgress:
    """A milestone beside the actual: the latest value for a period ending by its date."""

    due_date: date
    value: float
    label: str | None
    actual: float | None
    actual_period: date | None
    gap: float | None  # shortfall from the milestone (0 when met); None without an actual
    due: bool  # the milestone date has passed (on ``as_of``)


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
    milestones: tuple[Milestone, ...] = ()
    latest_status: str | None = None  # "provisional" or "final"
    latest_source: str | None = None
    latest_caveat: str | None = None
    # The end of the expected period whose value is overdue: the measure is stale.
    stale_since: date | None = None

    @property
    def stale(self) -> bool:
        return self.stale_since is not None

    @property
    def latest_provisional(self) -> bool:
        return self.latest_value is not None and self.latest_status != FINAL

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
    status: str = "provisional"
    signed_off_by: str | None = None
    signed_off_at: datetime | None = None
    source: str | None = None
    caveat: str | None = None
    # Why the viewer may not sign this value off (None: they may, or it is final already).
    sign_off_refusal: str | None = None

    @property
    def final(self) -> bool:
        return self.status == FINAL

    @property
    def may_sign_off(self) -> bool:
        return not self.final and self.sign_off_refusal is None


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
    # Baseline, milestones then target, when a trajectory applies (the chart's line).
    trajectory: tuple[tuple[date, float], ...]
    actions: tuple[LinkedAction, ...]
    audit: tuple[AuditEntry, ...]  # newest first; empty unless the viewer may see audit trails
    # Who wrote the commentary shown (the owner or an administrator); None for the strategy's.
    commentary_by: str | None = None
    # The published England, regional and local authority figures for the latest period.
    comparators: ComparatorSet | None = None
    # Every comparator period held, oldest first, for the chart (area name -> figures).
    comparator_series: tuple[tuple[str, str, tuple[tuple[date, float], ...]], ...] = ()
    milestones: tuple[MilestoneProgress, ...] = ()


@dataclass(frozen=True)
class _Point:
    period_end: date
    period_label: str | None
    value: float | None
    note: str | None
    status: str = "provisional"
    source: str | None = None
    caveat: str | None = None


def _targets(
    measure: SuccessMeasure | MeasureSummary, milestones: tuple[Milestone, ...] = ()
) -> Targets:
    if isinstance(measure, MeasureSummary):
        milestones = measure.milestones
    return Targets(
        milestones=tuple((m.due_date, m.value) for m in milestones),
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
        points[row.measure_id].append(
            _Point(
                row.period_end,
                row.period_label,
                row.value,
                row.note,
                row.status,
                row.source,
                row.caveat,
            )
        )
    return points


def load_milestones(
    session: Session, measure_ids: Iterable[int] | None
) -> dict[int, tuple[Milestone, ...]]:
    """Each measure's milestones, oldest first, in one query."""
    query = select(MeasureMilestone).order_by(col(MeasureMilestone.due_date))
    if measure_ids is not None:
        query = query.where(col(MeasureMilestone.measure_id).in_(list(measure_ids)))
    found: dict[int, list[Milestone]] = defaultdict(list)
    for row in session.exec(query).all():
        found[row.measure_id].append(Milestone(row.due_date, row.value, row.label))
    return {k: tuple(v) for k, v in found.items()}


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
    milestones: tuple[Milestone, ...],
    as_of: date,
    lag_days: int,
) -> MeasureSummary:
    latest = points[0] if points else None
    previous = points[1] if len(points) > 1 else None
    targets = _targets(measure, milestones)
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
        milestones=milestones,
        latest_status=latest.status if latest else None,
        latest_source=latest.source if latest else None,
        latest_caveat=latest.caveat if latest else None,
        stale_since=overdue_period(
            measure.frequency,
            latest_period=latest.period_end if latest else None,
            baseline_date=measure.baseline_date,
            today=as_of,
            lag_days=lag_days,
        ),
    )


def _summaries(
    session: Session, *, as_of: date, reference: str | None, lag_days: int
) -> list[MeasureSummary]:
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
    milestones = load_milestones(session, ids)
    summaries = [
        _summarise(
            m,
            priority=p,
            owner=o,
            points=points.get(m.id or 0, []),
            links=links[m.id or 0],
            milestones=milestones.get(m.id or 0, ()),
            as_of=as_of,
            lag_days=lag_days,
        )
        for m, p, o in rows
    ]
    summaries.sort(key=lambda s: (s.priority_number, reference_sort_key(s.reference)))
    return summaries


def list_measure_summaries(
    session: Session, *, as_of: date, reporting_lag_days: int = DEFAULT_REPORTING_LAG_DAYS
) -> list[MeasureSummary]:
    """Every measure as it stood on ``as_of`` (values for later periods ignored), in order;
    stale when a period's value is more than ``reporting_lag_days`` overdue."""
    return _summaries(session, as_of=as_of, reference=None, lag_days=reporting_lag_days)


def list_red_measures(session: Session, *, as_of: date) -> list[MeasureSummary]:
    """The measures rated Red on ``as_of``: the exceptions, each with its owner's commentary."""
    return [s for s in list_measure_summaries(session, as_of=as_of) if s.rag == Rag.RED.value]


def get_measure_summary(
    session: Session,
    *,
    reference: str,
    as_of: date,
    reporting_lag_days: int = DEFAULT_REPORTING_LAG_DAYS,
) -> MeasureSummary:
    found = _summaries(session, as_of=as_of, reference=reference, lag_days=reporting_lag_days)
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
    session: Session,
    *,
    reference: str,
    as_of: date,
    viewer: Actor | None = None,
    config: MeasuresConfig | None = None,
) -> MeasureDetail:
    """A measure with all its values to ``as_of``, its actions and (for staff) its audit trail.

    The audit trail names who changed what; it is included only when ``viewer`` may see audit
    trails (partners and forum representatives may not). With ``config`` (governance.yaml's
    measures section) each value says whether ``viewer`` may sign it off, and staleness uses its
    reporting lag.
    """
    config = config or MeasuresConfig()
    summary = get_measure_summary(
        session, reference=reference, as_of=as_of, reporting_lag_days=config.reporting_lag_days
    )
    measure = session.get(SuccessMeasure, summary.id)
    assert measure is not None
    targets = summary.targets
    signer = _person_names(session)
    values = tuple(
        _value_row(
            value,
            name,
            targets,
            signed_off_by=signer.get(value.signed_off_by_id or 0),
            refusal="nobody is signed in"
            if viewer is None
            else sign_off_refusal(
                viewer,
                reference=summary.reference,
                owner_id=summary.owner_id,
                entered_by_id=value.entered_by_id,
                config=config,
            ),
        )
        for value, name in session.exec(
            select(MeasureValue, Person.name)
            .outerjoin(Person, col(Person.id) == col(MeasureValue.entered_by_id))
            .where(MeasureValue.measure_id == summary.id, col(MeasureValue.period_end) <= as_of)
            .order_by(col(MeasureValue.period_end))
        ).all()
    )
    trajectory = trajectory_points(targets) if summary.rating_mode == "numeric" else ()
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
        comparator_series=comparator_series(session, summary.id, as_of=as_of),
        milestones=milestone_progress(
            summary.milestones,
            [(v.period_end, v.value) for v in values],
            direction=summary.direction,
            as_of=as_of,
        ),
    )


def _person_names(session: Session) -> dict[int, str]:
    return {pid: name for pid, name in session.exec(select(Person.id, Person.name)) if pid}


def milestone_progress(
    milestones: Iterable[Milestone],
    values: Iterable[tuple[date, float | None]],
    *,
    direction: str,
    as_of: date,
) -> tuple[MilestoneProgress, ...]:
    """Each milestone with the latest value for a period ending by its date, and the gap; a
    milestone not yet due (on ``as_of``) has neither."""
    known = sorted((d, v) for d, v in values if v is not None)
    found = []
    for m in milestones:
        before = [(d, v) for d, v in known if d <= m.due_date]
        actual = before[-1] if before and m.due_date <= as_of else None
        gap = None
        if actual is not None and actual[1] is not None:
            gap = max(shortfall(actual[1], m.value, direction), 0.0)
        found.append(
            MilestoneProgress(
                due_date=m.due_date,
                value=m.value,
                label=m.label,
                actual=actual[1] if actual else None,
                actual_period=actual[0] if actual else None,
                gap=gap,
                due=m.due_date <= as_of,
            )
        )
    return tuple(found)


def comparator_series(
    session: Session, measure_id: int, *, as_of: date
) -> tuple[tuple[str, str, tuple[tuple[date, float], ...]], ...]:
    """(area kind, area name, [(period end, figure)...]) per area, for the measure's chart."""
    rows = session.exec(
        select(MeasureComparator)
        .where(
            MeasureComparator.measure_id == measure_id,
            col(MeasureComparator.period_end) <= as_of,
            col(MeasureComparator.value).is_not(None),
        )
        .order_by(col(MeasureComparator.period_end))
    ).all()
    series: dict[tuple[str, str], list[tuple[date, float]]] = defaultdict(list)
    for row in rows:
        assert row.value is not None
        series[(row.area_kind, row.area_name)].append((row.period_end, row.value))
    return tuple((kind, name, tuple(points)) for (kind, name), points in series.items())


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


def _value_row(
    value: MeasureValue,
    entered_by: str | None,
    targets: Targets,
    *,
    signed_off_by: str | None = None,
    refusal: str | None = None,
) -> ValueRow:
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
        status=value.status,
        signed_off_by=signed_off_by,
        signed_off_at=value.signed_off_at,
        source=value.source,
        caveat=value.caveat,
        sign_off_refusal=None if value.status == FINAL else refusal,
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

"""Gather a stocktake report from the database: the position at each end of the period, what
moved, the impact and evidence reported, measures, "you said, we did", risks and exceptions.

Delivery positions come from the papers' own history (``tracker.papers.history``): the rating,
status and due date each action had at the first moment of the period and at its end, rebuilt
from the update history, and compared by the papers' movement rules, so a stocktake and a board
paper never count movement two ways. Everything is read in the one session the caller opened.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from tracker.governance import GovernanceConfig, ImpactConfig
from tracker.models import Action, ActionStatus, ActionUpdate, Priority, Rag
from tracker.papers.history import ActionState, read_states
from tracker.papers.model import NOT_RATED, ActionLine, Movement, RagKeyEntry
from tracker.papers.movement import Baseline, Tracked, compare_positions
from tracker.papers.text import format_date, format_direction
from tracker.rules import CLOSED_STATUSES, ON_TRACK_RATINGS, reference_sort_key
from tracker.rules.measures import format_value, unit_suffix
from tracker.rules.risks import band_for, movement_words, top_band
from tracker.services.measures import (
    MeasureSummary,
    describe_comparators,
    latest_comparators,
    list_measure_summaries,
)
from tracker.services.register import ActionRow, list_actions
from tracker.services.risks import RiskRow, open_mitigations, risks_overseen, scores_at
from tracker.services.stocktake._model import (
    EvidenceFile,
    FeedbackLine,
    ImpactLine,
    MeasureLine,
    OffTrackLine,
    PriorityPart,
    RiskLine,
    StocktakeReport,
    Summary,
)
from tracker.services.stocktake._period import Period
from tracker.services.stocktake._sources import (
    FeedbackRow,
    ImpactRow,
    count_audit_rows,
    count_measure_values,
    count_updates,
    people_names,
    read_evidence,
    read_feedback,
    read_impact,
)

RAG_CODES = (Rag.BLUE.value, Rag.GREEN.value, Rag.AMBER.value, Rag.RED.value, NOT_RATED)


def _counts(states: Iterable[ActionState]) -> dict[str, int]:
    counted = Counter(
        state.rag or NOT_RATED for state in states if state.status != ActionStatus.WITHDRAWN.value
    )
    return {code: counted.get(code, 0) for code in RAG_CODES}


def _line(row: ActionRow, state: ActionState) -> ActionLine:
    return ActionLine(
        reference=row.reference,
        title=row.title,
        owner=row.owner or "No owner",
        priority_number=row.priority_number,
        due_date=state.due_date,
        status=state.status,
        rag=state.rag,
        commentary=state.commentary or "",
        path_to_green=state.path_to_green or "",
        due_confirmed=row.planning_confirmed,
    )


def _start_states(
    session: Session, rows: list[ActionRow], start: datetime, now: datetime
) -> dict[int, ActionState]:
    """Each action's position at the start. An action added during the period (created then,
    with no update before it) has none: it is new, not moved."""
    query: Any = sa_select(col(Action.id), col(Action.created_at))
    created: dict[int, datetime] = dict(session.exec(query).all())
    first: Any = sa_select(col(ActionUpdate.action_id), func.min(col(ActionUpdate.created_at)))
    first_update: dict[int, datetime] = dict(
        session.exec(first.group_by(col(ActionUpdate.action_id))).all()
    )
    states = read_states(session, action_ids=[r.id for r in rows], cutoff=start, now=now)

    def existed(aid: int) -> bool:
        moments = [m for m in (created.get(aid), first_update.get(aid)) if m is not None]
        return bool(moments) and min(moments) < start

    return {aid: state for aid, state in states.items() if existed(aid)}


def _measure_line(summary: MeasureSummary, comparators: str, values: int) -> MeasureLine:
    def show(value: float | None) -> str:
        return format_value(value, summary.unit, missing="Not available")

    baseline = "Not set"
    if summary.baseline_set:
        baseline = show(summary.baseline_value)
        if summary.baseline_date:
            baseline += f" ({format_date(summary.baseline_date)})"
    target = "Not set"
    if summary.target_value is not None:
        target = show(summary.target_value)
        if summary.target_date:
            target += f" by {format_date(summary.target_date)}"
    latest = "No value yet"
    if summary.latest_period is not None:
        period = summary.latest_period_label or format_date(summary.latest_period)
        latest = f"{show(summary.latest_value)} ({period})"
    previous = ""
    if summary.previous_period is not None:
        period = summary.previous_period_label or format_date(summary.previous_period)
        previous = f"{show(summary.previous_value)} ({period})"
    return MeasureLine(
        reference=summary.reference,
        wording=summary.wording,
        unit=summary.unit,
        baseline=baseline,
        target=target,
        expected=show(summary.expected_value) if summary.expected_value is not None else "",
        latest=latest,
        previous=previous,
        direction_of_travel=format_direction(summary.direction_of_travel),
        rag=summary.rag,
        values_in_period=values,
        comparators=comparators,
    )


def _risk_lines(
    session: Session, governance: GovernanceConfig, period: Period, start: datetime, end: datetime
) -> list[tuple[RiskRow, RiskLine]]:
    scale = governance.risks
    rows = risks_overseen(session, body_ids=None, scale=scale, today=period.end)
    ids = [r.id for r in rows]
    at_end, at_start = scores_at(session, ids, end), scores_at(session, ids, start)
    mitigations = open_mitigations(session, ids)
    lines = []
    for row in rows:
        if row.id not in at_end:
            continue  # first scored after the period
        likelihood, impact = at_end[row.id]
        score = likelihood * impact
        band = band_for(score, scale.bands)
        before = at_start.get(row.id)
        movement = (
            "new in this period" if before is None else movement_words(before[0] * before[1], score)
        )
        lines.append(
            (
                row,
                RiskLine(
                    reference=row.reference,
                    title=row.title,
                    owner=row.owner,
                    score=score,
                    band=band.name,
                    band_colour=band.colour,
                    movement=movement,
                    mitigations=tuple(m.description for m in mitigations.get(row.id, [])),
                    actions=row.actions,
                ),
            )
        )
    lines.sort(key=lambda pair: (-pair[1].score, reference_sort_key(pair[1].reference)))
    return lines


def _feedback_line(row: FeedbackRow) -> FeedbackLine:
    entry = row.entry
    return FeedbackLine(
        reference=entry.reference,
        source=entry.source,
        heard_on=entry.heard_on,
        said=entry.said,
        we_did=entry.we_did or "",
        impact=entry.impact or "",
        status=entry.status,
        closed_in_period=row.closed_in_period,
        actions=row.action_references,
    )


def _impact_lines(
    impacts: list[ImpactRow], evidence: list[EvidenceFile], scale: ImpactConfig
) -> tuple[list[tuple[int, ImpactLine]], set[int]]:
    by_update: dict[int, list[EvidenceFile]] = defaultdict(list)
    for item in evidence:
        if item.update_id is not None:
            by_update[item.update_id].append(item)
    used: set[int] = set()
    lines = []
    for impact in impacts:
        files = by_update.get(impact.update_id, [])
        used.update(f.id for f in files)
        lines.append(
            (
                impact.priority_id,
                ImpactLine(
                    reference=impact.reference,
                    title=impact.title,
                    rating=scale.rating_label(impact.rating) if impact.rating else "",
                    evidence=impact.evidence,
                    voices=tuple(scale.voice_label(v) for v in impact.voices),
                    by=impact.by,
                    at=impact.at,
                    files=tuple(f.path.rpartition("/")[2] for f in files),
                ),
            )
        )
    return lines, used


def _evident_actions(impacts: list[ImpactRow], scale: ImpactConfig) -> int:
    """Actions whose latest impact rating in the period is one governance.yaml's impact scale
    counts as evident."""
    latest: dict[int, str] = {}
    for impact in impacts:  # oldest first
        if impact.rating:
            latest[impact.action_id] = impact.rating
    return sum(1 for rating in latest.values() if scale.is_evident(rating))


def gather_report(
    session: Session,
    *,
    governance: GovernanceConfig,
    period: Period,
    now: datetime,
    generated_by: str,
) -> StocktakeReport:
    """Everything the stocktake report says about ``period``, read in one session."""
    zone = governance.partnership.timezone
    start, end = period.moments(zone)
    names = people_names(session)
    rows = list_actions(session, today=period.end)
    end_states = read_states(session, action_ids=[r.id for r in rows], cutoff=end, now=now)
    start_states = _start_states(session, rows, start, now)
    evidence = read_evidence(session, start=start, end=end, names=names)
    impacts = read_impact(session, start=start, end=end, names=names)
    impact_lines, impact_files = _impact_lines(impacts, evidence, governance.impact)
    value_counts = count_measure_values(session, start=start, end=end)
    summaries = list_measure_summaries(session, as_of=period.end)
    published = latest_comparators(session, [s.id for s in summaries], as_of=period.end)
    feedback = read_feedback(session, start=start, end=end, days=(period.start, period.end))
    risks = _risk_lines(session, governance, period, start, end)
    priorities = session.exec(select(Priority).order_by(col(Priority.number))).all()
    number_of = {p.id: p.number for p in priorities}
    action_priority = {r.id: r.priority_number for r in rows}
    action_numbers: dict[str, int] = {r.reference: r.priority_number for r in rows}

    parts = []
    movements: list[Movement] = []
    for priority in priorities:
        mine = [r for r in rows if r.priority_number == priority.number]
        tracked = [Tracked(r.id, _line(r, end_states[r.id]), end_states[r.id]) for r in mine]
        movement = compare_positions(tracked, Baseline(kind="history", states=start_states))
        movements.append(movement)
        off_track = tuple(
            OffTrackLine(
                reference=t.line.reference,
                title=t.line.title,
                owner=t.line.owner,
                due_date=t.state.due_date,
                due_confirmed=t.line.due_confirmed,
                commentary=t.state.commentary or "",
                path_to_green=t.state.path_to_green or "",
            )
            for t in tracked
            if t.state.rag == Rag.RED.value and t.state.status not in CLOSED_STATUSES
        )
        risk_here = tuple(
            line
            for row, line in risks
            if priority.number in row.priorities
            or (
                not row.priorities
                and any(action_numbers.get(ref) == priority.number for ref in row.actions)
            )
        )
        feedback_here = tuple(
            _feedback_line(f)
            for f in feedback
            if priority.id in f.priority_ids or priority.id in f.action_priority_ids
        )
        parts.append(
            PriorityPart(
                number=priority.number,
                title=priority.short_title or priority.title,
                counts_start=_counts(start_states[r.id] for r in mine if r.id in start_states),
                counts_end=_counts(end_states[r.id] for r in mine),
                movement=movement,
                impacts=tuple(
                    line for pid, line in impact_lines if number_of.get(pid) == priority.number
                ),
                other_evidence=tuple(
                    f
                    for f in evidence
                    if f.id not in impact_files
                    and action_priority.get(f.action_id) == priority.number
                ),
                measures=tuple(
                    _measure_line(
                        s,
                        describe_comparators(published[s.id], unit_suffix(s.unit))
                        if s.id in published
                        else "",
                        value_counts.get(s.reference, 0),
                    )
                    for s in summaries
                    if s.priority_number == priority.number
                ),
                feedback=feedback_here,
                risks=risk_here,
                off_track=off_track,
            )
        )
    linked_risks = {line.reference for part in parts for line in part.risks}
    linked_feedback = {line.reference for part in parts for line in part.feedback}
    top = top_band(governance.risks)
    summary = Summary(
        actions=sum(1 for r in rows if end_states[r.id].status != ActionStatus.WITHDRAWN.value),
        counts_start=_counts(start_states.values()),
        counts_end=_counts(end_states.values()),
        improved=sum(len(m.improved) for m in movements),
        deteriorated=sum(len(m.deteriorated) for m in movements),
        completed=sum(len(m.completed) for m in movements),
        new_reds=sum(len(m.new_reds) for m in movements),
        slipped=sum(len(m.slipped) for m in movements),
        off_track=sum(len(p.off_track) for p in parts),
        updates=count_updates(session, start=start, end=end),
        impact_reports=len(impacts),
        impact_evident=_evident_actions(impacts, governance.impact),
        evidence_files=len(evidence),
        evidence_bytes=sum(f.size_bytes for f in evidence),
        measures_on_track=sum(1 for s in summaries if s.rag in ON_TRACK_RATINGS),
        measures_off_track=sum(1 for s in summaries if s.rag in (Rag.AMBER.value, Rag.RED.value)),
        measures_not_rated=sum(1 for s in summaries if s.rag is None),
        measure_values=sum(value_counts.values()),
        open_risks=len(risks),
        very_high_risks=sum(1 for _, line in risks if line.score >= top.low),
        very_high_band=top.name,
        feedback_entries=len(feedback),
        feedback_closed=sum(1 for f in feedback if f.closed_in_period),
        audit_rows=count_audit_rows(session, start=start, end=end),
    )
    rag_key = tuple(RagKeyEntry(r.code, r.label, r.colour, r.definition) for r in governance.rag)
    partnership: Any = governance.partnership
    return StocktakeReport(
        partnership=partnership.name,
        strategy=partnership.strategy or "",
        period=period,
        generated_at=now,
        generated_by=generated_by,
        timezone=zone,
        rag_key=rag_key,
        summary=summary,
        priorities=tuple(parts),
        unlinked_feedback=tuple(
            _feedback_line(f) for f in feedback if f.entry.reference not in linked_feedback
        ),
        unlinked_risks=tuple(line for _, line in risks if line.reference not in linked_risks),
        evidence=tuple(evidence),
    )

"""Gather one board paper from the database: a plain :class:`BoardPaper`, no rendering here.

For a board (a body with a ``paper:`` section in governance.yaml) and one of its meetings this
reads the actions in the paper's scope, their position at the paper deadline (``history.py``),
the position movement is measured from (``movement.py``), open escalations to the board and the
success measures, and chooses what each section holds for the board's level:

- *exceptions*: Red and Amber actions at action and workstream level; Red or overdue ones only
  at strategic level, where the board looks at the plan as a whole;
- *overdue*: open actions past their due date, with the days overdue counted at the paper
  deadline, the date the whole paper speaks for ("Information as at" on its cover), so the
  numbers agree with every other figure in it rather than changing with the day it is read.
  A paper generated before its deadline is a draft: it speaks for the day it was generated,
  never for a future day, so nothing is counted overdue that is not overdue yet;
- *completed since the last meeting*: completed now and not at the baseline;
- *due before the next meeting*: open, not yet overdue, due before the next meeting (or within
  one update cycle when no meeting follows);
- *summary*: counts by rating per priority (strategic) or per workstream, with the direction of
  travel from the movement; withdrawn actions are not counted, though the register lists them.

The executive summary and recommendations are written from the result (``narrative.py``).
Rendering never queries, so everything the renderer prints is in the returned value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

import tracker.papers.model as model
from tracker.governance import GovernanceConfig, ImpactConfig
from tracker.models import ActionStatus, GovernanceBody, Priority, Rag, StoredPaper, Workstream
from tracker.papers.boards import (
    BoardMeeting,
    PaperBoard,
    PaperError,
    list_board_meetings,
    neighbours,
)
from tracker.papers.facts import collect_facts, summarise_groups
from tracker.papers.history import ActionState, deadline_cutoff, read_snapshot, read_states
from tracker.papers.model import (
    ActionLine,
    BoardPaper,
    EscalationLine,
    FeedbackLine,
    ImpactKeyEntry,
    MeasureLine,
    MilestoneLine,
    RagKeyEntry,
)
from tracker.papers.movement import Baseline, Tracked, compare_positions
from tracker.papers.narrative import write_executive_summary, write_recommendations
from tracker.papers.text import format_date
from tracker.papers.trends import read_measure_series, read_rag_history
from tracker.rules import (
    CLOSED_STATUSES,
    body_and_below,
    days_overdue,
    priority_label,
    rating_inconsistency,
)
from tracker.rules.measures import expected_value, unit_suffix, uses_trajectory
from tracker.rules.risks import band_for, movement_words
from tracker.services.actions import list_open_escalations
from tracker.services.feedback import list_feedback_for_priorities, status_label
from tracker.services.measures import (
    ComparatorSet,
    MeasureSummary,
    latest_comparators,
    list_measure_summaries,
    milestone_progress,
)
from tracker.services.register import ActionRow, list_actions
from tracker.services.risks import open_mitigations, risks_overseen, scores_at

UNASSIGNED_WORKSTREAM = "Not assigned to a workstream"
NO_BODY = "No overseeing body"


@dataclass(frozen=True, slots=True)
class SnapshotEntry:
    """One action's frozen position, as a stored paper keeps it for the next paper."""

    action_id: int
    reference: str
    rag: str | None
    status: str
    due_date: date | None


@dataclass(frozen=True, slots=True)
class GatheredPaper:
    """The paper, and what generating it stores beside it."""

    paper: BoardPaper
    board: PaperBoard
    meeting: BoardMeeting
    baseline: Baseline
    snapshot: tuple[SnapshotEntry, ...]


def gather_board_paper(
    session: Session,
    *,
    governance: GovernanceConfig,
    board: PaperBoard,
    meeting: BoardMeeting,
    now: datetime,
) -> GatheredPaper:
    """Everything ``board``'s paper for ``meeting`` says, as at its paper deadline (or as at
    ``now``, a draft, when generated before the deadline has passed)."""
    config = board.config
    sections = _sections(board)
    zone = governance.partnership.timezone
    meetings = list_board_meetings(session, body_id=board.body_id)
    previous, upcoming = neighbours(meetings, meeting)
    deadline = meeting.paper_deadline
    cutoff = deadline_cutoff(deadline, zone)
    draft_as_at = now.astimezone(ZoneInfo(zone)).date() if now < cutoff else None
    as_at = draft_as_at or deadline
    rows = _rows_in_scope(session, board, as_at)
    states = read_states(session, action_ids=[r.id for r in rows], cutoff=cutoff, now=now)
    scale = governance.impact
    tracked = [
        Tracked(r.id, _line(r, states[r.id], as_at, zone, scale), states[r.id]) for r in rows
    ]
    baseline = _baseline(session, board, meeting, previous, states, zone, now)
    movement = compare_positions(tracked, baseline)
    counted = [t for t in tracked if t.state.status != ActionStatus.WITHDRAWN.value]
    due_until = upcoming.meeting_date if upcoming else _cycle_end(governance, meeting)
    lines = _choose_lines(counted, config.level, baseline, movement, as_at, due_until)
    escalations = _escalations(session, board, now, ZoneInfo(zone))
    measures = (
        _measures(session, as_at, lag_days=governance.measures.reporting_lag_days)
        if model.MEASURES in sections
        else ()
    )
    risks = (
        _risks(session, governance, board, as_at, moment=min(now, cutoff), previous=previous)
        if model.RISKS in sections
        else model.RiskPicture()
    )
    impact_reported, no_impact = _impact_lines(counted, scale)
    feedback = _feedback(session, board, tracked) if model.FEEDBACK in sections else ()
    groups, group_of = _groups(session, config.level)
    summary_rows = summarise_groups(
        counted,
        groups=groups,
        group_of=group_of,
        codes=[entry.code for entry in governance.rag],
        baseline=baseline,
    )
    rag_history = read_rag_history(
        session,
        body_id=board.body_id,
        meetings=meetings,
        meeting=meeting,
        action_ids=[t.action_id for t in tracked],
        summary_rows=summary_rows,
        timezone=zone,
        now=now,
    )
    parent = session.get(GovernanceBody, board.reports_to_id) if board.reports_to_id else None
    facts = collect_facts(
        governance,
        board=board,
        parent_board=parent.name if parent else None,
        meeting=meeting,
        counted=counted,
        withdrawn=len(tracked) - len(counted),
        baseline=baseline,
        movement=movement,
        escalations=escalations,
        measures=measures,
        draft_as_at=draft_as_at,
        no_impact=no_impact,
        feedback=feedback,
    )
    paper = BoardPaper(
        partnership_name=governance.partnership.name,
        board_name=board.name,
        board_short_name=board.short_name or board.name,
        level=config.level,
        meeting_date=meeting.meeting_date,
        paper_deadline=deadline,
        title=config.title or _default_title(governance),
        report_of=config.report_of or board.chair or governance.partnership.contact_name,
        author=config.author_role or governance.partnership.contact_name,
        purpose=config.purpose,
        marking=config.marking,
        generated_at=now.astimezone(ZoneInfo(zone)),
        rag_key=tuple(RagKeyEntry(r.code, r.label, r.colour, r.definition) for r in governance.rag),
        previous_meeting_date=previous.meeting_date if previous else None,
        next_meeting_date=upcoming.meeting_date if upcoming else None,
        recommendations=write_recommendations(facts),
        executive_summary=write_executive_summary(facts),
        summary_rows=summary_rows,
        movement=movement,
        exceptions=lines.exceptions,
        overdue=lines.overdue,
        completed_since_last=lines.completed,
        due_before_next=lines.due_next,
        escalations=escalations,
        measures=measures,
        risks=risks,
        impact_key=tuple(
            ImpactKeyEntry(r.label, r.definition, r.evident) for r in governance.impact.ratings
        ),
        impact_reported=impact_reported,
        no_impact=no_impact,
        feedback=feedback,
        actions=tuple(t.line for t in tracked),
        rag_history=rag_history,
        sections=sections,
        draft_as_at=draft_as_at,
    )
    snapshot = tuple(
        SnapshotEntry(t.action_id, t.line.reference, t.state.rag, t.state.status, t.state.due_date)
        for t in tracked
    )
    return GatheredPaper(paper, board, meeting, baseline, snapshot)


def _sections(board: PaperBoard) -> tuple[str, ...]:
    chosen = tuple(board.config.sections or ())
    try:
        model.check_sections(chosen)
    except ValueError as exc:
        raise PaperError(f"governance.yaml, the {board.name}'s paper.sections: {exc}") from None
    return chosen or model.default_sections(board.config.level)


def _rows_in_scope(session: Session, board: PaperBoard, deadline: date) -> list[ActionRow]:
    rows = list_actions(session, today=deadline)
    if board.config.scope == "all":
        return rows
    bodies = _bodies_in_scope(session, board.body_id)
    return [row for row in rows if row.body_id in bodies]


def _bodies_in_scope(session: Session, body_id: int) -> set[int]:
    """``body_id`` and every body whose reporting line leads up to it."""
    parents = {
        found: parent
        for found, parent in session.exec(
            select(GovernanceBody.id, GovernanceBody.reports_to_id)
        ).all()
        if found is not None
    }
    return body_and_below(body_id, parents=parents)


def _local_day(moment: datetime | None, zone: str) -> date | None:
    return moment.astimezone(ZoneInfo(zone)).date() if moment else None


def _impact_lines(
    counted: list[Tracked], scale: ImpactConfig
) -> tuple[tuple[ActionLine, ...], tuple[ActionLine, ...]]:
    """Actions that reported impact, strongest rating first (the scale's order), and those
    delivered (complete or Blue) whose latest impact rating is not an evident one."""
    order = {r.key: position for position, r in enumerate(scale.ratings)}
    reported = sorted(
        (t for t in counted if t.state.impact_rating),
        key=lambda t: order.get(t.state.impact_rating or "", len(order)),
    )
    no_impact = [t.line for t in counted if t.line.delivered and not t.line.impact_evident]
    return tuple(t.line for t in reported), tuple(no_impact)


def _feedback(
    session: Session, board: PaperBoard, tracked: list[Tracked]
) -> tuple[FeedbackLine, ...]:
    """ "You said, we did" for the board: entries speaking to the priorities of the actions it
    oversees, or every entry when it oversees the whole plan."""
    priorities = (
        None
        if board.config.scope == "all"
        else {t.line.priority_number for t in tracked if t.line.priority_number is not None}
    )
    return tuple(
        FeedbackLine(
            reference=row.reference,
            said=row.said,
            source=row.source,
            status=status_label(row.status),
            heard_on=row.heard_on,
            we_did=row.we_did or "",
            impact=row.impact or "",
            priorities=row.priorities,
            actions=row.actions,
        )
        for row in list_feedback_for_priorities(session, priorities=priorities)
    )


def _line(
    row: ActionRow, state: ActionState, as_at: date, zone: str, scale: ImpactConfig
) -> ActionLine:
    rating = state.impact_rating
    return ActionLine(
        reference=row.reference,
        title=row.title,
        owner=row.owner or "No owner",
        lead_organisation=row.lead_organisation or "",
        workstream=row.workstream or "",
        priority_number=row.priority_number,
        due_date=state.due_date,
        status=state.status,
        rag=state.rag,
        commentary=state.commentary or "",
        path_to_green=state.path_to_green or "",
        next_steps=state.next_steps or "",
        days_overdue=days_overdue(
            due_date=state.due_date,
            status=state.status,
            today=as_at,
            due_confirmed=row.planning_confirmed,
        ),
        last_updated=_local_day(state.last_updated, zone),
        due_confirmed=row.planning_confirmed,
        inconsistency=rating_inconsistency(
            rag=state.rag,
            status=state.status,
            due_date=state.due_date,
            today=as_at,
            due_confirmed=row.planning_confirmed,
        ),
        impact=scale.rating_label(rating) if rating else "",
        impact_evident=scale.is_evident(rating),
        impact_evidence=state.impact_evidence or "",
        impact_voices=", ".join(scale.voice_label(v) for v in state.impact_voices),
        expected_impact=row.expected_impact or "",
    )


def _baseline(
    session: Session,
    board: PaperBoard,
    meeting: BoardMeeting,
    previous: BoardMeeting | None,
    states: dict[int, ActionState],
    zone: str,
    now: datetime,
) -> Baseline:
    """The board's previous stored paper; else the previous meeting's deadline; else none."""
    prior = session.exec(
        select(
            col(StoredPaper.id),
            col(StoredPaper.meeting_date),
            col(StoredPaper.paper_deadline),
            col(StoredPaper.version),
        )
        .where(
            StoredPaper.body_id == board.body_id,
            col(StoredPaper.meeting_date) < meeting.meeting_date,
        )
        .order_by(col(StoredPaper.meeting_date).desc(), col(StoredPaper.version).desc())
    ).first()
    if prior is not None:
        paper_id, meeting_date, deadline, version = prior
        snapshot = read_snapshot(session, paper_id=paper_id or 0)
        return Baseline("paper", meeting_date, deadline, version, snapshot)
    if previous is None:
        return Baseline("none")
    cutoff = deadline_cutoff(previous.paper_deadline, zone)
    before = read_states(session, action_ids=states, cutoff=cutoff, now=now)
    return Baseline("history", previous.meeting_date, previous.paper_deadline, None, before)


class _Lines(NamedTuple):
    exceptions: tuple[ActionLine, ...]
    overdue: tuple[ActionLine, ...]
    completed: tuple[ActionLine, ...]
    due_next: tuple[ActionLine, ...]


def _choose_lines(
    counted: list[Tracked],
    level: model.Level,
    baseline: Baseline,
    movement: model.Movement,
    as_at: date,
    due_until: date,
) -> _Lines:
    """Which actions each list section prints, in the order it prints them."""
    open_lines = [t.line for t in counted if t.state.status not in CLOSED_STATUSES]
    reds = [line for line in open_lines if line.rag == Rag.RED.value]
    if level == "strategic":
        others = [line for line in open_lines if line.rag != Rag.RED.value and line.days_overdue]
    else:
        others = [line for line in open_lines if line.rag == Rag.AMBER.value]
    overdue = sorted(
        (line for line in open_lines if line.days_overdue is not None),
        key=lambda line: -(line.days_overdue or 0),
    )
    done = [t.line for t in counted if t.state.status == ActionStatus.COMPLETE.value]
    if baseline.kind != "none":
        moved = {item.reference for item in movement.completed}
        done = [line for line in done if line.reference in moved]
    due_next = [
        line
        for line in open_lines
        if line.due_date is not None and as_at <= line.due_date < due_until
    ]
    # A rating that contradicts the facts (Green while overdue) is always the Board's business.
    listed = {line.reference for line in reds + others}
    flagged = [line for line in open_lines if line.inconsistency and line.reference not in listed]
    return _Lines(tuple(reds + others + flagged), tuple(overdue), tuple(done), tuple(due_next))


def _cycle_end(governance: GovernanceConfig, meeting: BoardMeeting) -> date:
    return meeting.meeting_date + timedelta(days=governance.update_cycle.default_cycle_days)


def _escalations(
    session: Session, board: PaperBoard, now: datetime, zone: ZoneInfo
) -> tuple[EscalationLine, ...]:
    return tuple(
        EscalationLine(
            reference=e.reference,
            title=e.action_title,
            from_body=e.from_body or NO_BODY,
            reason=e.reason,
            raised_by=e.raised_by or "",
            raised_on=e.raised_at.astimezone(zone).date(),
        )
        for e in list_open_escalations(session, to_body_id=board.body_id, raised_before=now)
    )


def _risks(
    session: Session,
    governance: GovernanceConfig,
    board: PaperBoard,
    as_at: date,
    *,
    moment: datetime,
    previous: BoardMeeting | None,
) -> model.RiskPicture:
    """The open risks of the board and the bodies below it, scored as at ``moment``, with the
    movement since the board's previous paper deadline."""
    scale = governance.risks
    # Like its actions: a board with scope "all" reports every risk, else its own and below.
    everything = board.config.scope == "all"
    rows = risks_overseen(
        session,
        body_ids=None if everything else _bodies_in_scope(session, board.body_id),
        scale=scale,
        today=as_at,
    )
    ids = [r.id for r in rows]
    now_scores = scores_at(session, ids, moment)
    before = (
        scores_at(
            session, ids, deadline_cutoff(previous.paper_deadline, governance.partnership.timezone)
        )
        if previous
        else {}
    )
    mitigations = open_mitigations(session, ids)
    lines = []
    for row in rows:
        if row.id not in now_scores:
            continue  # first scored after this paper's moment
        likelihood, impact = now_scores[row.id]
        value = likelihood * impact
        band = band_for(value, scale.bands)
        earlier = before.get(row.id)
        lines.append(
            model.RiskLine(
                reference=row.reference,
                title=row.title,
                owner=row.owner,
                likelihood=likelihood,
                impact=impact,
                score=value,
                band=band.name,
                band_colour=band.colour,
                movement=movement_words(earlier[0] * earlier[1] if earlier else None, value),
                target_score=row.target_score,
                mitigations=tuple(m.description for m in mitigations.get(row.id, [])),
                actions=row.actions,
                review_overdue=row.review_overdue,
            )
        )
    lines.sort(key=lambda line: -line.score)
    return model.RiskPicture(
        lines=tuple(lines),
        likelihood_words=tuple(scale.likelihood),
        impact_words=tuple(scale.impact),
        bands=tuple(model.RiskBand(b.name, b.low, b.high, b.colour) for b in scale.bands),
    )


def _measures(session: Session, as_of: date, *, lag_days: int) -> tuple[MeasureLine, ...]:
    summaries = list_measure_summaries(session, as_of=as_of, reporting_lag_days=lag_days)
    series = read_measure_series(session, measure_ids=[s.id for s in summaries], as_of=as_of)
    published = latest_comparators(session, [s.id for s in summaries], as_of=as_of)
    return tuple(
        _with_quality(
            s,
            _with_comparators(
                MeasureLine(
                    reference=s.reference,
                    wording=s.wording,
                    unit=unit_suffix(s.unit),
                    baseline=s.baseline_value,
                    target=s.target_value,
                    latest=s.latest_value,
                    previous=s.previous_value,
                    latest_period=s.latest_period_label or format_date(s.latest_period, missing=""),
                    direction_of_travel=s.direction_of_travel,
                    rag=s.rag,
                    commentary=s.commentary or "",
                    series=series.get(s.id, ()),
                ),
                published.get(s.id),
            ),
            as_of=as_of,
        )
        for s in summaries
    )


def _with_quality(summary: MeasureSummary, line: MeasureLine, *, as_of: date) -> MeasureLine:
    """Sign-off, staleness, source and milestones: what a board needs to trust the figure."""
    targets = summary.targets
    numeric = summary.rating_mode == "numeric"
    points = tuple(
        replace(p, expected=expected_value(targets, p.period_end) if numeric else None)
        for p in line.series
    )
    progress = milestone_progress(
        summary.milestones,
        [(p.period_end, p.value) for p in points],
        direction=summary.direction,
        as_of=as_of,
    )
    return replace(
        line,
        series=points if uses_trajectory(targets) and numeric else line.series,
        latest_provisional=summary.latest_provisional,
        stale_since=summary.stale_since,
        latest_source=summary.latest_source or "",
        latest_caveat=summary.latest_caveat or "",
        unit_code=summary.unit,
        milestones=tuple(
            MilestoneLine(
                due_date=m.due_date,
                expected=m.value,
                label=m.label or "",
                actual=m.actual,
                actual_period=m.actual_period,
                gap=m.gap,
                due=m.due,
            )
            for m in progress
        ),
    )


def _with_comparators(line: MeasureLine, found: ComparatorSet | None) -> MeasureLine:
    if found is None:
        return line
    england, region = found.figure("national"), found.figure("regional")
    return replace(
        line,
        england=england.value if england else None,
        region=region.value if region else None,
        region_name=region.area_name if region else "",
        comparator_period=found.period_label,
    )


def _groups(session: Session, level: model.Level) -> tuple[list[str], Callable[[Tracked], str]]:
    """The summary's groups in order, and which group an action falls in."""
    if level == "strategic":
        priorities = session.exec(select(Priority).order_by(col(Priority.number))).all()
        names = {p.number: priority_label(p.number, p.title, p.short_title) for p in priorities}
        return list(names.values()), lambda t: names[t.line.priority_number or 0]
    workstreams = session.exec(
        select(Workstream.name)
        .where(col(Workstream.active))
        .order_by(col(Workstream.sort_order), col(Workstream.name))
    ).all()
    return list(workstreams), lambda t: t.line.workstream or UNASSIGNED_WORKSTREAM


def _default_title(governance: GovernanceConfig) -> str:
    strategy = governance.partnership.strategy or "SEND strategy"
    return f"{strategy}: progress report"

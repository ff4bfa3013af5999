"""The figures a paper is built on: counts per priority or workstream, and the narrative's facts.

Pure functions over the actions ``gather.py`` tracked (each with its position at the deadline)
and the baseline they are compared with: no database, no documents. Withdrawn actions never
reach these functions; the gatherer counts them separately.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import tracker.papers.model as model
from tracker.governance import GovernanceConfig
from tracker.models import Rag
from tracker.papers.boards import BoardMeeting, PaperBoard
from tracker.papers.model import EscalationLine, MeasureLine, SummaryRow
from tracker.papers.movement import Baseline, Tracked, directions_of_travel
from tracker.papers.narrative import PaperFacts
from tracker.rules import CLOSED_STATUSES


def _rating(state_rag: str | None, codes: Sequence[str]) -> str:
    return state_rag if state_rag is not None and state_rag in codes else model.NOT_RATED


def summarise_groups(
    counted: Sequence[Tracked],
    *,
    groups: Sequence[str],
    group_of: Callable[[Tracked], str],
    codes: Sequence[str],
    baseline: Baseline,
) -> tuple[SummaryRow, ...]:
    """One row per group, in order: counts by rating, total, overdue, direction of travel."""
    directions = directions_of_travel(counted, baseline, group_of)
    # A group with no actions has not moved: stable, once there is anything to compare with.
    default_direction: model.Direction | None = None if baseline.kind == "none" else "stable"
    members: dict[str, list[Tracked]] = {group: [] for group in groups}
    for tracked in counted:
        members.setdefault(group_of(tracked), []).append(tracked)
    # Actions in a group the caller did not list (an inactive workstream) are still counted.
    rows = []
    for group in [*groups, *(g for g in members if g not in groups)]:
        ratings = [_rating(t.state.rag, codes) for t in members[group]]
        rows.append(
            SummaryRow(
                group=group,
                counts=tuple((code, ratings.count(code)) for code in [*codes, model.NOT_RATED]),
                total=len(ratings),
                overdue=sum(1 for t in members[group] if t.line.days_overdue is not None),
                direction_of_travel=directions.get(group, default_direction),
            )
        )
    return tuple(rows)


def _not_updated(counted: Sequence[Tracked], meeting: BoardMeeting, as_at: date) -> tuple[str, ...]:
    """Open actions with no update between the window opening and the paper deadline.

    Nothing is counted before the window has opened: no one was yet asked to update."""
    if meeting.window_opens is None or meeting.window_opens > as_at:
        return ()
    return tuple(
        t.line.reference
        for t in counted
        if t.state.status not in CLOSED_STATUSES
        and (t.line.last_updated is None or t.line.last_updated < meeting.window_opens)
    )


def _scope_words(governance: GovernanceConfig, board: PaperBoard) -> str:
    if board.config.scope == "cascade":
        return f"overseen by the {board.name} and the bodies reporting to it"
    strategy = governance.partnership.strategy
    return f"in the {strategy}" if strategy else "in the plan"


def collect_facts(
    governance: GovernanceConfig,
    *,
    board: PaperBoard,
    parent_board: str | None,
    meeting: BoardMeeting,
    counted: Sequence[Tracked],
    withdrawn: int,
    baseline: Baseline,
    movement: model.Movement,
    escalations: tuple[EscalationLine, ...],
    measures: tuple[MeasureLine, ...],
    draft_as_at: date | None = None,
    no_impact: tuple[model.ActionLine, ...] = (),
    feedback: tuple[model.FeedbackLine, ...] = (),
) -> PaperFacts:
    """What the executive summary and recommendations are written from.

    ``draft_as_at`` is the day a paper generated before its deadline speaks for."""
    codes = [entry.code for entry in governance.rag]
    counts = dict.fromkeys([*codes, model.NOT_RATED], 0)
    for tracked in counted:
        counts[_rating(tracked.state.rag, codes)] += 1
    open_lines = [t.line for t in counted if t.state.status not in CLOSED_STATUSES]
    overdue = sorted(
        ((line.reference, line.days_overdue) for line in open_lines if line.days_overdue),
        key=lambda pair: -pair[1],
    )
    return PaperFacts(
        level=board.config.level,
        purpose=board.config.purpose,
        board_name=board.name,
        parent_board=parent_board,
        scope_words=_scope_words(governance, board),
        paper_deadline=meeting.paper_deadline,
        counts=counts,
        rag_labels={entry.code: entry.label for entry in governance.rag},
        withdrawn=withdrawn,
        reds=tuple(line.reference for line in open_lines if line.rag == Rag.RED.value),
        ambers=tuple(line.reference for line in open_lines if line.rag == Rag.AMBER.value),
        overdue=tuple(overdue),
        slipped=tuple((item.reference, item.to_due) for item in movement.slipped),
        movement=movement,
        baseline=baseline,
        escalations=escalations,
        not_updated=_not_updated(counted, meeting, draft_as_at or meeting.paper_deadline),
        window_opens=meeting.window_opens,
        measures_total=len(measures),
        red_measures=tuple(m.reference for m in measures if m.rag == Rag.RED.value),
        measures_without_value=sum(1 for m in measures if m.latest is None),
        draft_as_at=draft_as_at,
        impact_reported=sum(1 for t in counted if t.line.impact),
        impact_evident=sum(1 for t in counted if t.line.impact_evident),
        delivered=sum(1 for t in counted if t.line.delivered),
        no_impact=tuple(line.reference for line in no_impact),
        evident_words=" or ".join(r.label for r in governance.impact.ratings if r.evident),
        feedback=_feedback_counts(feedback),
    )


def _feedback_counts(feedback: Sequence[model.FeedbackLine]) -> tuple[tuple[str, int], ...]:
    counts: dict[str, int] = {}
    for line in feedback:
        counts[line.status] = counts.get(line.status, 0) + 1
    return tuple(counts.items())

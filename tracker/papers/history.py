"""Each action's rating, status, due date and latest update as they stood at a moment in time.

A paper reports the position at its deadline: the end of the deadline day in the partnership's
time zone. Generated before that moment, the position is simply the current one. Generated
later (on the morning of the meeting, or a year on to reprint it), updates saved after the
deadline must not leak in, so the position is rebuilt from the ``action_update`` history: the
newest update saved before the cut-off gives the rating, status and words, and the newest due
date revised before it gives the due date. An action with no update before the cut-off was not
yet rated; one never updated at all is as it was created (seeded, imported or added). Impact
is the newest update before the cut-off that reported an impact rating: its rating, evidence
in words and voices.

The frozen snapshot a stored paper keeps (``paper_snapshot``) is read back here too, so the next
paper's movement compares like with like.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from tracker.models import Action, ActionStatus, ActionUpdate, PaperSnapshot


@dataclass(frozen=True, slots=True)
class ActionState:
    """One action's position at a moment: what the paper prints and the snapshot freezes."""

    rag: str | None
    status: str
    due_date: date | None
    commentary: str | None = None
    path_to_green: str | None = None
    next_steps: str | None = None
    last_updated: datetime | None = None
    due_date_reason: str | None = None  # why the due date last moved, for "slipped" notes
    # The newest impact report (a rating key of governance.yaml's impact scale), if any.
    impact_rating: str | None = None
    impact_evidence: str | None = None
    impact_voices: tuple[str, ...] = ()


@dataclass(slots=True)
class _Fold:
    """What one action's history says up to the cut-off, built update by update."""

    latest: ActionState | None = None
    revised_due: date | None = None
    revised_reason: str | None = None
    revised_ever: bool = False
    updated_ever: bool = False
    impact: tuple[str | None, str | None, tuple[str, ...]] = (None, None, ())


def deadline_cutoff(deadline: date, timezone: str) -> datetime:
    """The first moment after the deadline day ends in ``timezone``, in UTC."""
    local = datetime.combine(deadline + timedelta(days=1), time.min, tzinfo=ZoneInfo(timezone))
    return local.astimezone(UTC)


def _newest(query: Any, cutoff: datetime | None) -> Any:
    """``query`` over action_update narrowed to each action's newest row before ``cutoff``.

    A window function picks one row per action in the database, so a history of hundreds of
    thousands of updates comes back as at most one row per action."""
    if cutoff is not None:
        query = query.where(col(ActionUpdate.created_at) < cutoff)
    rank = (
        func.row_number()
        .over(
            partition_by=col(ActionUpdate.action_id),
            order_by=(col(ActionUpdate.created_at).desc(), col(ActionUpdate.id).desc()),
        )
        .label("rank")
    )
    ranked = query.add_columns(rank).subquery()
    return sa_select(*[c for c in ranked.c if c.name != "rank"]).where(ranked.c.rank == 1)


def _fold_history(session: Session, ids: set[int], cutoff: datetime | None) -> dict[int, _Fold]:
    """What each action's history says up to ``cutoff`` (None: up to now)."""
    folds: dict[int, _Fold] = {}
    totals: Any = sa_select(
        col(ActionUpdate.action_id), func.count(), func.count(col(ActionUpdate.revised_due_date))
    ).group_by(col(ActionUpdate.action_id))
    for action_id, updates, revisions in session.exec(totals):
        if action_id in ids:
            folds[action_id] = _Fold(updated_ever=updates > 0, revised_ever=revisions > 0)
    latest: Any = sa_select(
        col(ActionUpdate.action_id),
        col(ActionUpdate.rag),
        col(ActionUpdate.status),
        col(ActionUpdate.commentary),
        col(ActionUpdate.path_to_green),
        col(ActionUpdate.next_steps),
        col(ActionUpdate.created_at),
    )
    for action_id, rag, status, words, path, steps, at in session.exec(_newest(latest, cutoff)):
        if action_id in folds:
            folds[action_id].latest = ActionState(rag, status, None, words, path, steps, at)
    revised: Any = sa_select(
        col(ActionUpdate.action_id),
        col(ActionUpdate.revised_due_date),
        col(ActionUpdate.due_date_reason),
    ).where(col(ActionUpdate.revised_due_date).is_not(None))
    for action_id, due, reason in session.exec(_newest(revised, cutoff)):
        if action_id in folds:
            folds[action_id].revised_due, folds[action_id].revised_reason = due, reason
    impact: Any = sa_select(
        col(ActionUpdate.action_id),
        col(ActionUpdate.impact_rating),
        col(ActionUpdate.impact_evidence),
        col(ActionUpdate.impact_voices),
    ).where(col(ActionUpdate.impact_rating).is_not(None))
    for action_id, rating, evidence, voices in session.exec(_newest(impact, cutoff)):
        if action_id in folds:
            folds[action_id].impact = (rating, evidence, tuple(voices or ()))
    return folds


_ACTION_COLUMNS = (
    col(Action.id),
    col(Action.rag),
    col(Action.status),
    col(Action.due_date),
    col(Action.original_due_date),
    col(Action.latest_commentary),
    col(Action.path_to_green),
    col(Action.next_steps),
    col(Action.last_updated_at),
)


def _as_at(action: Any, fold: _Fold) -> ActionState:
    if fold.revised_due is not None:
        due = fold.revised_due
    elif fold.revised_ever:
        # Revised only after the cut-off: it was still due on the date first planned.
        due = action.original_due_date or action.due_date
    else:
        due = action.due_date
    if fold.latest is not None:
        base = fold.latest
    elif fold.updated_ever:
        base = ActionState(None, ActionStatus.NOT_STARTED.value, None)
    else:
        base = _current(action, None)
    return ActionState(
        rag=base.rag,
        status=base.status,
        due_date=due,
        commentary=base.commentary,
        path_to_green=base.path_to_green,
        next_steps=base.next_steps,
        last_updated=base.last_updated,
        due_date_reason=fold.revised_reason,
    )


def _current(action: Any, reason: str | None) -> ActionState:
    return ActionState(
        rag=action.rag,
        status=action.status,
        due_date=action.due_date,
        commentary=action.latest_commentary,
        path_to_green=action.path_to_green,
        next_steps=action.next_steps,
        last_updated=action.last_updated_at,
        due_date_reason=reason,
    )


def read_states(
    session: Session, *, action_ids: Iterable[int], cutoff: datetime, now: datetime
) -> dict[int, ActionState]:
    """Each action's position at ``cutoff``: the current one while ``now`` is before it."""
    ids = set(action_ids)
    before_deadline = now < cutoff
    # Before the deadline only the reasons of the latest due-date changes are needed.
    folds = _fold_history(session, ids, None if before_deadline else cutoff)
    states: dict[int, ActionState] = {}
    # Every action is read and the unwanted skipped: an IN list of ten thousand ids would
    # cost more, and can exceed a driver's limit on bound parameters.
    query: Any = sa_select(*_ACTION_COLUMNS)
    for action in session.exec(query):
        if action.id not in ids:
            continue
        fold = folds.get(action.id, _Fold())
        state = _current(action, fold.revised_reason) if before_deadline else _as_at(action, fold)
        rating, evidence, voices = fold.impact
        states[action.id] = replace(
            state, impact_rating=rating, impact_evidence=evidence, impact_voices=voices
        )
    return states


def read_snapshot(session: Session, *, paper_id: int) -> dict[int, ActionState]:
    """The rating, status and due date a stored paper froze for each action it reported."""
    rows = session.exec(select(PaperSnapshot).where(PaperSnapshot.paper_id == paper_id)).all()
    return {row.action_id: ActionState(row.rag, row.status, row.due_date) for row in rows}

"""What moved since the board's last paper: improved, deteriorated, new reds, slipped, completed.

This paper's position is compared with a *baseline*: the snapshot frozen by the board's previous
stored paper; failing that, the position at the previous meeting's paper deadline rebuilt from
the update history; failing that (the board's first meeting) nothing, and no movement is
reported. The same comparison gives each priority's or workstream's direction of travel.
Withdrawn actions are left out: withdrawing an action is neither progress nor slippage.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from tracker.models import ActionStatus, Rag
from tracker.papers.history import ActionState
from tracker.papers.model import ActionLine, Direction, Movement, MovementItem
from tracker.rules import rag_movement

BaselineKind = Literal["paper", "history", "none"]


@dataclass(frozen=True, slots=True)
class Baseline:
    """The position movement is measured from, and where it came from."""

    kind: BaselineKind
    meeting_date: date | None = None  # the meeting of that paper, or the previous meeting
    paper_deadline: date | None = None
    version: int | None = None  # the stored paper's version, when kind is "paper"
    states: Mapping[int, ActionState] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Tracked:
    """An action in the paper: its id, how the paper prints it and its position."""

    action_id: int
    line: ActionLine
    state: ActionState


def _item(tracked: Tracked, before: ActionState | None, note: str = "") -> MovementItem:
    return MovementItem(
        reference=tracked.line.reference,
        title=tracked.line.title,
        owner=tracked.line.owner,
        from_rag=before.rag if before else None,
        to_rag=tracked.state.rag,
        from_due=before.due_date if before else None,
        to_due=tracked.state.due_date,
        note=note,
    )


def _kinds(now: ActionState, before: ActionState | None) -> set[str]:
    """Which movement lists an action belongs in."""
    if now.status == ActionStatus.WITHDRAWN.value:
        return set()
    if before is None:
        # New to the paper since the baseline: only a Red rating is news.
        return {"new_reds"} if now.rag == Rag.RED.value else set()
    kinds = set()
    completed = (
        now.status == ActionStatus.COMPLETE.value and before.status != ActionStatus.COMPLETE.value
    )
    if completed:
        kinds.add("completed")
    change = rag_movement(before.rag, now.rag)
    if change == "improved" and not completed:
        kinds.add("improved")
    elif change == "deteriorated":
        kinds.add("deteriorated")
    if now.rag == Rag.RED.value and before.rag != Rag.RED.value:
        kinds.add("new_reds")
    if before.due_date and now.due_date and now.due_date > before.due_date:
        kinds.add("slipped")
    return kinds


def _note(kind: str, tracked: Tracked, before: ActionState | None) -> str:
    state = tracked.state
    if kind == "slipped":
        return state.due_date_reason or ""
    if kind == "new_reds":
        if before is None:
            return "New to this paper since the last one."
        if before.rag is None:
            return "First rating."
    return ""


def compare_positions(tracked: Iterable[Tracked], baseline: Baseline) -> Movement:
    """The movement between ``baseline`` and each tracked action's position, in paper order."""
    if baseline.kind == "none":
        return Movement()
    lists: dict[str, list[MovementItem]] = {
        "improved": [],
        "deteriorated": [],
        "new_reds": [],
        "slipped": [],
        "completed": [],
    }
    for item in tracked:
        before = baseline.states.get(item.action_id)
        for kind in _kinds(item.state, before):
            lists[kind].append(_item(item, before, _note(kind, item, before)))
    return Movement(**{kind: tuple(items) for kind, items in lists.items()})


def directions_of_travel(
    tracked: Iterable[Tracked], baseline: Baseline, group_of: Callable[[Tracked], str]
) -> dict[str, Direction | None]:
    """Each group's direction: improving when more of its actions improved or were completed
    than deteriorated, deteriorating when fewer, stable when as many; unknown without a
    baseline. Groups with no movement at all are stable."""
    score: Counter[str] = Counter()
    groups: set[str] = set()
    for item in tracked:
        group = group_of(item)
        groups.add(group)
        kinds = _kinds(item.state, baseline.states.get(item.action_id))
        score[group] += len(kinds & {"improved", "completed"}) - len(kinds & {"deteriorated"})
    if baseline.kind == "none":
        return dict.fromkeys(groups)
    return {
        group: "improving"
        if score[group] > 0
        else "deteriorating"
        if score[group] < 0
        else "stable"
        for group in groups
    }

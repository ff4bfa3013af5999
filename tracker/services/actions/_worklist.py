"""A person's own work: the actions they own and, for workstream leads, their workstreams' actions.

``load_my_actions`` is the My actions screen's view model: the list, every listed action's
detail for the update form, and a deep-linked action that is not on the list, in one session.
The list comes back most urgent first, the order an owner should work through it: overdue
(longest first), then those whose update is due this cycle, then the rest in reference order.
Closed actions (complete or withdrawn) are listed last, so a recent completion is still there
to correct. Each row says why it is on the list (owner, workstream lead, or both). Beside the
actions, the risks the person owns that are due or overdue for review, to rescore.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Engine, or_
from sqlmodel import Session, col, select

from tracker.db import session_scope
from tracker.governance import RiskScaleConfig
from tracker.models import Action, Workstream
from tracker.permissions import Actor
from tracker.rules import is_closed, reference_sort_key
from tracker.services.actions._lookups import ActionDetail, details_for_rows, get_action_detail
from tracker.services.actions._updates import ActionNotFound, get_action, may_update
from tracker.services.register import DEFAULT_CYCLE_DAYS, ActionRow, fetch_rows, load_cycle_starts
from tracker.services.risks import RiskFilter, RiskRow, list_risks


@dataclass(frozen=True)
class WorkItem:
    row: ActionRow
    owned: bool
    led: bool

    @property
    def needs_update(self) -> bool:
        return not is_closed(self.row.status) and (
            self.row.flags.overdue or self.row.flags.not_updated
        )

    @property
    def relation(self) -> str:
        if self.owned and self.led:
            return "Owner and workstream lead"
        return "Owner" if self.owned else "Workstream lead"


@dataclass(frozen=True)
class Worklist:
    items: list[WorkItem]
    workstreams: list[str]  # the workstreams this person leads, by name

    @property
    def overdue(self) -> int:
        return sum(1 for i in self.items if i.row.flags.overdue)

    @property
    def update_due(self) -> int:
        return sum(1 for i in self.items if i.row.flags.not_updated)

    @property
    def first_to_update(self) -> str | None:
        """The action the screen opens when none is chosen: the most urgent needing an
        update, else the first on the list."""
        item = next((i for i in self.items if i.needs_update), None)
        if item is None and self.items:
            item = self.items[0]
        return item.row.reference if item else None


def _urgency(item: WorkItem) -> tuple[int, int, tuple[int, ...]]:
    row = item.row
    if is_closed(row.status):
        band = 3
    elif row.flags.overdue:
        band = 0
    elif row.flags.not_updated:
        band = 1
    else:
        band = 2
    return band, -(row.flags.days_overdue or 0), reference_sort_key(row.reference)


def list_my_actions(
    session: Session,
    *,
    actor: Actor,
    today: date,
    include_workstreams: bool = True,
    default_cycle_days: int = DEFAULT_CYCLE_DAYS,
) -> Worklist:
    """The actor's actions (and their workstreams' if they lead any), most urgent first."""
    led = session.exec(
        select(Workstream.id, Workstream.name)
        .where(Workstream.lead_id == actor.person_id)
        .order_by(col(Workstream.sort_order))
    ).all()
    led_ids = [ws_id for ws_id, _ in led if ws_id is not None]
    conditions = [col(Action.owner_id) == actor.person_id]
    if include_workstreams and led_ids:
        conditions.append(col(Action.workstream_id).in_(led_ids))
    starts = load_cycle_starts(session, today=today, default_cycle_days=default_cycle_days)
    rows = fetch_rows(session, today=today, starts=starts, where=[or_(*conditions)])
    items = [
        WorkItem(
            row=row,
            owned=row.owner_id == actor.person_id,
            led=row.workstream_id in led_ids,
        )
        for row in rows
    ]
    return Worklist(items=sorted(items, key=_urgency), workstreams=[name for _, name in led])


def picker_references(items: list[WorkItem]) -> list[str]:
    """The picker's options in reference order, so a typed reference finds itself first:
    filtering keeps this order, and ``P4.1`` sorts before ``P4.10`` and ``P4.11``."""
    return sorted((i.row.reference for i in items), key=reference_sort_key)


def match_reference(typed: str, references: list[str]) -> str | None:
    """The reference on the list that ``typed`` names exactly (any case, spaces ignored)."""
    wanted = "".join(typed.split()).upper()
    return next((ref for ref in references if ref.upper() == wanted), None)


@dataclass(frozen=True)
class LinkedAction:
    """A deep-linked action (``?action=P2.3``) that is not on the person's list."""

    reference: str
    exists: bool
    detail: ActionDetail | None  # set only when the person may update it all the same


@dataclass(frozen=True)
class MyActions:
    """Everything the My actions screen shows."""

    worklist: Worklist
    details: Mapping[str, ActionDetail]  # the detail of each wanted listed action, by reference
    linked: LinkedAction | None
    # The person's open risks due (or overdue) for review, most overdue first.
    risks_to_review: tuple[RiskRow, ...] = ()


def load_my_actions(
    engine: Engine,
    *,
    actor: Actor,
    today: date,
    wanted: Sequence[str] = (),
    linked: str | None = None,
    default_cycle_days: int = DEFAULT_CYCLE_DAYS,
    risk_scale: RiskScaleConfig | None = None,
    review_ahead_days: int = 0,
) -> MyActions:
    """The actor's worklist; the detail (for the update form) of each listed action in
    ``wanted``, of ``linked`` and of the one opened by default; the action ``linked`` names
    when it is not on the list; and, given ``risk_scale``, the actor's risks whose review is
    due within ``review_ahead_days`` (the reminder's lead) or overdue. One session, the same
    few statements however long the list."""
    with session_scope(engine) as session:
        worklist = list_my_actions(
            session, actor=actor, today=today, default_cycle_days=default_cycle_days
        )
        rows = {item.row.reference: item.row for item in worklist.items}
        picks = dict.fromkeys(r for r in (*wanted, linked, worklist.first_to_update) if r)
        details = details_for_rows(session, [rows[r] for r in picks if r in rows])
        outside = None
        if linked and linked not in rows:
            outside = _linked_action(session, actor, linked, today, default_cycle_days)
        risks = _risks_to_review(session, actor, risk_scale, today, review_ahead_days)
    return MyActions(worklist=worklist, details=details, linked=outside, risks_to_review=risks)


def _risks_to_review(
    session: Session,
    actor: Actor,
    scale: RiskScaleConfig | None,
    today: date,
    ahead_days: int,
) -> tuple[RiskRow, ...]:
    if scale is None or actor.person_id is None or not actor.email:
        return ()
    rows = list_risks(
        session,
        actor=actor,
        scale=scale,
        today=today,
        where=RiskFilter(owner_email=actor.email, review_due_by=today + timedelta(days=ahead_days)),
    )
    return tuple(sorted(rows, key=lambda r: (r.next_review, -r.score)))


def _linked_action(
    session: Session, actor: Actor, reference: str, today: date, default_cycle_days: int
) -> LinkedAction:
    try:
        action = get_action(session, reference)
    except ActionNotFound:
        return LinkedAction(reference=reference, exists=False, detail=None)
    if not may_update(session, actor, action):
        return LinkedAction(reference=reference, exists=True, detail=None)
    detail = get_action_detail(
        session, reference=action.reference, today=today, default_cycle_days=default_cycle_days
    )
    return LinkedAction(reference=reference, exists=True, detail=detail)

"""Read-side questions about the plan: the register, overdue, not updated, RAG summaries.

Every function takes ``today`` so the answer is reproducible. Rows come back as plain frozen
dataclasses (no ORM objects leave the session). "Not updated this cycle" means no update since
the current cycle of the action's overseeing body began (the most recent update-window opening
on or before today); for a body without a calendar the cycle is the last
``default_cycle_days`` days.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from tracker.models import (
    Action,
    ActionUpdate,
    AuditLog,
    GovernanceBody,
    Meeting,
    Organisation,
    Person,
    Priority,
    Workstream,
)
from tracker.permissions import Actor, Operation, require
from tracker.rules import ActionFlags, collecting_body

RAG_KEYS = ("blue", "green", "amber", "red", "not_rated")
DEFAULT_CYCLE_DAYS = 42
NO_CYCLE_YET = date(2000, 1, 1)  # earlier than any update the tracker can hold


@dataclass(frozen=True)
class ActionRow:
    id: int
    reference: str
    title: str
    priority_number: int
    priority_title: str
    workstream: str | None
    workstream_id: int | None
    owner: str | None
    owner_email: str | None
    owner_id: int | None
    lead_organisation: str | None
    body: str | None
    body_id: int | None
    start_date: date | None
    due_date: date | None
    status: str
    rag: str | None
    commentary: str | None
    path_to_green: str | None
    next_steps: str | None
    last_updated_at: datetime | None
    version: int
    # False while the seeded owner, lead organisation and dates await an administrator.
    planning_confirmed: bool
    flags: ActionFlags


@dataclass(frozen=True)
class ActionFilter:
    priority: int | None = None
    workstream_id: int | None = None
    body_id: int | None = None
    owner_id: int | None = None
    organisation_id: int | None = None
    rag: str | None = None  # a RAG code or "not_rated"
    status: str | None = None
    overdue: bool = False
    not_updated: bool = False
    search: str | None = None
    include_closed: bool = True
    references: tuple[str, ...] = field(default_factory=tuple)


def cycle_starts(
    session: Session, *, today: date, default_cycle_days: int = DEFAULT_CYCLE_DAYS
) -> tuple[dict[int, date], date]:
    """Each body's current cycle start, and the fallback start for bodies without a calendar.

    A body without meetings of its own follows the nearest body up its reporting line that has
    them (the same board whose reminders its actions' owners receive); only when no body up the
    line meets does the fixed ``default_cycle_days`` fallback apply.
    """
    meeting_bodies = set(
        session.exec(select(Meeting.body_id).where(col(Meeting.cancelled).is_(False))).all()
    )
    rows = session.exec(
        select(Meeting.body_id, func.max(Meeting.window_opens))
        .where(col(Meeting.window_opens) <= today, col(Meeting.cancelled).is_(False))
        .group_by(col(Meeting.body_id))
    ).all()
    opened = {body_id: start for body_id, start in rows if start is not None}
    parents = {
        body_id: parent
        for body_id, parent in session.exec(
            select(GovernanceBody.id, GovernanceBody.reports_to_id)
        ).all()
        if body_id is not None
    }
    fallback = today - timedelta(days=default_cycle_days)
    starts: dict[int, date] = {}
    for body_id in parents:
        board = collecting_body(body_id, parents=parents, meeting_bodies=meeting_bodies)
        if board is not None:
            # A board whose first window is still ahead has asked for no update yet: only an
            # action never updated at all counts as not updated.
            starts[body_id] = opened.get(board, NO_CYCLE_YET)
    return starts, fallback


def search_condition(search: str) -> Any:
    """Actions whose reference, title or latest commentary contain ``search`` (any case).

    ``%`` and ``_`` typed by a user are matched literally, not as SQL wildcards.
    """
    escaped = search.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    needle = f"%{escaped}%"
    return or_(
        func.lower(col(Action.reference)).like(needle, escape="\\"),
        func.lower(col(Action.title)).like(needle, escape="\\"),
        func.lower(func.coalesce(col(Action.latest_commentary), "")).like(needle, escape="\\"),
    )


SummaryBy = Literal["priority", "workstream", "body", "organisation"]


@dataclass(frozen=True)
class RagSummary:
    group: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def summarise_rag(session: Session, *, by: SummaryBy) -> list[RagSummary]:
    """Counts of actions by RAG (and not rated) per priority, workstream, body or organisation.

    Withdrawn actions are left out: they are no longer part of the plan being delivered.
    Groups come back in the order the strategy and governance file give them.
    """
    table: Any = {
        "priority": Priority,
        "workstream": Workstream,
        "body": GovernanceBody,
        "organisation": Organisation,
    }[by]
    foreign_key = {
        "priority": Action.priority_id,
        "workstream": Action.workstream_id,
        "body": Action.body_id,
        "organisation": Action.lead_organisation_id,
    }[by]
    order = {
        "priority": Priority.number,
        "workstream": Workstream.sort_order,
        "body": GovernanceBody.sort_order,
        "organisation": Organisation.id,
    }[by]
    name = Priority.title if by == "priority" else table.name
    query = (
        select(col(order), col(name), col(Action.rag), func.count())
        .select_from(Action)
        .outerjoin(table, col(table.id) == col(foreign_key))
        .where(col(Action.status) != "withdrawn")
        .group_by(col(order), col(name), col(Action.rag))
    )
    grouped: dict[tuple[int, str], Counter[str]] = {}
    for position, label, rag, count in session.exec(query).all():
        if by == "priority":
            label = f"Priority {position}: {label}"
        key = (position if position is not None else 10_000, label or "Not assigned")
        grouped.setdefault(key, Counter())[rag or "not_rated"] += count
    return [
        RagSummary(group=label, counts={k: counter.get(k, 0) for k in RAG_KEYS})
        for (_, label), counter in sorted(grouped.items())
    ]


def count_by_rag(session: Session) -> dict[str, int]:
    counts = dict.fromkeys(RAG_KEYS, 0)
    query = (
        select(Action.rag, func.count())
        .where(col(Action.status) != "withdrawn")
        .group_by(col(Action.rag))
    )
    for rag, count in session.exec(query).all():
        counts[rag or "not_rated"] += count
    return counts


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    by: str | None
    rag: str | None
    status: str
    commentary: str | None
    path_to_green: str | None
    next_steps: str | None
    revised_due_date: date | None
    due_date_reason: str | None
    evidence_url: str | None


def action_history(session: Session, *, reference: str) -> list[HistoryEntry]:
    """Every update on an action, newest first."""
    query = (
        select(ActionUpdate, Person.name)
        .join(Action, col(Action.id) == col(ActionUpdate.action_id))
        .outerjoin(Person, col(Person.id) == col(ActionUpdate.created_by_id))
        .where(Action.reference == reference)
        .order_by(col(ActionUpdate.created_at).desc(), col(ActionUpdate.id).desc())
    )
    return [
        HistoryEntry(
            at=u.created_at,
            by=name,
            rag=u.rag,
            status=u.status,
            commentary=u.commentary,
            path_to_green=u.path_to_green,
            next_steps=u.next_steps,
            revised_due_date=u.revised_due_date,
            due_date_reason=u.due_date_reason,
            evidence_url=u.evidence_url,
        )
        for u, name in session.exec(query).all()
    ]


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    field: str
    old: str | None
    new: str | None
    reason: str | None


def audit_trail(session: Session, *, actor: Actor, entity: str, entity_id: int) -> list[AuditEntry]:
    """Who changed what on one thing, newest first; only for those who may view audit trails."""
    require(actor, Operation.VIEW_AUDIT, what="the audit trail")
    query = (
        select(AuditLog)
        .where(AuditLog.entity == entity, AuditLog.entity_id == entity_id)
        .order_by(col(AuditLog.at).desc(), col(AuditLog.id).desc())
    )
    return [
        AuditEntry(
            at=a.at, actor=a.actor_label, field=a.field, old=a.old, new=a.new, reason=a.reason
        )
        for a in session.exec(query).all()
    ]

"""Read-side summaries of the plan: RAG counts by group, an action's history, its audit trail.

Rows come back as plain frozen dataclasses (no ORM objects leave the session). The register's
rows and filters are in ``_rows`` and the one query behind every list of actions in ``_paging``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import func
from sqlmodel import Session, col, select

from tracker.models import (
    Action,
    ActionUpdate,
    AuditLog,
    GovernanceBody,
    Organisation,
    Person,
    Priority,
    Workstream,
)
from tracker.permissions import Actor, Operation, require
from tracker.rules import priority_label

RAG_KEYS = ("blue", "green", "amber", "red", "not_rated")


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
    # A priority is named as everywhere else: its short title, or its title (priority_label).
    name: Any = (
        func.coalesce(col(Priority.short_title), col(Priority.title))
        if by == "priority"
        else col(table.name)
    )
    query = (
        select(col(order), name, col(Action.rag), func.count())
        .select_from(Action)
        .outerjoin(table, col(table.id) == col(foreign_key))
        .where(col(Action.status) != "withdrawn")
        .group_by(col(order), name, col(Action.rag))
    )
    grouped: dict[tuple[int, str], Counter[str]] = {}
    for position, label, rag, count in session.exec(query).all():
        if by == "priority" and position is not None:
            label = priority_label(position, label)
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
    impact_rating: str | None = None
    impact_evidence: str | None = None
    impact_voices: tuple[str, ...] = ()
    public_summary: str | None = None


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
            impact_rating=u.impact_rating,
            impact_evidence=u.impact_evidence,
            impact_voices=tuple(u.impact_voices or ()),
            public_summary=u.public_summary,
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

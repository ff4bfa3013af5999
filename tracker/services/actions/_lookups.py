"""Read-only lookups the action screens need: one action (or many) with everything about it.

``get_action_detail`` gathers one action for its page: the register row with its flags, the
fields only an administrator edits, and the newest update (carried forward into the update
form, evidence link included); ``details_for_rows`` does the same for a whole list of rows in
a fixed number of statements. (The filter and form choices, ``list_choices``, live with the
register, whose filters offer them.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from tracker.models import (
    Action,
    ActionUpdate,
    Person,
)
from tracker.services.actions._updates import ActionNotFound
from tracker.services.register import (
    DEFAULT_CYCLE_DAYS,
    ActionRow,
    fetch_rows,
    load_cycle_starts,
)


@dataclass(frozen=True)
class LastUpdate:
    at: date
    by: str | None
    evidence_url: str | None
    # Its impact report, carried forward into the next update's form.
    impact_rating: str | None = None
    impact_evidence: str | None = None
    impact_voices: tuple[str, ...] = ()
    public_summary: str | None = None


@dataclass(frozen=True)
class ActionDetail:
    row: ActionRow
    description: str | None
    priority_id: int
    lead_organisation_id: int | None
    original_due_date: date | None
    last_updated_by: str | None
    last_update: LastUpdate | None


def get_action_detail(
    session: Session,
    *,
    reference: str,
    today: date,
    default_cycle_days: int = DEFAULT_CYCLE_DAYS,
) -> ActionDetail:
    """Everything the action page shows about one action, or ActionNotFound."""
    reference = reference.strip()
    action_id = session.exec(select(Action.id).where(Action.reference == reference)).first()
    if action_id is None:
        raise ActionNotFound(f"No action with reference {reference!r}")
    starts = load_cycle_starts(session, today=today, default_cycle_days=default_cycle_days)
    rows = fetch_rows(session, today=today, starts=starts, where=[col(Action.id) == action_id])
    return details_for_rows(session, rows)[reference]


def details_for_rows(session: Session, rows: Sequence[ActionRow]) -> dict[str, ActionDetail]:
    """The detail of each register row, by reference, in three statements however many rows:
    the fields only the action page shows, who last updated each, and each one's newest update."""
    ids = [row.id for row in rows]
    if not ids:
        return {}
    updater = aliased(Person)
    query: Any = (
        sa_select(
            col(Action.id),
            col(Action.description),
            col(Action.priority_id),
            col(Action.lead_organisation_id),
            col(Action.original_due_date),
            col(updater.name),
        )
        .outerjoin(updater, col(updater.id) == col(Action.last_updated_by_id))
        .where(col(Action.id).in_(ids))
    )
    extras = {found[0]: tuple(found[1:]) for found in session.exec(query).all()}
    newest = _newest_updates(session, ids)
    details = {}
    for row in rows:
        description, priority_id, organisation_id, original_due, updated_by = extras[row.id]
        details[row.reference] = ActionDetail(
            row=row,
            description=description,
            priority_id=priority_id,
            lead_organisation_id=organisation_id,
            original_due_date=original_due,
            last_updated_by=updated_by,
            last_update=newest.get(row.id),
        )
    return details


def _newest_updates(session: Session, ids: list[int]) -> dict[int, LastUpdate]:
    """Each action's newest update (one statement: a window over the actions' updates)."""
    position = (
        func.row_number()
        .over(
            partition_by=col(ActionUpdate.action_id),
            order_by=(col(ActionUpdate.created_at).desc(), col(ActionUpdate.id).desc()),
        )
        .label("position")
    )
    ranked = (
        sa_select(
            col(ActionUpdate.action_id).label("action_id"),
            col(ActionUpdate.created_at).label("created_at"),
            col(ActionUpdate.evidence_url).label("evidence_url"),
            col(ActionUpdate.created_by_id).label("created_by_id"),
            col(ActionUpdate.impact_rating).label("impact_rating"),
            col(ActionUpdate.impact_evidence).label("impact_evidence"),
            col(ActionUpdate.impact_voices).label("impact_voices"),
            col(ActionUpdate.public_summary).label("public_summary"),
            position,
        )
        .where(col(ActionUpdate.action_id).in_(ids))
        .subquery()
    )
    query: Any = (
        sa_select(
            ranked.c.action_id,
            ranked.c.created_at,
            ranked.c.evidence_url,
            col(Person.name),
            ranked.c.impact_rating,
            ranked.c.impact_evidence,
            ranked.c.impact_voices,
            ranked.c.public_summary,
        )
        .outerjoin(Person, col(Person.id) == ranked.c.created_by_id)
        .where(ranked.c.position == 1)
    )
    found = session.exec(query).all()
    return {
        action_id: LastUpdate(
            at=created_at.date(),
            by=name,
            evidence_url=evidence_url,
            impact_rating=rating,
            impact_evidence=evidence,
            impact_voices=tuple(voices or ()),
            public_summary=summary,
        )
        for action_id, created_at, evidence_url, name, rating, evidence, voices, summary in found
    }

"""Read-only lookups the screens need: filter choices, and one action with everything about it.

``list_choices`` gives the priorities, workstreams, bodies, organisations and people a filter or
an administrator's form offers, as (id, label) pairs in the order the strategy and governance
file give them. ``get_action_detail`` gathers one action for its page: the register row with its
flags, the fields only an administrator edits, and the newest update (carried forward into the
update form, evidence link included).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from tracker.models import (
    Action,
    ActionUpdate,
    GovernanceBody,
    Organisation,
    Person,
    Priority,
    Workstream,
)
from tracker.rules import priority_label
from tracker.services.actions._updates import ActionNotFound
from tracker.services.register import DEFAULT_CYCLE_DAYS, ActionRow, fetch_rows, load_cycle_starts


@dataclass(frozen=True)
class Choice:
    id: int
    label: str


@dataclass(frozen=True)
class Choices:
    priorities: list[Choice]  # id is the priority *number* (what filters use)
    priority_ids: dict[int, int]  # number -> database id (what an action stores)
    workstreams: list[Choice]
    bodies: list[Choice]
    organisations: list[Choice]
    owners: list[Choice]  # people who own at least one action
    people: list[Choice]  # every active person, for assigning


def list_choices(session: Session) -> Choices:
    priorities = session.exec(select(Priority).order_by(col(Priority.number))).all()
    workstreams = session.exec(
        select(Workstream.id, Workstream.name)
        .where(col(Workstream.active))
        .order_by(col(Workstream.sort_order), col(Workstream.name))
    ).all()
    bodies = session.exec(
        select(GovernanceBody.id, GovernanceBody.name)
        .where(col(GovernanceBody.active))
        .order_by(col(GovernanceBody.sort_order), col(GovernanceBody.name))
    ).all()
    organisations = session.exec(
        select(Organisation.id, Organisation.name, Organisation.short_name)
        .where(col(Organisation.active))
        .order_by(col(Organisation.id))
    ).all()
    owner_ids = select(Action.owner_id).where(col(Action.owner_id).is_not(None)).distinct()
    owners = session.exec(
        select(Person.id, Person.name)
        .where(col(Person.id).in_(owner_ids))
        .order_by(func.lower(Person.name))
    ).all()
    people = session.exec(
        select(Person.id, Person.name, Person.email)
        .where(col(Person.active))
        .order_by(func.lower(Person.name))
    ).all()
    return Choices(
        priorities=[
            Choice(p.number, priority_label(p.number, p.title, p.short_title)) for p in priorities
        ],
        priority_ids={p.number: p.id or 0 for p in priorities},
        workstreams=[Choice(i or 0, name) for i, name in workstreams],
        bodies=[Choice(i or 0, name) for i, name in bodies],
        organisations=[
            Choice(i or 0, f"{name} ({short})" if short and short != name else name)
            for i, name, short in organisations
        ],
        owners=[Choice(i or 0, name) for i, name in owners],
        people=[Choice(i or 0, f"{name} <{email}>") for i, name, email in people],
    )


@dataclass(frozen=True)
class LastUpdate:
    at: date
    by: str | None
    evidence_url: str | None


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
    action = session.exec(select(Action).where(Action.reference == reference)).first()
    if action is None or action.id is None:
        raise ActionNotFound(f"No action with reference {reference!r}")
    starts = load_cycle_starts(session, today=today, default_cycle_days=default_cycle_days)
    (row,) = fetch_rows(session, today=today, starts=starts, where=[col(Action.id) == action.id])
    updater = session.get(Person, action.last_updated_by_id) if action.last_updated_by_id else None
    newest = session.exec(
        select(ActionUpdate, Person.name)
        .outerjoin(Person, col(Person.id) == col(ActionUpdate.created_by_id))
        .where(ActionUpdate.action_id == action.id)
        .order_by(col(ActionUpdate.created_at).desc(), col(ActionUpdate.id).desc())
        .limit(1)
    ).first()
    last = (
        LastUpdate(
            at=newest[0].created_at.date(), by=newest[1], evidence_url=newest[0].evidence_url
        )
        if newest
        else None
    )
    return ActionDetail(
        row=row,
        description=action.description,
        priority_id=action.priority_id,
        lead_organisation_id=action.lead_organisation_id,
        original_due_date=action.original_due_date,
        last_updated_by=updater.name if updater else None,
        last_update=last,
    )

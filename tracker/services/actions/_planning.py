"""Seeded planning details "to confirm", and the administrator confirming them.

The packaged strategy states each action's words but not who owns it, which organisation leads
it or when it starts and is due: the seed fills those in with plausible guesses and marks the
action ``planning_confirmed = False``. Until an administrator confirms them (here, in bulk or
per action), edits the action or imports the plan, the due date is shown "to confirm" and the
action is never reported overdue, because nobody has promised that date yet. Each confirmation
bumps the action's version (an edit form opened before it is stale) and is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from tracker.models import Action, Person
from tracker.permissions import Actor, Operation, require
from tracker.services.audit import record_change

PLANNING_FIELD = "planning_confirmed"
TO_CONFIRM = "to confirm"
CONFIRMED = "confirmed"


@dataclass(frozen=True)
class UnconfirmedAction:
    reference: str
    title: str
    owner: str | None
    start_date: date | None
    due_date: date | None


@dataclass(frozen=True)
class PlanningCounts:
    confirmed: int
    total: int

    @property
    def complete(self) -> bool:
        return self.confirmed == self.total


def count_confirmed(session: Session) -> PlanningCounts:
    """How many actions have confirmed planning details, of all actions."""
    rows = session.exec(
        select(col(Action.planning_confirmed), func.count()).group_by(
            col(Action.planning_confirmed)
        )
    ).all()
    by_state = {bool(state): int(n) for state, n in rows}
    return PlanningCounts(
        confirmed=by_state.get(True, 0), total=by_state.get(True, 0) + by_state.get(False, 0)
    )


def list_unconfirmed_actions(session: Session) -> list[UnconfirmedAction]:
    """Actions whose seeded planning details still await an administrator, in plan order."""
    query = (
        select(Action, Person.name)
        .outerjoin(Person, col(Person.id) == col(Action.owner_id))
        .where(col(Action.planning_confirmed).is_(False))
        .order_by(col(Action.sort_key), col(Action.reference))
    )
    return [
        UnconfirmedAction(
            reference=action.reference,
            title=action.title,
            owner=owner,
            start_date=action.start_date,
            due_date=action.due_date,
        )
        for action, owner in session.exec(query).all()
    ]


def confirm_planning(
    session: Session, *, actor: Actor, references: Sequence[str] | None = None
) -> list[str]:
    """Confirm the planning details of ``references`` (every unconfirmed action when None).

    Returns the references confirmed now, in plan order; those already confirmed (perhaps by
    another administrator a moment ago) are left alone and not audited again."""
    require(actor, Operation.MANAGE_ACTIONS, what="the plan")
    statement = update(Action).where(col(Action.planning_confirmed).is_(False))
    if references is not None:
        wanted = [r.strip().upper() for r in references if r.strip()]
        if not wanted:
            return []
        statement = statement.where(col(Action.reference).in_(wanted))
    confirmed = session.execute(
        statement.values(planning_confirmed=True, version=col(Action.version) + 1).returning(
            col(Action.id), col(Action.reference), col(Action.sort_key)
        )
    ).all()
    ordered = sorted(confirmed, key=lambda row: (row.sort_key, row.reference))
    for row in ordered:
        record_change(
            session,
            actor=actor,
            entity="action",
            entity_id=row.id,
            entity_label=row.reference,
            field=PLANNING_FIELD,
            old=TO_CONFIRM,
            new=CONFIRMED,
        )
    session.flush()
    session.expire_all()
    return [row.reference for row in ordered]

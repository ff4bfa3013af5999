"""What the register's filters and the administrators' forms offer: (id, label) choices.

``list_choices`` gives the priorities, workstreams, bodies, organisations and people in the
order the strategy and governance file give them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from tracker.models import Action, GovernanceBody, Organisation, Person, Priority, Workstream
from tracker.rules import priority_label


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

"""Factories for tests: actors for the seeded people, and updates recorded through the service."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine
from sqlmodel import Session

from tracker.db import session_scope
from tracker.models import ActionUpdate
from tracker.permissions import Actor
from tracker.services.actions import UpdateForm, get_action, record_update
from tracker.services.people import actor_for_email

ADMIN = "send.pmo@example.org"
EXECUTIVE = "exec.director.education@example.org"
SECRETARY_SIB = "improvement.board@example.org"
SECRETARY_STB = "transformation.board@example.org"
SECRETARY_SOB = "operations.board@example.org"
PARTNER = "powar@example.org"
# Owners and leads as seeded from tracker/data/strategy.yaml and governance.yaml.
HEAD_OF_SEND = "head.of.send@example.org"
# Whoever runs the command line, as the services see them.
OPERATOR = Actor.for_operator("operator tester (tests)")


def actor(session: Session, email: str) -> Actor:
    return actor_for_email(session, email)


def owner_of(session: Session, reference: str) -> Actor:
    from tracker.services.people import actor_by_id

    action = get_action(session, reference)
    assert action.owner_id is not None
    return actor_by_id(session, action.owner_id)


def add_update(
    engine: Engine,
    reference: str,
    *,
    rag: str = "green",
    status: str = "in_progress",
    commentary: str | None = "Progressing to plan.",
    path_to_green: str | None = None,
    revised_due_date: date | None = None,
    due_date_reason: str | None = None,
    rating_reason: str | None = None,
    by: str | None = None,
    at: datetime | None = None,
) -> ActionUpdate:
    """Record an update through the real service, as the action's owner unless ``by`` is given."""
    if rag == "red" and path_to_green is None:
        path_to_green = "Recovery plan agreed; interim cover in place."
    if rag == "green" and rating_reason is None:
        # Only asked for (and kept) when Green contradicts the due date.
        rating_reason = "Delivery is on track; the revised date is with the board."
    with session_scope(engine, write=True) as session:
        who = actor(session, by) if by else owner_of(session, reference)
        action = get_action(session, reference)
        return record_update(
            session,
            actor=who,
            reference=reference,
            seen_version=action.version,
            form=UpdateForm(
                rag=rag,
                status=status,
                commentary=commentary,
                path_to_green=path_to_green,
                revised_due_date=revised_due_date,
                due_date_reason=due_date_reason,
                rating_reason=rating_reason,
            ),
            now=at or datetime.now(UTC),
        )

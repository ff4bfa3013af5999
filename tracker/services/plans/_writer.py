"""Write a planned import into the caller's transaction: people, actions, history.

The plans come from :mod:`tracker.services.plans`, already checked against the
database; this module only writes. New people go in first (the actions point at them);
priorities are never created here (they are the strategy's configuration). New actions, their
updates and every audit row then go in as bulk INSERTs of plain rows (not one ORM object each),
and changed actions are updated through the objects the import loaded and locked, so ten
thousand rows take seconds on either engine. Every change is audited with the reason "imported
from FILE", all stamped with the one moment of the import; an action's version goes up whenever
it changes, which makes an update form opened before the import stale (see ``record_update``'s
optimistic check).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import Session, col

from tracker.models import Action, ActionStatus, ActionUpdate, Person, Rag
from tracker.permissions import Actor
from tracker.rules import reference_sort_number
from tracker.services.actions import CONFIRMED, PLANNING_FIELD, TO_CONFIRM
from tracker.services.audit import append_audit_rows, record_change
from tracker.services.plans._planner import PendingPerson, RowPlan, UpdatePlan

PATH_TO_GREEN_RAGS = frozenset({Rag.RED.value, Rag.AMBER.value})


class _Batch:
    """Rows to insert in bulk, and the stamp every audit row of this import carries."""

    def __init__(self, *, actor: Actor, reason: str, source: str, now: datetime) -> None:
        self.actor = actor
        self.reason = reason
        self.source = source
        self.now = now
        self.history: list[dict[str, Any]] = []
        self.audit: list[dict[str, Any]] = []

    def audit_change(self, action_id: int, reference: str, field: str, old: Any, new: Any) -> None:
        # The same row record_change writes; built as plain values for a bulk insert.
        self.audit.append(
            {
                "at": self.now,
                "actor_id": self.actor.person_id,
                "actor_label": self.actor.email,
                "entity": "action",
                "entity_id": action_id,
                "entity_label": reference,
                "field": field,
                "old": _audit_text(old),
                "new": _audit_text(new),
                "reason": self.reason,
            }
        )

    def add_update(self, action_id: int, update: UpdatePlan, carried: Mapping[str, Any]) -> None:
        self.history.append(
            {
                "action_id": action_id,
                "rag": update.rag,
                "status": update.status,
                "commentary": update.commentary,
                "path_to_green": carried.get("path_to_green"),
                "next_steps": carried.get("next_steps"),
                "revised_due_date": update.revised_due_date,
                "due_date_reason": self.reason if update.revised_due_date else None,
                "evidence_url": None,
                "created_by_id": self.actor.person_id,
                "created_at": update.at,
                "source": self.source,
            }
        )


def _audit_text(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def write_plans(
    session: Session,
    *,
    actor: Actor,
    plans: Sequence[RowPlan],
    people: Mapping[str, PendingPerson],
    reason: str,
    source: str,
    now: datetime,
) -> None:
    """Write every plan (in the caller's transaction); the session is flushed, not committed."""
    person_ids = _create_people(session, actor, people.values(), reason)
    batch = _Batch(actor=actor, reason=reason, source=source, now=now)
    new_rows: list[tuple[RowPlan, dict[str, Any]]] = []
    for plan in plans:
        values = _resolve(plan.values, person_ids)
        if plan.action is None:
            new_rows.append((plan, _new_action_row(plan, values, actor, source, now)))
        elif values or plan.update is not None or not plan.action.planning_confirmed:
            # A row for a seeded action confirms its planning details, even when it agrees.
            _change_action(plan, values, actor, batch)
    session.flush()  # the changed actions: one UPDATE per action, sent as a batch
    if new_rows:
        session.execute(insert(Action), [row for _, row in new_rows])
        ids = _ids_by_reference(session, [plan.reference for plan, _ in new_rows])
        for plan, _ in new_rows:
            action_id = ids[plan.reference]
            batch.audit_change(action_id, plan.reference, "created", None, plan.reference)
            if plan.update is not None:
                batch.add_update(action_id, plan.update, {})
    if batch.history:
        session.execute(insert(ActionUpdate), batch.history)
    if batch.audit:
        append_audit_rows(session, batch.audit)


def _ids_by_reference(session: Session, references: list[str]) -> dict[str, int]:
    wanted = set(references)
    rows = session.execute(select(col(Action.reference), col(Action.id))).all()
    return {reference: action_id for reference, action_id in rows if reference in wanted}


def _create_people(
    session: Session, actor: Actor, people: Iterable[PendingPerson], reason: str
) -> dict[str, int]:
    created = [
        Person(name=p.name, email=p.email, organisation_id=p.organisation_id) for p in people
    ]
    session.add_all(created)
    session.flush()
    for person in created:
        record_change(
            session,
            actor=actor,
            entity="person",
            entity_id=person.id,
            entity_label=person.email,
            field="created",
            old=None,
            new=person.email,
            reason=reason,
        )
    return {p.email: p.id or 0 for p in created}


def _resolve(values: Mapping[str, Any], person_ids: Mapping[str, int]) -> dict[str, Any]:
    resolved = dict(values)
    for key, value in values.items():
        if isinstance(value, PendingPerson):
            resolved[key] = person_ids[value.email]
    return resolved


def _new_action_row(
    plan: RowPlan, values: dict[str, Any], actor: Actor, source: str, now: datetime
) -> dict[str, Any]:
    """Every column of a new action (a bulk insert fills in no model defaults)."""
    update = plan.update
    return {
        "reference": plan.reference,
        "title": values["title"],
        "description": None,
        "expected_impact": values.get("expected_impact"),
        "priority_id": values["priority_id"],
        "workstream_id": values.get("workstream_id"),
        "owner_id": values.get("owner_id"),
        "lead_organisation_id": values.get("lead_organisation_id"),
        "body_id": values.get("body_id"),
        "start_date": values.get("start_date"),
        "due_date": values.get("due_date"),
        "original_due_date": values.get("due_date"),
        "status": update.status if update else ActionStatus.NOT_STARTED.value,
        "rag": update.rag if update else None,
        "latest_commentary": update.commentary if update else None,
        "path_to_green": None,
        "next_steps": None,
        "last_updated_at": update.at if update else None,
        "last_updated_by_id": actor.person_id if update else None,
        "sort_key": reference_sort_number(plan.reference),
        "source": source,
        "planning_confirmed": True,
        "version": 1,
        "created_at": now,
    }


def _change_action(plan: RowPlan, values: dict[str, Any], actor: Actor, batch: _Batch) -> None:
    action = plan.action
    assert action is not None and action.id is not None
    for key, value in values.items():
        setattr(action, key, value)
    update = plan.update
    if update is not None:
        action.rag = update.rag
        action.status = update.status
        action.latest_commentary = update.commentary
        if update.rag not in PATH_TO_GREEN_RAGS:
            action.path_to_green = None
        action.last_updated_at = update.at
        action.last_updated_by_id = actor.person_id
        # The update carries forward what the owner last wrote about getting back on track.
        carried = {"path_to_green": action.path_to_green, "next_steps": action.next_steps}
        batch.add_update(action.id, update, carried)
    if not action.planning_confirmed:
        action.planning_confirmed = True
        batch.audit_change(action.id, action.reference, PLANNING_FIELD, TO_CONFIRM, CONFIRMED)
    # Bumping the version makes any update form opened before the import stale.
    action.version += 1
    for change in plan.changes:
        batch.audit_change(
            action.id, action.reference, change.audit_field, change.audit_old, change.audit_new
        )

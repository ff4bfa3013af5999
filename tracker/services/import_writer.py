"""Write a planned import into the caller's transaction: priorities, people, actions, history.

The plans come from :mod:`tracker.services.import_planner`, already checked against the
database; this module only writes. New priorities and people go in first (the actions point at
them), then every action in a few batched statements, then the updates and audit rows, so ten
thousand rows take seconds. Every change is audited with the reason "imported from FILE"; an
action's version goes up whenever it changes, which is what makes an open update form on it
stale (see ``record_update``'s optimistic check).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlmodel import Session

from tracker.models import Action, ActionUpdate, Person, Priority, Rag
from tracker.permissions import Actor
from tracker.seed import reference_sort_key
from tracker.services.audit import record_change
from tracker.services.import_planner import PendingPerson, PendingPriority, RowPlan, UpdatePlan

PATH_TO_GREEN_RAGS = frozenset({Rag.RED.value, Rag.AMBER.value})


def write_plans(
    session: Session,
    *,
    actor: Actor,
    plans: Sequence[RowPlan],
    people: Mapping[str, PendingPerson],
    priorities: Iterable[int],
    reason: str,
    source: str,
) -> None:
    """Write every plan (in the caller's transaction); the session is flushed, not committed."""
    me = session.get(Person, actor.person_id)
    priority_ids = _create_priorities(session, me, priorities, reason)
    person_ids = _create_people(session, me, people.values(), reason)
    created: list[tuple[RowPlan, Action]] = []
    for plan in plans:
        values = _resolve(plan.values, priority_ids, person_ids)
        if plan.action is None:
            created.append((plan, _new_action(plan, values, actor, source)))
        elif values or plan.update is not None:
            _change_action(session, me, plan, values, actor, reason)
    session.add_all(action for _, action in created)
    session.flush()  # one batched INSERT, which gives every new action its id
    for plan, action in created:
        _audit(session, me, action, "created", None, action.reference, reason)
        if plan.update is not None:
            session.add(_history_entry(action, plan.update, actor, source, reason))
    for plan in plans:
        if plan.action is not None and plan.update is not None:
            session.add(_history_entry(plan.action, plan.update, actor, source, reason))
    session.flush()


def _create_priorities(
    session: Session, me: Person | None, numbers: Iterable[int], reason: str
) -> dict[int, int]:
    created = [Priority(number=n, title=f"Priority {n}") for n in sorted(numbers)]
    session.add_all(created)
    session.flush()
    for priority in created:
        record_change(
            session,
            actor=me,
            entity="priority",
            entity_id=priority.id,
            entity_label=priority.title,
            field="created",
            old=None,
            new=priority.title,
            reason=reason,
        )
    return {p.number: p.id or 0 for p in created}


def _create_people(
    session: Session, me: Person | None, people: Iterable[PendingPerson], reason: str
) -> dict[str, int]:
    created = [
        Person(name=p.name, email=p.email, organisation_id=p.organisation_id) for p in people
    ]
    session.add_all(created)
    session.flush()
    for person in created:
        record_change(
            session,
            actor=me,
            entity="person",
            entity_id=person.id,
            entity_label=person.email,
            field="created",
            old=None,
            new=person.email,
            reason=reason,
        )
    return {p.email: p.id or 0 for p in created}


def _resolve(
    values: Mapping[str, Any], priority_ids: Mapping[int, int], person_ids: Mapping[str, int]
) -> dict[str, Any]:
    resolved = dict(values)
    for key, value in values.items():
        if isinstance(value, PendingPerson):
            resolved[key] = person_ids[value.email]
        elif isinstance(value, PendingPriority):
            resolved[key] = priority_ids[value.number]
    return resolved


def _sort_number(reference: str) -> int:
    key = reference_sort_key(reference)
    return key[0] * 1000 + (key[1] if len(key) > 1 else 0)


def _new_action(plan: RowPlan, values: dict[str, Any], actor: Actor, source: str) -> Action:
    action = Action(
        **values,
        reference=plan.reference,
        original_due_date=values.get("due_date"),
        sort_key=_sort_number(plan.reference),
        source=source,
    )
    update = plan.update
    if update is not None:
        action.rag = update.rag
        action.status = update.status
        action.latest_commentary = update.commentary
        action.last_updated_at = update.at
        action.last_updated_by_id = actor.person_id
    return action


def _change_action(
    session: Session,
    me: Person | None,
    plan: RowPlan,
    values: dict[str, Any],
    actor: Actor,
    reason: str,
) -> None:
    action = plan.action
    assert action is not None
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
    # Bumping the version makes any update form opened before the import stale.
    action.version += 1
    session.add(action)
    for change in plan.changes:
        _audit(session, me, action, change.audit_field, change.audit_old, change.audit_new, reason)


def _history_entry(
    action: Action, update: UpdatePlan, actor: Actor, source: str, reason: str
) -> ActionUpdate:
    assert action.id is not None
    carried_path = action.path_to_green if update.rag in PATH_TO_GREEN_RAGS else None
    return ActionUpdate(
        action_id=action.id,
        rag=update.rag,
        status=update.status,
        commentary=update.commentary,
        path_to_green=carried_path,
        next_steps=action.next_steps,
        revised_due_date=update.revised_due_date,
        due_date_reason=reason if update.revised_due_date else None,
        created_by_id=actor.person_id,
        created_at=update.at,
        source=source,
    )


def _audit(
    session: Session,
    me: Person | None,
    action: Action,
    field: str,
    old: object,
    new: object,
    reason: str,
) -> None:
    record_change(
        session,
        actor=me,
        entity="action",
        entity_id=action.id,
        entity_label=action.reference,
        field=field,
        old=old,
        new=new,
        reason=reason,
    )

"""The append-only audit log: who changed which field of what, from what, to what, and when.

Rows are written only through this module (and ``audit_chain.append_audit_rows`` for bulk
imports), which chains each onto the log's hash chain. Besides changes, it records events:
sign-ins, refused sign-ins, identity bindings, exports, paper downloads and refused operations.
A refused operation rolls its own transaction back, so it is written afterwards in a
transaction of its own, by the hook this module registers with ``tracker.db``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from tracker.db import on_failed_unit_of_work, session_scope
from tracker.models import AuditLog
from tracker.permissions import Actor, PermissionDenied
from tracker.services.audit._chain import append_audit_row

log = logging.getLogger(__name__)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def record_change(
    session: Session,
    *,
    actor: Actor,
    entity: str,
    entity_id: int | None,
    field: str,
    old: Any,
    new: Any,
    entity_label: str | None = None,
    reason: str | None = None,
) -> None:
    """Add one audit row (in the caller's transaction) if the value really changed.

    ``actor`` is whoever acts, a person or an operator (``Actor.for_operator``), as the caller
    already holds it: the row names their person id and e-mail, or the operator's name.
    """
    old_text, new_text = _text(old), _text(new)
    if old_text == new_text:
        return
    append_audit_row(
        session,
        AuditLog(
            actor_id=actor.person_id,
            actor_label=actor.audit_label[:320],
            entity=entity,
            entity_id=entity_id,
            entity_label=entity_label,
            field=field,
            old=old_text,
            new=new_text,
            reason=reason,
        ),
    )


def record_changes(
    session: Session,
    *,
    actor: Actor,
    entity: str,
    entity_id: int | None,
    changes: Mapping[str, tuple[Any, Any]],
    entity_label: str | None = None,
    reason: str | None = None,
) -> None:
    """Audit several fields of one entity: ``changes`` maps field -> (old, new)."""
    for field, (old, new) in changes.items():
        record_change(
            session,
            actor=actor,
            entity=entity,
            entity_id=entity_id,
            field=field,
            old=old,
            new=new,
            entity_label=entity_label,
            reason=reason,
        )


def record_event(
    session: Session,
    *,
    actor: Actor,
    entity: str,
    field: str,
    entity_id: int | None = None,
    entity_label: str | None = None,
    detail: str | None = None,
    reason: str | None = None,
) -> None:
    """Add one audit row for something that happened (a sign-in, a download), not a change."""
    append_audit_row(
        session,
        AuditLog(
            actor_id=actor.person_id,
            actor_label=actor.audit_label[:320],
            entity=entity,
            entity_id=entity_id,
            entity_label=None if entity_label is None else entity_label[:200],
            field=field,
            new=detail,
            reason=reason,
        ),
    )


def _record_refusal(engine: Engine, error: BaseException) -> None:
    """Audit a PermissionDenied that rolled its unit of work back, in a transaction of its own."""
    if not isinstance(error, PermissionDenied) or error.actor is None:
        return
    try:
        with session_scope(engine, write=True) as session:
            record_event(
                session,
                actor=error.actor,
                entity="operation",
                entity_label=error.operation,
                field="operation refused",
                detail=str(error),
            )
    except Exception:  # the refusal itself still reaches the person; never mask it
        log.exception("could not audit a refused operation")


on_failed_unit_of_work(_record_refusal)

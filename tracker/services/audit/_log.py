"""The append-only audit log: who changed which field of what, from what, to what, and when."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlmodel import Session

from tracker.models import AuditLog, Person


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
    actor: Person | None,
    entity: str,
    entity_id: int | None,
    field: str,
    old: Any,
    new: Any,
    entity_label: str | None = None,
    reason: str | None = None,
    actor_label: str | None = None,
) -> None:
    """Add one audit row (in the caller's transaction) if the value really changed."""
    old_text, new_text = _text(old), _text(new)
    if old_text == new_text:
        return
    session.add(
        AuditLog(
            actor_id=actor.id if actor else None,
            actor_label=actor_label or (actor.email if actor else "system"),
            entity=entity,
            entity_id=entity_id,
            entity_label=entity_label,
            field=field,
            old=old_text,
            new=new_text,
            reason=reason,
        )
    )


def record_changes(
    session: Session,
    *,
    actor: Person | None,
    entity: str,
    entity_id: int | None,
    changes: Mapping[str, tuple[Any, Any]],
    entity_label: str | None = None,
    reason: str | None = None,
    actor_label: str | None = None,
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
            actor_label=actor_label,
        )

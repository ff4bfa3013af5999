"""The action page's view model: everything one action's page shows, read in one session.

``load_action_page`` gathers the action's register row and details, whether the person may
update it, its update history, its worded audit trail (for those who may read audit trails)
and the choices the administrators' forms offer (for administrators), as plain frozen data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine

from tracker.db import session_scope
from tracker.permissions import Actor, Operation, can
from tracker.services.actions._lookups import ActionDetail, get_action_detail
from tracker.services.actions._updates import get_action, may_update
from tracker.services.register import (
    DEFAULT_CYCLE_DAYS,
    AuditEntry,
    Choices,
    HistoryEntry,
    action_history,
    list_choices,
    worded_audit_trail,
)


@dataclass(frozen=True)
class ActionPage:
    """One action's page as the person asking may see it."""

    detail: ActionDetail
    may_update: bool
    history: tuple[HistoryEntry, ...]  # newest first
    audit: tuple[AuditEntry, ...] | None  # None: this person may not read audit trails
    choices: Choices | None  # None: this person may not administer actions

    @property
    def reference(self) -> str:
        return self.detail.row.reference


def load_action_page(
    engine: Engine,
    *,
    actor: Actor,
    reference: str,
    today: date,
    default_cycle_days: int = DEFAULT_CYCLE_DAYS,
) -> ActionPage:
    """The page of the action ``reference`` for ``actor``, or ``ActionNotFound``."""
    with session_scope(engine) as session:
        action = get_action(session, reference)
        detail = get_action_detail(
            session, reference=action.reference, today=today, default_cycle_days=default_cycle_days
        )
        audit = None
        if can(actor, Operation.VIEW_AUDIT):
            audit = tuple(
                worded_audit_trail(session, actor=actor, entity="action", entity_id=detail.row.id)
            )
        return ActionPage(
            detail=detail,
            may_update=may_update(session, actor, action),
            history=tuple(action_history(session, reference=action.reference)),
            audit=audit,
            choices=list_choices(session) if can(actor, Operation.MANAGE_ACTIONS) else None,
        )

"""The action page's view model: everything one action's page shows, read in one session.

``load_action_page`` gathers the action's register row and details, whether the person may
update it, its update history, its worded audit trail (for those who may read audit trails)
the choices the administrators' forms offer (for administrators) and the open risks that
threaten the action, as plain frozen data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine

from tracker.db import session_scope
from tracker.governance import RiskScaleConfig
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
from tracker.services.risks import RiskFilter, RiskRow, list_risks


@dataclass(frozen=True)
class ActionPage:
    """One action's page as the person asking may see it."""

    detail: ActionDetail
    may_update: bool
    history: tuple[HistoryEntry, ...]  # newest first
    audit: tuple[AuditEntry, ...] | None  # None: this person may not read audit trails
    choices: Choices | None  # None: this person may not administer actions
    # Open risks that threaten this action (as the person may see them), highest score first.
    risks: tuple[RiskRow, ...] = ()

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
    risk_scale: RiskScaleConfig | None = None,
) -> ActionPage:
    """The page of the action ``reference`` for ``actor``, or ``ActionNotFound``; with
    ``risk_scale`` (governance.yaml's), the open risks that threaten it."""
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
            risks=tuple(
                list_risks(
                    session,
                    actor=actor,
                    scale=risk_scale,
                    today=today,
                    where=RiskFilter(action_reference=action.reference),
                )
            )
            if risk_scale is not None and can(actor, Operation.VIEW_RISKS)
            else (),
        )

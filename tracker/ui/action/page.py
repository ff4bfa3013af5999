"""One action's page in the register: its facts, the update form, history, audit trail, admin.

Opened by ``?action=P2.3`` on the register. What appears depends on the actor: the update form
only for those who may update it (its owner, its workstream lead, administrators), the audit
trail only for staff roles, the edit, reassign and withdraw forms only for administrators. The
services check each of these again when anything is saved.
"""

from __future__ import annotations

import streamlit as st

from tracker.db import session_scope
from tracker.permissions import Actor, Operation, can
from tracker.services.actions import (
    ActionDetail,
    ActionNotFound,
    get_action,
    get_action_detail,
    list_choices,
    may_update,
)
from tracker.services.register import action_history, worded_audit_trail
from tracker.ui.action import admin as action_admin
from tracker.ui.action.escalation import show_escalation_panel
from tracker.ui.action.update_form import FLASH_KEY, show_update_form
from tracker.ui.action.views import (
    show_action_facts,
    show_action_heading,
    show_audit,
    show_history,
    show_latest_position,
)
from tracker.ui.components import escape_markdown
from tracker.ui.context import cycle_days, engine, governance, today


def _load(actor: Actor, reference: str) -> tuple[ActionDetail, bool] | None:
    with session_scope(engine()) as session:
        try:
            action = get_action(session, reference)
        except ActionNotFound:
            return None
        updatable = may_update(session, actor, action)
        detail = get_action_detail(
            session, reference=reference, today=today(), default_cycle_days=cycle_days()
        )
    return detail, updatable


def _back_to_register() -> None:
    st.query_params.clear()


def show_action_page(actor: Actor, reference: str) -> None:
    st.button("Back to the register", icon=":material/arrow_back:", on_click=_back_to_register)
    loaded = _load(actor, reference)
    if loaded is None:
        st.error(f"No action {escape_markdown(reference)} exists. Check the reference.")
        return
    detail, updatable = loaded
    if st.session_state.get(FLASH_KEY):
        # The page's own update was just saved: the admin forms start from the new version.
        action_admin.forget_seen_version(detail.row.reference)
    action_admin.show_flash()
    show_action_heading(detail)
    show_action_facts(detail)
    show_latest_position(detail)
    tabs = ["History", "Escalation"]
    if updatable:
        tabs.insert(0, "Record an update")
    if can(actor, Operation.VIEW_AUDIT):
        tabs.append("Audit trail")
    if can(actor, Operation.MANAGE_ACTIONS):
        tabs.append("Administration")
    panes = dict(zip(tabs, st.tabs(tabs), strict=True))
    if "Record an update" in panes:
        with panes["Record an update"]:
            show_update_form(detail, actor=actor, config=governance())
    with panes["History"]:
        _show_history(detail)
    with panes["Escalation"]:
        show_escalation_panel(detail.row.reference)
    if "Audit trail" in panes:
        with panes["Audit trail"]:
            _show_audit(detail, actor)
    if "Administration" in panes:
        with panes["Administration"]:
            _show_admin(actor, detail)


def _show_history(detail: ActionDetail) -> None:
    with session_scope(engine()) as session:
        entries = action_history(session, reference=detail.row.reference)
    count = f"{len(entries)} update{'' if len(entries) == 1 else 's'}"
    st.caption(f"{count}, newest first. The history is kept for good as evidence.")
    show_history(entries, governance())


def _show_audit(detail: ActionDetail, actor: Actor) -> None:
    with session_scope(engine()) as session:
        entries = worded_audit_trail(session, actor=actor, entity="action", entity_id=detail.row.id)
    st.caption("Every change to this action: who, when, from what, to what.")
    show_audit(entries)


def _show_admin(actor: Actor, detail: ActionDetail) -> None:
    with session_scope(engine()) as session:
        choices = list_choices(session)
    ref = detail.row.reference
    st.markdown("**Edit details**")
    saved = action_admin.show_edit_action(actor, detail, choices)
    reassign, withdraw = st.columns(2)
    with reassign:
        st.markdown("**Reassign**")
        saved = action_admin.show_reassign_action(actor, detail, choices) or saved
    with withdraw:
        st.markdown("**Withdraw**")
        saved = action_admin.show_withdraw_action(actor, detail) or saved
    if saved:
        action_admin.forget_seen_version(ref)
        new_reference = st.session_state.get(f"admin.{ref}.edit.reference")
        if isinstance(new_reference, str) and new_reference.strip().upper() != ref:
            st.query_params["action"] = new_reference.strip().upper()
        st.rerun()

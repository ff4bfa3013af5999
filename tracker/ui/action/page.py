"""One action's page: its facts, the update form, history, audit trail and administration.

Drawn by ``tracker/pages/action.py`` (``/action?action=P2.3``) from one ``ActionPage`` view
model (the Evidence tab loads its own, ``tracker.ui.action.evidence``). What appears depends
on the actor: the update form only for those who may update it
(its owner, its workstream lead, administrators), the audit trail only for staff roles, the
edit, reassign and withdraw forms only for administrators. The services check each of these
again when anything is saved.
"""

from __future__ import annotations

import streamlit as st

from tracker.formatting import format_date
from tracker.permissions import Actor
from tracker.services.actions import ActionPage
from tracker.ui.action import admin as action_admin
from tracker.ui.action.escalation import show_escalation_panel
from tracker.ui.action.evidence import (
    evidence_has_news,
    evidence_tab_label,
    load_panel,
    show_evidence_panel,
)
from tracker.ui.action.update_form import show_update_form
from tracker.ui.action.views import (
    show_action_facts,
    show_action_heading,
    show_audit,
    show_history,
    show_latest_position,
)
from tracker.ui.components import escape_markdown
from tracker.ui.context import governance
from tracker.ui.navigation import page_file


def show_action_page(actor: Actor, page: ActionPage) -> None:
    detail = page.detail
    action_admin.show_flash()
    show_action_heading(detail, governance().impact)
    show_action_facts(detail)
    show_latest_position(detail, governance().impact)
    evidence = load_panel(detail.row.reference)
    evidence_tab = evidence_tab_label(None if evidence is None else len(evidence.current))
    tabs = ["History", evidence_tab, "Escalation", f"Risks ({len(page.risks)})"]
    if page.may_update:
        tabs.insert(0, "Record an update")
    if page.audit is not None:
        tabs.append("Audit trail")
    if page.choices is not None:
        tabs.append("Administration")
    # After a change on the Evidence tab (whose label counts the files), open on it again.
    default = evidence_tab if evidence_has_news() else None
    panes = dict(zip(tabs, st.tabs(tabs, default=default), strict=True))
    if "Record an update" in panes:
        with panes["Record an update"]:
            show_update_form(detail, actor=actor, config=governance())
    with panes["History"]:
        _show_history(page)
    with panes[evidence_tab]:
        if evidence is not None:
            show_evidence_panel(evidence)
    with panes["Escalation"]:
        show_escalation_panel(detail.row.reference)
    with panes[f"Risks ({len(page.risks)})"]:
        _show_risks(page)
    if "Audit trail" in panes:
        with panes["Audit trail"]:
            st.caption("Every change to this action: who, when, from what, to what.")
            show_audit(list(page.audit or ()))
    if "Administration" in panes:
        with panes["Administration"]:
            _show_admin(actor, page)


def _show_risks(page: ActionPage) -> None:
    """The open risks that threaten this action, each linking to its page in the register."""
    if not page.risks:
        st.caption("No open risk in the risk register names this action.")
        return
    st.caption("Open risks that threaten this action, highest score first.")
    for risk in page.risks:
        overdue = " · review overdue" if risk.review_overdue else ""
        st.page_link(
            page_file("risks"),
            label=f"{risk.reference} ({risk.score} {risk.band}): {risk.title}",
            query_params={"risk": risk.reference},
            icon=":material/warning:",
        )
        st.caption(
            f"Owner {escape_markdown(risk.owner)} · next review "
            f"{format_date(risk.next_review)}{overdue}"
        )


def _show_history(page: ActionPage) -> None:
    entries = list(page.history)
    count = f"{len(entries)} update{'' if len(entries) == 1 else 's'}"
    st.caption(f"{count}, newest first. The history is kept for good as evidence.")
    show_history(entries, governance())


def _show_admin(actor: Actor, page: ActionPage) -> None:
    detail, choices = page.detail, page.choices
    if choices is None:
        return
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

"""The Escalation tab of an action's page: its escalations, and the forms to raise or close one.

Everyone who can see the action sees where it has been escalated, why, and what each receiving
board decided. Its owner, its workstream lead, secretaries and administrators also get a form
to escalate it to the next board up, with a reason the board will read in its paper; the
receiving board's secretary or chair (or an administrator) gets a form to close an open
escalation with the board's decision. The services check both again on saving. Everything a
person typed is shown as text, never as markdown or HTML.
"""

from __future__ import annotations

import streamlit as st

from tracker import clock
from tracker.db import session_scope
from tracker.permissions import Actor
from tracker.services.actions import (
    TEXT_LIMIT,
    ActionNotFound,
    EscalationError,
    EscalationRow,
    escalate_action,
    find_escalation_target,
    get_action,
    list_action_escalations,
    may_escalate,
    may_resolve,
    resolve_escalation,
)
from tracker.ui.components import escape_markdown, format_moment
from tracker.ui.context import current_actor, engine, governance
from tracker.ui.errors import showing_errors
from tracker.ui.widgets.fields import long_text

FLASH_KEY = "escalation.flash"


class _Panel:
    """What the tab shows, read in one session and kept as plain values."""

    def __init__(self, actor: Actor, reference: str) -> None:
        with session_scope(engine()) as session:
            action = get_action(session, reference)
            self.reference = action.reference
            self.rows = list_action_escalations(session, reference=reference)
            self.may_escalate = may_escalate(session, actor, action)
            self.closable = {
                r.id for r in self.rows if r.is_open and may_resolve(session, actor, r)
            }
            try:
                target = find_escalation_target(
                    session, reference=reference, governance=governance()
                )
                self.target: str | None = target.name
                self.no_target = ""
            except EscalationError as exc:
                self.target, self.no_target = None, str(exc)


def _show_row(row: EscalationRow) -> None:
    state = "Open" if row.is_open else "Closed"
    source = f" from the {escape_markdown(row.from_body)}" if row.from_body else ""
    st.markdown(
        f"**{state}: to the {escape_markdown(row.to_body)}**{source}  \n"
        f"Raised {format_moment(row.raised_at)} by {escape_markdown(row.raised_by or 'unknown')}"
    )
    st.text(row.reason)
    if not row.is_open:
        st.caption(
            f"Closed {format_moment(row.resolved_at)} by "
            f"{escape_markdown(row.resolved_by or 'unknown')}. Decision:"
        )
        st.text(row.resolution or "")


def _close_form(actor: Actor, row: EscalationRow) -> None:
    with st.form(f"escalation.close.{row.id}"):
        decision = long_text(
            "The board's decision",
            key=f"escalation.decision.{row.id}",
            limit=TEXT_LIMIT,
            help="Recorded on the action and in its audit trail.",
        )
        slots = {"resolution": st.empty()}
        if not st.form_submit_button(f"Close the escalation to the {row.to_body}"):
            return
    with (
        showing_errors(field_slots=slots) as outcome,
        session_scope(engine(), write=True) as session,
    ):
        resolve_escalation(session, actor=actor, escalation_id=row.id, resolution=decision or "")
    if outcome.failed:
        return
    st.session_state[FLASH_KEY] = f"The escalation to the {row.to_body} is closed."
    st.rerun()


def _escalate_form(actor: Actor, reference: str, target: str) -> None:
    # The board the person was shown when they pressed the button is the one of the run that
    # drew the form (the run before this one): kept here, it binds the save to that board.
    shown_key = f"escalation.shown_target.{reference}"
    shown = str(st.session_state.get(shown_key, target))
    st.session_state[shown_key] = target
    with st.form(f"escalation.raise.{reference}"):
        # The key names the action, not the board: a reason typed survives the target changing.
        reason = long_text(
            f"Why should the {target} look at {reference}?",
            key=f"escalation.reason.{reference}",
            limit=TEXT_LIMIT,
            help="The board reads this in its paper under Escalations.",
        )
        slots = {"reason": st.empty()}
        # A key, not the label, identifies the button: a press is never lost because the
        # label changed with the target; the service then refuses the board not shown.
        if not st.form_submit_button(
            f"Escalate to the {target}", type="primary", key=f"escalation.send.{reference}"
        ):
            return
    with (
        showing_errors(field_slots=slots) as outcome,
        session_scope(engine(), write=True) as session,
    ):
        # Bound to the board named on the button pressed: if the structure changed since the form
        # was drawn, the service refuses and the form now names the new board, reason kept.
        escalate_action(
            session,
            actor=actor,
            reference=reference,
            reason=reason or "",
            governance=governance(),
            now=clock.now(),
            expected_target=shown,
        )
    if outcome.failed:
        return
    st.session_state[FLASH_KEY] = f"{reference} is escalated to the {target}."
    st.rerun()


def show_escalation_panel(reference: str) -> None:
    """The escalations of the action ``reference`` and, for those allowed, the forms."""
    actor = current_actor()
    try:
        panel = _Panel(actor, reference)
    except ActionNotFound:
        st.error(f"There is no action with the reference {escape_markdown(reference)}.")
        return
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(escape_markdown(message))
    if not panel.rows:
        st.caption(f"{escape_markdown(panel.reference)} has not been escalated.")
    for row in reversed(panel.rows):
        with st.container(border=True):
            _show_row(row)
            if row.id in panel.closable:
                _close_form(actor, row)
    if not panel.may_escalate:
        return
    if panel.target is None:
        st.info(escape_markdown(panel.no_target))
        return
    st.markdown(f"**Escalate to the {escape_markdown(panel.target)}**")
    st.caption(
        "The board will see it in its next paper, with your reason, until its secretary "
        "closes it with a decision."
    )
    _escalate_form(actor, panel.reference, panel.target)

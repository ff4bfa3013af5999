"""Setup checklist (administrators): what a fresh install still needs, each item with what to do.

Governance checked, people signed in, the plan imported or its seeded details confirmed (all at
once or chosen actions), the boards' next meetings, a test e-mail through the outbox, sign-in.
The page asks ``tracker.services.operations`` for the checklist, draws it, and sends the two actions
it offers (confirm seeded details, send a test e-mail) to their services.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from tracker.db import session_scope
from tracker.permissions import Actor, PermissionDenied
from tracker.services.actions import UnconfirmedAction, confirm_planning
from tracker.services.operations import ChecklistItem, SetupChecklist, queue_test_email
from tracker.ui.components import escape_markdown, format_day
from tracker.ui.context import current_actor, engine, settings
from tracker.ui.setup_state import load_checklist

FLASH_KEY = "setup.flash"


def _confirm(actor: Actor, references: list[str] | None) -> None:
    try:
        with session_scope(engine(), write=True) as session:
            done = confirm_planning(session, actor=actor, references=references)
    except PermissionDenied as exc:
        st.error(escape_markdown(str(exc)))
        return
    st.session_state[FLASH_KEY] = f"Confirmed the planning details of {len(done)} actions."
    st.rerun()


def _send_test(actor: Actor) -> None:
    try:
        with session_scope(engine(), write=True) as session:
            queue_test_email(session, actor=actor, mail_transport=settings().mail_transport)
    except PermissionDenied as exc:
        st.error(escape_markdown(str(exc)))
        return
    st.session_state[FLASH_KEY] = f"A test e-mail to {actor.email} is in the outbox."
    st.rerun()


def _unconfirmed_frame(rows: tuple[UnconfirmedAction, ...]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Reference": [r.reference for r in rows],
            "Action": [r.title for r in rows],
            "Owner": [r.owner or "Not assigned" for r in rows],
            "Start": [format_day(r.start_date) or "—" for r in rows],
            "Due (to confirm)": [format_day(r.due_date) or "—" for r in rows],
        }
    )


def _plan_controls(actor: Actor, rows: tuple[UnconfirmedAction, ...]) -> None:
    with st.expander(f"The {len(rows)} actions with seeded details to confirm"):
        st.dataframe(_unconfirmed_frame(rows), hide_index=True, width="stretch")
        labels = {r.reference: f"{r.reference} {r.title[:70]}" for r in rows}
        chosen = st.multiselect(
            "Confirm these actions",
            options=list(labels),
            format_func=lambda ref: labels[ref],
            key="setup.chosen",
            placeholder="Choose actions whose owner, organisation and dates are right",
        )
        if st.button("Confirm the chosen actions", key="setup.confirm-chosen", disabled=not chosen):
            _confirm(actor, chosen)
    if st.button(
        f"Confirm all {len(rows)} seeded actions as they are",
        key="setup.confirm-all",
        icon=":material/done_all:",
    ):
        _confirm(actor, None)


def _show_item(item: ChecklistItem, checklist: SetupChecklist, actor: Actor) -> None:
    with st.container(border=True):
        mark = ":green[:material/check_circle:]" if item.done else ":orange[:material/pending:]"
        st.markdown(f"{mark} **{escape_markdown(item.title)}**")
        st.markdown(escape_markdown(item.state))
        st.caption(f"Next: {escape_markdown(item.next_step)}")
        if item.key == "plan" and checklist.unconfirmed:
            _plan_controls(actor, checklist.unconfirmed)
        if item.key == "mail" and st.button(
            "Send me a test e-mail", key="setup.test-mail", icon=":material/send:"
        ):
            _send_test(actor)


def main() -> None:
    st.title("Setup checklist")
    actor = current_actor()
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(escape_markdown(flash), icon=":material/check:")
    try:
        checklist = load_checklist(actor)
    except PermissionDenied as exc:
        st.error(escape_markdown(str(exc)))
        return
    if checklist.demo:
        st.info(
            "This is a demonstration database: nothing here needs setting up. The checklist "
            "shows what a real install asks of its administrator.",
            icon=":material/science:",
        )
    total = len(checklist.items)
    st.progress(checklist.done_count / total, text=f"{checklist.done_count} of {total} done")
    if checklist.complete:
        st.success("The tracker is set up. Administrators now start on the Executive overview.")
    for item in checklist.items:
        _show_item(item, checklist, actor)


main()

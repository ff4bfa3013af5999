"""One action's own page, ``/action?action=P2.3``: not in the menu, reached from the register,
the overview, a paper or a link in an e-mail.

The update form (for those who may update the action) is saved before anything is read, then
the page loads its one view model and draws it once. The browser tab is named after the
action ("P2.3 · SEND tracker"); the sidebar's "Action register" goes back to the list.
"""

from __future__ import annotations

import streamlit as st

from tracker.services.actions import ActionNotFound, load_action_page
from tracker.ui.action import admin as action_admin
from tracker.ui.action.page import show_action_page
from tracker.ui.action.update_form import save_if_submitted
from tracker.ui.components import escape_markdown
from tracker.ui.context import current_actor, cycle_days, engine, governance, today
from tracker.ui.navigation import TAB_SUFFIX, page_file


def _back_to_register() -> None:
    if st.button("Back to the register", icon=":material/arrow_back:", key="action.back"):
        st.switch_page(page_file("register"))


def main() -> None:
    actor = current_actor()
    reference = (st.query_params.get("action") or "").strip().upper()
    if not reference:
        st.switch_page(page_file("register"))
    _back_to_register()
    saved = save_if_submitted(actor)
    if saved:
        # The page's own update was just saved: the admin forms start from the new version.
        action_admin.forget_seen_version(saved)
    try:
        page = load_action_page(
            engine(),
            actor=actor,
            reference=reference,
            today=today(),
            default_cycle_days=cycle_days(),
            risk_scale=governance().risks,
        )
    except ActionNotFound:
        st.set_page_config(page_title=f"Action not found · {TAB_SUFFIX}")
        st.error(f"No action {escape_markdown(reference)} exists. Check the reference.")
        return
    st.set_page_config(page_title=f"{page.reference} · {TAB_SUFFIX}")
    show_action_page(actor, page)


main()

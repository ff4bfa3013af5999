"""My actions: the signed-in person's actions (and their workstreams'), and the update form.

Overdue actions and those whose update is due this cycle come first. Choosing an action (from
the list, the table, or a reminder e-mail's link ``?action=P2.3``) opens its update form with
the last update carried forward. The chosen reference is kept in the URL so the page can be
bookmarked or shared. A submitted update is saved first; then the page loads its one view
model (``load_my_actions``) and draws it once, so the list and the picker show the new rating.
Risks the person owns that are due or overdue for review are listed above the actions, each
with a link to rescore it on the Risks page.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import streamlit as st

from tracker.formatting import format_date, plural
from tracker.models import Role
from tracker.permissions import Actor, Operation, can
from tracker.rules import rag_label
from tracker.services.actions import (
    ActionDetail,
    LinkedAction,
    MyActions,
    WorkItem,
    Worklist,
    load_my_actions,
    match_reference,
    picker_references,
)
from tracker.services.risks import RiskRow
from tracker.ui.action.update_form import save_if_submitted, show_update_form
from tracker.ui.action.views import show_action_facts, show_action_heading, show_latest_position
from tracker.ui.components import escape_markdown, show_actions_table
from tracker.ui.context import current_actor, cycle_days, engine, governance, today
from tracker.ui.navigation import page_file

CHOICE_KEY = "my_actions.choice"
TABLE_KEY = "my_actions.table"
APPLIED_KEY = "my_actions.table_applied"
SHOW_ALL_KEY = "my_actions.show_all"
NOT_LISTED_KEY = "my_actions.not_listed"
PREVIOUS_KEY = "my_actions.previous"
SHOWN_KEY = "my_actions.shown"  # the table's references as last drawn, for its selection
TABLE_LIMIT = 50


def _label(item: WorkItem) -> str:
    row = item.row
    flags = row.flags.labels()
    title = row.title if len(row.title) <= 70 else row.title[:69] + "…"
    parts = [row.reference, rag_label(row.rag), *flags[:2], title]
    return " · ".join(parts)


def _show_summary(worklist: Worklist) -> None:
    total, overdue, due = len(worklist.items), worklist.overdue, worklist.update_due
    columns = st.columns(3)
    columns[0].metric("Your actions", total)
    columns[1].metric("Overdue", overdue)
    columns[2].metric("Update due this cycle", due)


def _table(worklist: Worklist) -> str | None:
    items = worklist.items
    show_all = len(items) <= TABLE_LIMIT or st.toggle(
        f"Show all {len(items)} actions", key=SHOW_ALL_KEY
    )
    shown = items if show_all else items[:TABLE_LIMIT]
    if not show_all:
        st.caption(f"The {TABLE_LIMIT} most urgent of {len(items)} actions.")
    st.session_state[SHOWN_KEY] = [i.row.reference for i in shown]
    return show_actions_table(
        [i.row for i in shown],
        governance(),
        key=TABLE_KEY,
        columns=[
            "Ref",
            "RAG",
            "Action",
            "Status",
            "Impact",
            "Due",
            "Flags",
            "Last updated",
            "Listed as",
        ],
        extra={"Listed as": [i.relation for i in shown]},
    )


def _on_pick(references: list[str]) -> None:
    """Picker callback: a typed reference becomes that action, or is refused by name."""
    picked = st.session_state.get(CHOICE_KEY)
    if not isinstance(picked, str) or picked in references:
        return
    exact = match_reference(picked, references)
    if exact is not None:
        st.session_state[CHOICE_KEY] = exact
        return
    st.session_state[NOT_LISTED_KEY] = picked.strip()
    st.session_state[CHOICE_KEY] = st.session_state.get(PREVIOUS_KEY)


def _choose(worklist: Worklist, picked_in_table: str | None) -> str:
    references = picker_references(worklist.items)
    labels = {i.row.reference: _label(i) for i in worklist.items}
    linked = st.query_params.get("action")
    if picked_in_table and picked_in_table != st.session_state.get(APPLIED_KEY):
        st.session_state[APPLIED_KEY] = picked_in_table
        st.session_state[CHOICE_KEY] = picked_in_table
    elif st.session_state.get(CHOICE_KEY) not in references:
        if linked in references:
            st.session_state[CHOICE_KEY] = linked
        else:
            st.session_state[CHOICE_KEY] = worklist.first_to_update
    # Labels are rebuilt from this run's worklist, so a save shows its new rating at once.
    chosen = st.selectbox(
        "Action to update",
        references,
        key=CHOICE_KEY,
        format_func=lambda ref: labels.get(ref, ref),
        help="In reference order; type a reference such as P4.11 to jump to it.",
        accept_new_options=True,
        filter_mode="contains",
        on_change=_on_pick,
        args=(references,),
    )
    not_listed = st.session_state.pop(NOT_LISTED_KEY, None)
    if not_listed:
        st.warning(
            f"{escape_markdown(not_listed)} is not one of your actions, so it is not in this "
            "list. Check the reference, or find it in the action register.",
            icon=":material/search_off:",
        )
    st.session_state[PREVIOUS_KEY] = chosen
    return str(chosen)


def _show_form(actor: Actor, detail: ActionDetail) -> None:
    with st.container(border=True):
        show_action_heading(detail, governance().impact)
        show_action_facts(detail)
        with st.expander("Latest position", expanded=False):
            show_latest_position(detail, governance().impact)
        show_update_form(detail, actor=actor, config=governance())


def _show_risks_to_review(risks: tuple[RiskRow, ...], on: date) -> None:
    """The person's risks due or overdue for review, each with a link to rescore it."""
    if not risks:
        return
    late = sum(r.review_overdue for r in risks)
    heading = f"Risks to review: {len(risks)}" + (f", {late} overdue" if late else "")
    with st.container(border=True):
        st.subheader(heading, anchor=False)
        st.caption("Risks you own whose review is due: rescore each with what has changed.")
        for risk in risks:
            when = format_date(risk.next_review)
            if risk.review_overdue:
                days = (on - risk.next_review).days
                due = f":red[**review overdue** since {when} ({plural(days, 'day')})]"
            else:
                due = f"review due {when}"
            left, right = st.columns([5, 1], vertical_alignment="center")
            left.markdown(
                f"**{escape_markdown(risk.reference)}** {escape_markdown(risk.title)}  \n"
                f"Score {risk.score} ({escape_markdown(risk.band)}) · {due}"
            )
            right.page_link(
                page_file("risks"),
                label=f"Rescore {risk.reference}",
                icon=":material/edit_note:",
                query_params={"risk": risk.reference},
            )


def _show_outside(actor: Actor, linked: LinkedAction) -> bool:
    """Open a deep-linked action that is not on the list, if the actor may update it."""
    if not linked.exists:
        st.warning(
            f"No action {escape_markdown(linked.reference)} exists. "
            "Check the reference in the link."
        )
        return False
    if linked.detail is None:
        st.warning(
            f"{escape_markdown(linked.reference)} is not one of your actions, so it cannot be "
            "updated here."
        )
        return False
    st.info("This action is not on your list, but your role lets you update it.")
    if st.button("Back to my list", icon=":material/arrow_back:"):
        del st.query_params["action"]
        st.rerun()
    _show_form(actor, linked.detail)
    return True


def _show_nothing_to_do(actor: Actor) -> None:
    message = "You have no actions to update."
    if actor.has(Role.ADMINISTRATOR):
        message += " As an administrator you can update any action from its page in the register."
    st.info(message)
    if can(actor, Operation.VIEW_PROGRESS):
        st.page_link(
            page_file("register"), label="Open the action register", icon=":material/table_rows:"
        )


def _table_pick() -> str | None:
    """The row selected in the table, as the person saw it (the references last drawn)."""
    event = st.session_state.get(TABLE_KEY)
    selection = event.get("selection") if isinstance(event, Mapping) else None
    rows = list(selection.get("rows") or []) if isinstance(selection, Mapping) else []
    shown = st.session_state.get(SHOWN_KEY) or []
    if rows and 0 <= int(rows[0]) < len(shown):
        return str(shown[int(rows[0])])
    return None


def _load(actor: Actor) -> tuple[MyActions, str | None]:
    save_if_submitted(actor)  # before reading, so the page shows the update just saved
    linked = (st.query_params.get("action") or "").strip() or None
    picked = _table_pick()
    choice = st.session_state.get(CHOICE_KEY)
    wanted = [ref for ref in (picked, choice) if isinstance(ref, str)]
    screen = load_my_actions(
        engine(),
        actor=actor,
        today=today(),
        wanted=wanted,
        linked=linked,
        default_cycle_days=cycle_days(),
        risk_scale=governance().risks,
        review_ahead_days=governance().update_cycle.reminders.risk_review.days_before_review,
    )
    return screen, picked


def main() -> None:
    actor = current_actor()
    st.title("My actions", anchor=False)
    screen, picked = _load(actor)
    worklist = screen.worklist
    if worklist.workstreams:
        names = ", ".join(escape_markdown(w) for w in worklist.workstreams)
        st.caption(f"Actions you own, and every action in the workstreams you lead: {names}.")
    else:
        st.caption("The actions you own.")
    if screen.linked is not None and _show_outside(actor, screen.linked):
        return
    _show_risks_to_review(screen.risks_to_review, today())
    if not worklist.items:
        _show_nothing_to_do(actor)
        return
    _show_summary(worklist)
    _table(worklist)
    chosen = _choose(worklist, picked)
    if st.query_params.get("action") != chosen:
        st.query_params["action"] = chosen
    detail = screen.details.get(chosen)
    if detail is None:  # not read with the list (it should always be): say so, lose nothing
        st.warning(f"{escape_markdown(chosen)} could not be opened. Choose it again.")
        return
    _show_form(actor, detail)


main()

"""The action register, filtered and searched, fifty actions to a page.

The register is filtered by priority, workstream, body, owner, organisation, RAG, latest impact,
overdue and not updated, plus a search of reference, title and commentary. Choosing a row opens the
action's own page (``/action?action=P2.3``); an older link to ``/register?action=P2.3`` is
forwarded there. Administrators can add an action here.

The filters are read from this session's state before anything is drawn, so the page asks one
service call (``load_register_page``) for the choices and the rows together and draws once.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import astuple

import streamlit as st

from tracker.permissions import Actor, Operation, can
from tracker.rules import STATUS_LABELS
from tracker.services.register import (
    ActionFilter,
    Choice,
    Choices,
    RegisterOrder,
    RegisterPage,
    load_register_page,
)
from tracker.ui.action import admin as action_admin
from tracker.ui.components import show_actions_table
from tracker.ui.context import current_actor, cycle_days, engine, governance, today
from tracker.ui.downloads import show_register_downloads
from tracker.ui.navigation import page_file

PAGE_SIZE = 50
RAG_FILTERS = {
    "red": "Red",
    "amber": "Amber",
    "green": "Green",
    "blue": "Blue",
    "not_rated": "Not rated",
}
ORDERS: dict[str, str] = {
    "reference": "Reference",
    "rag": "RAG, Red first",
    "overdue": "Most overdue first",
    "due": "Due date",
    "updated": "Least recently updated first",
}
ANY = "Any"
NOT_REPORTED = "not_reported"


def _impact_filters() -> dict[str, str]:
    """The impact ratings of governance.yaml's scale, and "not reported"."""
    return {
        **{r.key: r.label for r in governance().impact.ratings},
        NOT_REPORTED: "Not reported",
    }


def _state_id(key: str) -> int | None:
    value = st.session_state.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _state_code(key: str, codes: Collection[str]) -> str | None:
    value = st.session_state.get(key)
    return value if isinstance(value, str) and value in codes else None


def _wanted() -> tuple[ActionFilter, RegisterOrder]:
    """The filters and order as the widgets hold them (set in this rerun or earlier), read
    before the widgets are drawn so the page can load its data first."""
    search = st.session_state.get("reg.search")
    filters = ActionFilter(
        priority=_state_id("reg.priority"),
        workstream_id=_state_id("reg.workstream"),
        body_id=_state_id("reg.body"),
        owner_id=_state_id("reg.owner"),
        organisation_id=_state_id("reg.organisation"),
        rag=_state_code("reg.rag", RAG_FILTERS),
        impact=_state_code("reg.impact", _impact_filters()),
        status=_state_code("reg.status", STATUS_LABELS),
        overdue=bool(st.session_state.get("reg.overdue")),
        not_updated=bool(st.session_state.get("reg.not_updated")),
        search=search if isinstance(search, str) and search else None,
    )
    order = _state_code("reg.order", ORDERS) or "reference"
    return filters, order  # type: ignore[return-value]


def _pick(label: str, choices: list[Choice], key: str) -> None:
    options: list[int | None] = [None, *[c.id for c in choices]]
    labels = {c.id: c.label for c in choices}
    if st.session_state.get(key) not in options:
        st.session_state[key] = None  # a choice no longer offered: the search left it out
    st.selectbox(
        label, options, key=key, format_func=lambda i: ANY if i is None else labels.get(i, str(i))
    )


def _draw_filters(choices: Choices) -> None:
    with st.container(border=True):
        st.text_input(
            "Search reference, title or commentary", key="reg.search", placeholder="e.g. EHCP"
        )
        first = st.columns(4)
        with first[0]:
            _pick("Priority", choices.priorities, "reg.priority")
        with first[1]:
            _pick("Workstream", choices.workstreams, "reg.workstream")
        with first[2]:
            _pick("Overseen by", choices.bodies, "reg.body")
        with first[3]:
            _pick("Lead organisation", choices.organisations, "reg.organisation")
        second = st.columns(4)
        with second[0]:
            _pick("Owner", choices.owners, "reg.owner")
        with second[1]:
            st.selectbox(
                "RAG",
                [None, *RAG_FILTERS],
                key="reg.rag",
                format_func=lambda code: ANY if code is None else RAG_FILTERS[code],
            )
        with second[2]:
            st.selectbox(
                "Status",
                [None, *STATUS_LABELS],
                key="reg.status",
                format_func=lambda code: ANY if code is None else STATUS_LABELS[code],
            )
        with second[3]:
            st.selectbox("Order by", list(ORDERS), key="reg.order", format_func=lambda o: ORDERS[o])
        third = st.columns([1, 1, 2], vertical_alignment="bottom")
        with third[0]:
            impacts = _impact_filters()
            st.selectbox(
                "Latest impact",
                [None, *impacts],
                key="reg.impact",
                format_func=lambda code: ANY if code is None else impacts.get(code, code),
            )
        third[1].toggle("Overdue only", key="reg.overdue")
        third[2].toggle("Not updated this cycle only", key="reg.not_updated")


def _requested_page(filters: ActionFilter, order: str) -> int:
    """The page asked for, back to the first whenever the filters or the order change."""
    signature = (astuple(filters), order)
    if st.session_state.get("reg.signature") != signature:
        st.session_state["reg.signature"] = signature
        st.session_state["reg.page"] = 1
    return int(st.session_state.get("reg.page", 1))


def _show_pager(page: RegisterPage) -> None:
    if page.pages <= 1:
        return
    st.session_state["reg.page"] = page.offset // page.limit + 1
    st.number_input(
        f"Page (of {page.pages})", min_value=1, max_value=page.pages, step=1, key="reg.page"
    )


def _open_action(reference: str) -> None:
    st.switch_page(page_file("action"), query_params={"action": reference})


def _show_open_by_reference() -> None:
    with st.form("reg.open", border=False, enter_to_submit=True):
        columns = st.columns([3, 1], vertical_alignment="bottom")
        wanted = columns[0].text_input(
            "Open an action by reference", placeholder="P2.3", key="reg.open_reference"
        )
        if columns[1].form_submit_button("Open", icon=":material/open_in_new:") and wanted.strip():
            _open_action(wanted.strip().upper())


def _show_create(actor: Actor, choices: Choices) -> None:
    with st.expander("Add an action", icon=":material/add:"):
        created = action_admin.show_create_action(actor, choices)
        if created:
            _open_action(created)


def show_register(actor: Actor) -> None:
    st.title("Action register", anchor=False)
    action_admin.show_flash()
    filters, order = _wanted()
    requested = _requested_page(filters, order)
    screen = load_register_page(
        engine(),
        today=today(),
        filters=filters,
        order=order,
        offset=(requested - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
        default_cycle_days=cycle_days(),
    )
    if can(actor, Operation.MANAGE_ACTIONS):
        _show_create(actor, screen.choices)
    _draw_filters(screen.choices)
    page = screen.page
    shown_to = page.offset + len(page.rows)
    st.markdown(
        f"**{page.total} action{'s' if page.total != 1 else ''} match**"
        + (f"; showing {page.offset + 1} to {shown_to}." if page.total else ".")
    )
    if page.rows:
        picked = show_actions_table(page.rows, governance(), key="reg.table")
        st.caption("Select a row to open the action's page.")
        if picked:
            _open_action(picked)
    else:
        st.info("No action matches these filters.")
    _show_pager(page)
    _show_open_by_reference()
    show_register_downloads(screen.filters)


def main() -> None:
    actor = current_actor()
    reference = (st.query_params.get("action") or "").strip().upper()
    if reference:
        _open_action(reference)  # the address the action page had before it had its own
    show_register(actor)


main()

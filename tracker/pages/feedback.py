"""You said, we did: what families, children and young people said, and what the partnership did.

Entries are grouped by priority (an entry linked to two priorities is shown under each, one
linked to none at the end), each with who said it and when, what was done, the impact and its
status, and links to the actions it concerns. Filters narrow by status, priority or words.
Administrators, secretaries, workstream leads and forum representatives add entries (one at a
time or from a spreadsheet); an entry's owner, its author and administrators edit it. Every
piece of text a person typed is escaped before it is drawn.
"""

from __future__ import annotations

import streamlit as st

from tracker.formatting import format_date, plural
from tracker.permissions import Actor
from tracker.services.feedback import (
    STATUS_LABELS,
    FeedbackFilter,
    FeedbackRow,
    FeedbackScreen,
    load_feedback_page,
)
from tracker.ui import feedback_forms
from tracker.ui.components import escape_markdown
from tracker.ui.context import current_actor, engine, today
from tracker.ui.navigation import page_file

ANY = "Any"


def _filters() -> FeedbackFilter:
    with st.container(border=True):
        columns = st.columns([1, 1, 2])
        status = columns[0].selectbox(
            "Status",
            [None, *STATUS_LABELS],
            key="ysd.filter.status",
            format_func=lambda s: ANY if s is None else STATUS_LABELS[s],
        )
        priority = columns[1].selectbox(
            "Priority",
            [None, 1, 2, 3, 4, 5],
            key="ysd.filter.priority",
            format_func=lambda n: ANY if n is None else f"Priority {n}",
        )
        search = columns[2].text_input(
            "Search what was said or done", key="ysd.filter.search", placeholder="e.g. EHCP"
        )
    return FeedbackFilter(status=status, priority=priority, search=search or None)


def _counts_line(screen: FeedbackScreen) -> str:
    """ "10 entries: 2 open, 4 in progress, 3 done, 1 closed." (one line, also on a phone)."""
    parts = [f"{n} {STATUS_LABELS.get(status, status).lower()}" for status, n in screen.by_status]
    return f"**{plural(screen.total, 'entry', 'entries')}**: {', '.join(parts)}."


def _show_entry(actor: Actor, screen: FeedbackScreen, row: FeedbackRow, *, first: bool) -> None:
    """One entry; its edit form only where it is first listed (an entry linked to two
    priorities is shown under both, its form once)."""
    with st.container(border=True):
        heard = f", heard {format_date(row.heard_on)}" if row.heard_on else ""
        st.markdown(
            f"**{row.reference}** · :blue-badge[{escape_markdown(row.status_label)}] · "
            f"From {escape_markdown(row.source)}{escape_markdown(heard)}"
        )
        st.markdown(f"**You said:** {escape_markdown(row.said)}")
        st.markdown(f"**We did:** {escape_markdown(row.we_did or 'Nothing recorded yet.')}")
        if row.impact:
            st.markdown(f"**Impact:** {escape_markdown(row.impact)}")
        if row.owner:
            st.caption(f"Owner: {escape_markdown(row.owner)}")
        if row.actions:
            links = st.columns(min(len(row.actions), 4))
            for index, reference in enumerate(row.actions):
                with links[index % len(links)]:
                    st.page_link(
                        page_file("action"),
                        label=reference,
                        query_params={"action": reference},
                        icon=":material/article:",
                        help=f"Open {reference}",
                    )
        if first and row.reference in screen.editable:
            with st.expander(f"Edit {row.reference}", icon=":material/edit:"):
                if feedback_forms.show_edit_form(actor, screen, row):
                    st.rerun()


def main() -> None:
    actor = current_actor()
    st.title("You said, we did", anchor=False)
    st.caption(
        "What families, children and young people told the partnership through the Parent "
        "Carer Forum, POWAR, surveys and complaints, what was done about it, and the impact."
    )
    feedback_forms.show_flash()
    filters = _filters()
    screen = load_feedback_page(engine(), actor=actor, today=today(), filters=filters)
    if screen.may_add:
        with st.expander("Add an entry", icon=":material/add:"):
            if feedback_forms.show_add_form(actor, screen):
                st.rerun()
        with st.expander("Import entries from a spreadsheet", icon=":material/upload_file:"):
            if feedback_forms.show_import(actor):
                st.rerun()
    st.markdown(_counts_line(screen))
    if not screen.groups:
        st.info("No entry matches these filters.")
        return
    st.caption("Grouped by priority; an entry linked to two priorities is listed under both.")
    shown: set[str] = set()
    for group in screen.groups:
        st.subheader(group.title, anchor=False)
        for row in group.rows:
            _show_entry(actor, screen, row, first=row.reference not in shown)
            shown.add(row.reference)


main()

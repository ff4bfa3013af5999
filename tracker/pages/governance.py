"""Governance: the bodies and their reporting lines, each board's next meetings, the workstreams.

The diagram is drawn from governance.yaml (the file in force); the same reporting lines are
listed as a table for anyone who cannot read the picture. Meeting dates, paper deadlines and
update-window openings come from the meeting calendar ``tracker init`` materialised, and can be
downloaded as an iCalendar file to add to Outlook.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from tracker.db import session_scope
from tracker.governance import GovernanceConfig
from tracker.services.governance import BoardCalendar, list_board_calendars, list_workstream_leads
from tracker.ui.calendar_download import show_calendar_download
from tracker.ui.components import escape_markdown
from tracker.ui.context import engine, governance, today
from tracker.ui.widgets.diagram import TIER_LABELS, build_governance_dot, diagram_legend


def _reporting_lines(config: GovernanceConfig) -> pd.DataFrame:
    def name(ref: str | None) -> str:
        body = config.find_body(ref) if ref else None
        return body.name if body else ""

    return pd.DataFrame(
        {
            "Body": [b.name for b in config.bodies],
            "Tier": [TIER_LABELS.get(str(b.tier), str(b.tier)) for b in config.bodies],
            "Reports to": [name(b.reports_to) for b in config.bodies],
            "Also reports to": [
                ", ".join(name(other) for other in b.also_reports_to) for b in config.bodies
            ],
        }
    )


WHOLE = ""  # the "Centre on" choice drawing every body


def _show_structure(config: GovernanceConfig) -> None:
    st.subheader("Bodies and reporting lines", anchor=False)
    left, right = st.columns(2, vertical_alignment="bottom")
    names = {b.key: b.name for b in config.bodies}
    focus = right.selectbox(
        "Centre on",
        [WHOLE, *names],
        key="gov.focus",
        format_func=lambda k: "The whole structure" if k == WHOLE else names[k],
        help="One body with the bodies above it and those reporting to it: a diagram small "
        "enough to read on a phone. The diagram's full-screen button enlarges any view.",
    )
    with_workstreams = left.toggle("Show the workstreams on the diagram", key="gov.workstreams")
    centre = focus or None
    st.graphviz_chart(
        build_governance_dot(config, include_workstreams=with_workstreams, focus=centre),
        width="stretch",
        alt="Diagram of the partnership's governance bodies and who reports to whom"
        + (f", centred on the {names[focus]}" if centre else ""),
    )
    st.caption(" ".join(diagram_legend(config, include_workstreams=with_workstreams, focus=centre)))
    with st.expander("Reporting lines as a table"):
        st.dataframe(_reporting_lines(config), hide_index=True, width="stretch")


def _meetings_frame(boards: list[BoardCalendar]) -> pd.DataFrame:
    rows = [
        {
            "Board": board.body,
            "Meeting": meeting.meeting_date,
            "Paper deadline": meeting.paper_deadline,
            "Update window opens": meeting.window_opens,
        }
        for board in boards
        for meeting in board.meetings
    ]
    return pd.DataFrame(rows, columns=["Board", "Meeting", "Paper deadline", "Update window opens"])


def _officers(board: BoardCalendar) -> str:
    people = []
    if board.chair:
        people.append(f"chair {escape_markdown(board.chair)}")
    if board.secretary:
        people.append(f"secretary {escape_markdown(board.secretary)}")
    return f"**{escape_markdown(board.body)}**: " + ("; ".join(people) or "no officers named")


def _show_meetings() -> None:
    st.subheader("Next meetings", anchor=False)
    with session_scope(engine()) as session:
        boards = list_board_calendars(session, today=today(), per_board=3)
    if not boards:
        st.info("No meetings are scheduled. Add calendars to the boards in governance.yaml.")
        return
    st.caption(
        "Owners are asked to update their actions when the window opens; "
        "the paper is due at the deadline."
    )
    day = st.column_config.DateColumn(format="ddd D MMM YYYY")
    st.dataframe(
        _meetings_frame(boards),
        hide_index=True,
        width="stretch",
        column_config={
            "Meeting": day,
            "Paper deadline": day,
            "Update window opens": day,
        },
    )
    st.markdown("  \n".join(_officers(board) for board in boards))
    show_calendar_download()


def _show_workstreams() -> None:
    st.subheader("Workstreams and leads", anchor=False)
    with session_scope(engine()) as session:
        workstreams = list_workstream_leads(session)
    if not workstreams:
        st.info("No workstreams are defined in governance.yaml.")
        return
    frame = pd.DataFrame(
        {
            "Workstream": [w.name for w in workstreams],
            "Lead": [w.lead or "Not assigned" for w in workstreams],
            "Lead's role": [w.lead_role or "" for w in workstreams],
            "E-mail": [w.lead_email or "" for w in workstreams],
            "Reports to": [w.reports_to or "" for w in workstreams],
            "Open actions": [w.open_actions for w in workstreams],
        }
    )
    st.dataframe(frame, hide_index=True, width="stretch")


def main() -> None:
    config = governance()
    st.title("Governance", anchor=False)
    st.caption(escape_markdown(config.partnership.name))
    _show_structure(config)
    _show_meetings()
    _show_workstreams()


main()

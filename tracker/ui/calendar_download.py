"""The meeting calendar as an ``.ics`` download, for the Governance page.

One button gives every coming meeting, paper deadline and update window as an iCalendar file
that Outlook imports (event ids are stable, so importing a newer file updates the events
rather than duplicating them). The file is built from the same ``meeting`` table the reminders
are counted from, so the calendar and the e-mails always agree.
"""

from __future__ import annotations

import streamlit as st

from tracker.db import session_scope
from tracker.services.governance import list_coming_meetings, render_calendar_file
from tracker.ui.context import engine, governance, today


def show_calendar_download() -> None:
    """A download button for the coming meetings as ``meetings.ics``."""
    with session_scope(engine()) as session:
        meetings = list_coming_meetings(session, since=today())
    if not meetings:
        st.caption("No coming meetings to download.")
        return
    data = render_calendar_file(meetings, partnership=governance().partnership.name)
    st.download_button(
        "Download the meeting calendar (.ics)",
        data=data,
        file_name="send-meetings.ics",
        mime="text/calendar",
        icon=":material/calendar_month:",
        help=(
            f"{len(meetings)} meetings with their paper deadlines and update windows, "
            "for Outlook or any calendar"
        ),
        key="governance.calendar_download",
    )

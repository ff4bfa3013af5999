"""Each board's next meetings and the workstreams with their leads."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine
from sqlmodel import select

from tracker.db import session_scope
from tracker.models import Meeting
from tracker.services.governance import list_board_calendars, list_workstream_leads

TODAY = date(2026, 10, 1)


def test_next_meetings_of_each_board(engine: Engine) -> None:
    with session_scope(engine) as session:
        boards = list_board_calendars(session, today=TODAY, per_board=3)
    assert [b.body for b in boards] == [
        "SEND Improvement Board",
        "SEND Transformation Board",
        "SEND Operations Board",
    ]
    for board in boards:
        assert len(board.meetings) == 3
        for meeting in board.meetings:
            assert meeting.meeting_date >= TODAY
            assert meeting.window_opens < meeting.paper_deadline < meeting.meeting_date
    assert boards[0].chair == "Executive Director of Education and Children's Services"
    assert boards[0].secretary == "SEND Improvement Board Secretary"


def test_cancelled_meetings_are_left_out(engine: Engine) -> None:
    with session_scope(engine) as session:
        first = list_board_calendars(session, today=TODAY)[0].meetings[0].meeting_date
    with session_scope(engine, write=True) as session:
        for meeting in session.exec(select(Meeting).where(Meeting.meeting_date == first)).all():
            meeting.cancelled = True
            session.add(meeting)
    with session_scope(engine) as session:
        assert first not in [
            m.meeting_date for m in list_board_calendars(session, today=TODAY)[0].meetings
        ]


def test_workstreams_with_leads_and_open_actions(engine: Engine) -> None:
    with session_scope(engine) as session:
        workstreams = list_workstream_leads(session)
    assert len(workstreams) == 6
    ehcp = next(w for w in workstreams if w.name == "EHCP Improvement")
    assert (ehcp.lead, ehcp.lead_email) == ("Head of SEND Service", "head.of.send@example.org")
    assert ehcp.reports_to == "SEND Transformation Board"
    assert sum(w.open_actions for w in workstreams) <= 42

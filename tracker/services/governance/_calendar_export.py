"""The meeting calendar as people take it away: a list of coming cycles, and an ``.ics`` file.

Reads the ``meeting`` table that ``tracker init`` materialises from governance.yaml (cancelled
meetings left out), so the calendar shows exactly the dates the reminders are counted from.
``tracker calendar`` prints the list (or JSON) and writes the file; the Governance page offers
the same file for download, to import into Outlook.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlmodel import Session, col

from tracker.calendar import CycleDates, render_ics
from tracker.errors import NotFound
from tracker.models import GovernanceBody, Meeting


class UnknownBoard(NotFound):
    """A board name that matches no body with meetings."""


@dataclass(frozen=True)
class ComingMeeting:
    board_key: str
    board: str
    short_name: str | None
    meeting: date
    paper_deadline: date
    window_opens: date

    def as_json(self) -> dict[str, str | None]:
        return {
            "board": self.board,
            "board_key": self.board_key,
            "short_name": self.short_name,
            "meeting": self.meeting.isoformat(),
            "paper_deadline": self.paper_deadline.isoformat(),
            "window_opens": self.window_opens.isoformat(),
        }

    def as_cycle(self) -> CycleDates:
        return CycleDates(
            board=self.board,
            meeting=self.meeting,
            paper_deadline=self.paper_deadline,
            window_opens=self.window_opens,
        )


def _match_board(session: Session, board: str) -> int:
    boards = session.execute(
        select(
            col(GovernanceBody.id),
            col(GovernanceBody.key),
            col(GovernanceBody.name),
            col(GovernanceBody.short_name),
        ).where(col(GovernanceBody.id).in_(select(col(Meeting.body_id)).distinct()))
    ).all()
    wanted = board.strip().casefold()
    for body_id, key, name, short_name in boards:
        if wanted in {n.casefold() for n in (key, name, short_name) if n}:
            return int(body_id)
    known = ", ".join(sorted(short or name for _, _, name, short in boards)) or "none"
    raise UnknownBoard(f"no board with meetings is called {board!r}; boards: {known}")


def list_coming_meetings(
    session: Session, *, since: date, board: str | None = None
) -> list[ComingMeeting]:
    """Meetings on or after ``since`` (not cancelled), by date; ``board`` by key or name."""
    query = (
        select(
            col(GovernanceBody.key),
            col(GovernanceBody.name),
            col(GovernanceBody.short_name),
            col(Meeting.meeting_date),
            col(Meeting.paper_deadline),
            col(Meeting.window_opens),
        )
        .join(GovernanceBody, col(GovernanceBody.id) == col(Meeting.body_id))
        .where(
            col(Meeting.meeting_date) >= since,
            col(Meeting.cancelled).is_(False),
            col(GovernanceBody.active).is_(True),
        )
        .order_by(col(Meeting.meeting_date), col(GovernanceBody.sort_order))
    )
    if board is not None:
        query = query.where(col(Meeting.body_id) == _match_board(session, board))
    return [
        ComingMeeting(
            board_key=key,
            board=name,
            short_name=short_name,
            meeting=meeting,
            paper_deadline=deadline or meeting,
            window_opens=opens or deadline or meeting,
        )
        for key, name, short_name, meeting, deadline, opens in session.execute(query).all()
    ]


def render_calendar_file(
    meetings: list[ComingMeeting], *, partnership: str, stamp: datetime | None = None
) -> bytes:
    """The meetings, paper deadlines and update windows as an iCalendar file for Outlook."""
    return render_ics(
        [m.as_cycle() for m in meetings],
        calendar_name=f"{partnership} meetings",
        stamp=stamp,
    )

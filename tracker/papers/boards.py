"""The boards that have papers, their meetings, and turning what a person typed into one of each.

A body has papers when governance.yaml gives it a ``paper:`` section. A board is found by its
key, name or short name, ignoring case, as ``GovernanceConfig.find_body`` finds bodies; its
meetings come from the ``meeting`` table that ``tracker init`` fills from the calendar
(cancelled meetings left out). Mistakes are reported with what would have been right: the boards
that have papers, or the nearest meetings before and after the date given.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from tracker.errors import InvalidInput
from tracker.governance import BodyConfig, GovernanceConfig, PaperConfig
from tracker.models import GovernanceBody, Meeting, Person
from tracker.papers.text import format_long_date


class PaperError(InvalidInput):
    """A paper cannot be gathered or generated; the message says what is wrong."""


class UnknownBoard(PaperError):
    """No board with papers answers to the name given."""

    def __init__(self, ref: str, boards: list[str], *, reason: str | None = None) -> None:
        self.ref = ref
        self.boards = boards
        listed = "; ".join(boards) if boards else "none (no body has a paper: section)"
        why = reason or f"no board called {ref.strip()!r} has papers"
        super().__init__(f"{why}. Boards with papers: {listed}")


class NotAMeeting(PaperError):
    """The date given is not a meeting of the board."""

    def __init__(self, board: str, day: date, before: date | None, after: date | None) -> None:
        self.board = board
        self.day = day
        self.before = before
        self.after = after
        nearest = [
            f"{d.isoformat()} ({format_long_date(d)}) {where}"
            for d, where in ((before, "before it"), (after, "after it"))
            if d is not None
        ]
        hint = f"; the nearest meetings are {' and '.join(nearest)}" if nearest else ""
        if len(nearest) == 1:
            hint = f"; the nearest meeting is {nearest[0]}"
        super().__init__(f"{day.isoformat()} is not a meeting of the {board}{hint}")


class NoMeetingAhead(PaperError):
    """The board has no meeting on or after the day, so none can be the default."""


@dataclass(frozen=True, slots=True)
class PaperBoard:
    """A body that has papers, with what its governance.yaml ``paper:`` section says."""

    body_id: int
    key: str
    name: str
    short_name: str | None
    reports_to_id: int | None
    chair: str | None
    config: PaperConfig

    @property
    def label(self) -> str:
        """``SEND Improvement Board (SIB)``, as lists and messages name it."""
        return f"{self.name} ({self.short_name})" if self.short_name else self.name


@dataclass(frozen=True, slots=True)
class BoardMeeting:
    meeting_date: date
    paper_deadline: date
    window_opens: date | None


def _board(row: GovernanceBody, chair: str | None, body: BodyConfig) -> PaperBoard:
    assert row.id is not None and body.paper is not None
    return PaperBoard(
        body_id=row.id,
        key=row.key,
        name=row.name,
        short_name=row.short_name,
        reports_to_id=row.reports_to_id,
        chair=chair,
        config=body.paper,
    )


def list_paper_boards(session: Session, *, governance: GovernanceConfig) -> list[PaperBoard]:
    """Every active body with a ``paper:`` section, in the order governance.yaml lists them."""
    rows = session.exec(
        select(GovernanceBody, Person.name)
        .outerjoin(Person, col(Person.id) == col(GovernanceBody.chair_id))
        .where(col(GovernanceBody.active))
    ).all()
    by_key = {row.key: (row, chair) for row, chair in rows}
    boards = []
    for body in governance.bodies:
        if body.paper is not None and body.key in by_key:
            row, chair = by_key[body.key]
            boards.append(_board(row, chair, body))
    return boards


def find_paper_board(session: Session, *, governance: GovernanceConfig, ref: str) -> PaperBoard:
    """The board ``ref`` names (key, name or short name, any case); UnknownBoard if none."""
    boards = list_paper_boards(session, governance=governance)
    labels = [board.label for board in boards]
    body = governance.find_body(ref) if ref.strip() else None
    if body is None:
        raise UnknownBoard(ref, labels)
    for board in boards:
        if board.key == body.key:
            return board
    raise UnknownBoard(ref, labels, reason=f"{body.name} has no paper: section in governance.yaml")


def list_board_meetings(session: Session, *, body_id: int) -> list[BoardMeeting]:
    """The board's meetings, earliest first, each with its paper deadline."""
    rows = session.exec(
        select(Meeting)
        .where(Meeting.body_id == body_id, col(Meeting.cancelled).is_(False))
        .order_by(col(Meeting.meeting_date))
    ).all()
    return [
        # A meeting without a deadline (no working days configured) is reported as at the day.
        BoardMeeting(m.meeting_date, m.paper_deadline or m.meeting_date, m.window_opens)
        for m in rows
    ]


def next_meeting_on_or_after(meetings: list[BoardMeeting], day: date) -> BoardMeeting | None:
    dates = [m.meeting_date for m in meetings]
    index = bisect.bisect_left(dates, day)
    return meetings[index] if index < len(meetings) else None


def choose_meeting(
    board: PaperBoard, meetings: list[BoardMeeting], *, meeting_date: date | None, today: date
) -> BoardMeeting:
    """The meeting asked for, or by default the board's next meeting on or after ``today``."""
    if meeting_date is None:
        upcoming = next_meeting_on_or_after(meetings, today)
        if upcoming is None:
            last = (
                f"; its last meeting was {meetings[-1].meeting_date.isoformat()}"
                if meetings
                else ""
            )
            raise NoMeetingAhead(
                f"the {board.name} has no meeting on or after {today.isoformat()}{last}: "
                "name the meeting date"
            )
        return upcoming
    dates = [m.meeting_date for m in meetings]
    index = bisect.bisect_left(dates, meeting_date)
    if index < len(dates) and dates[index] == meeting_date:
        return meetings[index]
    before = dates[index - 1] if index > 0 else None
    after = dates[index] if index < len(dates) else None
    raise NotAMeeting(board.name, meeting_date, before, after)


def neighbours(
    meetings: list[BoardMeeting], meeting: BoardMeeting
) -> tuple[BoardMeeting | None, BoardMeeting | None]:
    """The meetings just before and just after ``meeting``."""
    dates = [m.meeting_date for m in meetings]
    index = bisect.bisect_left(dates, meeting.meeting_date)
    previous = meetings[index - 1] if index > 0 else None
    upcoming_index = (
        index + 1 if index < len(dates) and dates[index] == meeting.meeting_date else index
    )
    upcoming = meetings[upcoming_index] if upcoming_index < len(meetings) else None
    return previous, upcoming

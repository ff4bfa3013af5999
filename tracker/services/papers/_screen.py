"""The Board papers screen's view model: boards, the chosen meeting, stored papers, in one session.

``load_papers_page`` reads the boards that have papers, which of them the person runs, the
chosen board's meetings (the one asked for, else the next on or after today, else the last),
whether the person may generate its paper, its stored papers, and the fingerprint of the
paper's inputs the preview is cached by.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine

from tracker.db import session_scope
from tracker.governance import GovernanceConfig
from tracker.papers.boards import (
    BoardMeeting,
    PaperBoard,
    list_board_meetings,
    next_meeting_on_or_after,
)
from tracker.permissions import Actor, Operation, require
from tracker.services.papers._store import (
    StoredPaperInfo,
    list_boards,
    list_own_boards,
    list_papers,
    may_generate,
    read_inputs_version,
)


@dataclass(frozen=True)
class PapersPage:
    boards: tuple[PaperBoard, ...]
    own: tuple[str, ...]  # keys of the boards this person is secretary or chair of
    board: PaperBoard | None  # None: no body has a paper
    meetings: tuple[BoardMeeting, ...]  # the board's, earliest first
    meeting: BoardMeeting | None  # None: the board has no meetings
    may_generate: bool
    papers: tuple[StoredPaperInfo, ...]  # the board's stored papers, newest first
    inputs_version: tuple[int, ...]

    @property
    def default_board(self) -> str | None:
        """The board offered first: the first the person runs, else the first board."""
        if self.own:
            return self.own[0]
        return self.boards[0].key if self.boards else None


def _pick_meeting(
    meetings: list[BoardMeeting], wanted: date | None, today: date
) -> BoardMeeting | None:
    chosen = next((m for m in meetings if m.meeting_date == wanted), None)
    if chosen is None:
        chosen = next_meeting_on_or_after(meetings, today)
    if chosen is None and meetings:
        chosen = meetings[-1]
    return chosen


def load_papers_page(
    engine: Engine,
    *,
    actor: Actor,
    governance: GovernanceConfig,
    today: date,
    board_key: str | None = None,
    meeting_dates: Mapping[str, date] | None = None,
) -> PapersPage:
    """Everything the Board papers screen shows but the preview, for the board ``board_key``
    (else the person's own first board) and its meeting chosen in ``meeting_dates``."""
    require(actor, Operation.VIEW_PAPERS)
    with session_scope(engine) as session:
        boards = list_boards(session, governance=governance)
        own = list_own_boards(session, actor=actor, boards=boards)
        by_key = {board.key: board for board in boards}
        key = board_key if board_key in by_key else (own[0] if own else None)
        board = by_key.get(key or "") or (boards[0] if boards else None)
        meetings: list[BoardMeeting] = []
        meeting = None
        papers: list[StoredPaperInfo] = []
        allowed = False
        if board is not None:
            meetings = list_board_meetings(session, body_id=board.body_id)
            meeting = _pick_meeting(meetings, (meeting_dates or {}).get(board.key), today)
            allowed = may_generate(session, actor=actor, board=board)
            papers = list_papers(session, actor=actor, board_key=board.key)
        version = read_inputs_version(session)
    return PapersPage(
        boards=tuple(boards),
        own=tuple(own),
        board=board,
        meetings=tuple(meetings),
        meeting=meeting,
        may_generate=allowed,
        papers=tuple(papers),
        inputs_version=version,
    )

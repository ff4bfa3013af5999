"""Board papers (secretaries and administrators generate; executives view and download).

Choose the board and the meeting (by default the board's next meeting on or after today), see a
preview of what the paper will say (counts, movement since the last paper, the exceptions and
the escalations, the summary and recommendations as written), generate it with one click, and
download it or any earlier version. Every figure comes from the same gathered paper the Word
document is rendered from, so the preview and the paper cannot disagree. The choices are read
from this session's state first, so one service call (``load_papers_page``) reads the boards,
the meeting, the permission and the stored papers together before the page is drawn.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import streamlit as st
from sqlalchemy import Engine

from tracker.db import session_scope
from tracker.papers.boards import BoardMeeting, PaperBoard, PaperError
from tracker.papers.pdf import PDF_MEDIA_TYPE, LibreOfficeConverter
from tracker.permissions import Actor, Operation, can
from tracker.services.papers import (
    MEDIA_TYPE,
    PapersPage,
    StoredPaperInfo,
    generate_paper,
    get_paper_pdf,
    load_papers_page,
    pdf_filename,
)
from tracker.services.plans import download_paper
from tracker.ui.components import escape_markdown, format_day, format_moment
from tracker.ui.context import current_actor, engine, governance, settings, today
from tracker.ui.errors import showing_errors
from tracker.ui.paper_preview import load_preview, show_preview

FLASH_KEY = "papers.flash"
BOARD_OWNER_KEY = "papers.board_chosen_for"
BOARD_KEY = "papers.board"
MEETING_PREFIX = "papers.meeting."


def _now() -> datetime:
    """Now on the app's day (``today()`` may be pinned for a demonstration)."""
    zone = ZoneInfo(governance().partnership.timezone)
    clock = datetime.now(zone).time() if today() == datetime.now(zone).date() else time(12)
    return datetime.combine(today(), clock, tzinfo=zone)


def _meeting_label(meetings: dict[date, BoardMeeting]) -> Callable[[date], str]:
    def label(day: date) -> str:
        deadline = meetings[day].paper_deadline
        return f"{day:%A} {format_day(day)} (paper deadline {format_day(deadline)})"

    return label


def _draw_choices(screen: PapersPage) -> None:
    """The board and meeting pickers, drawn from the view model (which already applied them)."""
    by_key = {board.key: board for board in screen.boards}
    keys = list(by_key)
    left, right = st.columns(2)
    default = screen.default_board
    left.selectbox(
        "Board",
        keys,
        index=keys.index(default) if default in keys else 0,
        format_func=lambda k: by_key[k].label,
        key=BOARD_KEY,
    )
    board, meeting = screen.board, screen.meeting
    if board is None or meeting is None:
        return
    meetings = {m.meeting_date: m for m in screen.meetings}
    dates = list(meetings)
    right.selectbox(
        "Meeting",
        dates,
        index=dates.index(meeting.meeting_date),
        format_func=_meeting_label(meetings),
        key=f"{MEETING_PREFIX}{board.key}",
    )


def _chosen_meetings() -> dict[str, date]:
    """The meeting chosen for each board so far in this session, by board key."""
    return {
        str(key).removeprefix(MEETING_PREFIX): value
        for key, value in st.session_state.items()
        if str(key).startswith(MEETING_PREFIX) and isinstance(value, date)
    }


def _deferred_download(bound: Engine, actor: Actor, paper_id: int) -> Callable[[], bytes]:
    """The file, read only when the button is pressed (on a thread with no session state)."""

    def read() -> bytes:
        # The person is read again now: someone deactivated since the page was drawn is refused.
        with session_scope(bound, write=True) as session:
            return download_paper(session, person_id=actor.person_id, paper_id=paper_id).content

    return read


def _deferred_pdf(bound: Engine, actor: Actor, paper_id: int) -> Callable[[], bytes]:
    """The tagged PDF, made through LibreOffice (and stored) when the button is pressed."""

    def read() -> bytes:
        with session_scope(bound, write=True) as session:
            return get_paper_pdf(
                session, actor=actor, paper_id=paper_id, converter=LibreOfficeConverter()
            ).content

    return read


def _show_versions(actor: Actor, screen: PapersPage, meeting: BoardMeeting) -> None:
    papers = list(screen.papers)
    this_meeting = [p for p in papers if p.meeting_date == meeting.meeting_date]
    earlier = [p for p in papers if p.meeting_date != meeting.meeting_date]
    st.subheader("Stored papers")
    if not this_meeting:
        st.caption("No paper has been generated for this meeting yet.")
    for info in this_meeting:
        _show_version(actor, info, latest=info is this_meeting[0])
    if earlier:
        with st.expander(f"Papers for other meetings of the board ({len(earlier)})"):
            for info in earlier:
                _show_version(actor, info, latest=False)


def _show_version(actor: Actor, info: StoredPaperInfo, *, latest: bool) -> None:
    text, button, pdf = st.columns([3, 1, 1])
    text.markdown(
        f"**{format_day(info.meeting_date)}, version {info.version}**"
        f"{' (latest)' if latest else ''}  \n"
        f"Generated {format_moment(info.generated_at)} by "
        f"{escape_markdown(info.generated_by)}; {info.size_bytes / 1024:,.0f} KB; "
        f"SHA-256 {info.checksum[:16]}…"
    )
    button.download_button(
        "Download",
        data=_deferred_download(engine(), actor, info.id),
        file_name=info.filename,
        mime=MEDIA_TYPE,
        on_click="ignore",
        icon=":material/download:",
        key=f"papers.download.{info.id}",
    )
    pdf.download_button(
        "PDF",
        data=_deferred_pdf(engine(), actor, info.id),
        file_name=pdf_filename(info.filename),
        mime=PDF_MEDIA_TYPE,
        on_click="ignore",
        icon=":material/picture_as_pdf:",
        key=f"papers.pdf.{info.id}",
        help="A tagged PDF for publication, made from this Word paper",
    )


def _generate(actor: Actor, board: PaperBoard, meeting: BoardMeeting) -> None:
    with showing_errors() as outcome, session_scope(engine(), write=True) as session:
        info = generate_paper(
            session,
            actor=actor,
            governance=governance(),
            governance_file=settings().governance_file,
            board_ref=board.key,
            meeting_date=meeting.meeting_date,
            now=_now(),
        )
    if outcome.failed:
        return
    when = f"{meeting.meeting_date.day} {meeting.meeting_date:%B %Y}"
    st.session_state[FLASH_KEY] = (
        f"Version {info.version} of the {board.name} paper for {when} is ready to download."
    )
    st.rerun()


def _show_generate(
    actor: Actor, board: PaperBoard, meeting: BoardMeeting, *, allowed: bool
) -> None:
    """The Generate button, for the board's secretary or chair and for administrators."""
    if not can(actor, Operation.GENERATE_PAPER):
        return
    if not allowed:
        st.caption(
            f"Only the {escape_markdown(board.name)}'s secretary or chair, or an administrator, "
            "can generate its papers; you can view and download them here."
        )
        return
    if st.button(
        "Generate the paper", type="primary", icon=":material/description:", key="papers.generate"
    ):
        _generate(actor, board, meeting)


def main() -> None:
    st.title("Board papers")
    actor = current_actor()
    if not can(actor, Operation.VIEW_PAPERS):
        st.error("Board papers are for secretaries, executives and administrators.")
        return
    if st.session_state.get(BOARD_OWNER_KEY) != actor.person_id:
        # Another person's choice (developer mode switches person) never stands for theirs.
        st.session_state.pop(BOARD_KEY, None)
        st.session_state[BOARD_OWNER_KEY] = actor.person_id
    wanted = st.session_state.get(BOARD_KEY)
    screen = load_papers_page(
        engine(),
        actor=actor,
        governance=governance(),
        today=today(),
        board_key=wanted if isinstance(wanted, str) else None,
        meeting_dates=_chosen_meetings(),
    )
    if screen.board is None:
        st.info("No body has a paper: section in governance.yaml, so there are no papers.")
        return
    _draw_choices(screen)
    board, meeting = screen.board, screen.meeting
    if meeting is None:
        st.info(f"The {escape_markdown(board.name)} has no meetings in governance.yaml.")
        return
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(escape_markdown(message))
    _show_generate(actor, board, meeting, allowed=screen.may_generate)
    _show_versions(actor, screen, meeting)
    try:
        preview = load_preview(
            actor,
            board.key,
            meeting.meeting_date,
            _now(),
            inputs_version=screen.inputs_version,
        )
    except PaperError as exc:
        st.error(escape_markdown(str(exc)))
        return
    show_preview(preview)


main()

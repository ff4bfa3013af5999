"""Board papers (secretaries and administrators generate; executives view and download).

Choose the board and the meeting (by default the board's next meeting on or after today), see a
preview of what the paper will say (counts, movement since the last paper, the exceptions and
the escalations, the summary and recommendations as written), generate it with one click, and
download it or any earlier version. Every figure comes from the same gathered paper the Word
document is rendered from, so the preview and the paper cannot disagree.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from tracker.db import session_scope
from tracker.papers.boards import (
    BoardMeeting,
    PaperBoard,
    PaperError,
    list_board_meetings,
    next_meeting_on_or_after,
)
from tracker.papers.model import BoardPaper
from tracker.permissions import Actor, Operation, PermissionDenied, can
from tracker.rules import status_label
from tracker.services.papers import (
    MEDIA_TYPE,
    StoredPaperInfo,
    generate_paper,
    get_paper_file,
    list_boards,
    list_papers,
    preview_paper,
    read_inputs_version,
)
from tracker.ui.components import escape_markdown, format_day, rag_label_from_config, style_rag
from tracker.ui.context import current_actor, engine, governance, settings, today
from tracker.ui.navigation import page_file

FLASH_KEY = "papers.flash"
PREVIEW_TTL_SECONDS = 600


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


def _choose(boards: list[PaperBoard]) -> tuple[PaperBoard, BoardMeeting] | None:
    by_key = {board.key: board for board in boards}
    left, right = st.columns(2)
    key = left.selectbox(
        "Board", list(by_key), format_func=lambda k: by_key[k].label, key="papers.board"
    )
    board = by_key[key]
    with session_scope(engine()) as session:
        meetings = {m.meeting_date: m for m in list_board_meetings(session, body_id=board.body_id)}
    if not meetings:
        st.info(f"The {escape_markdown(board.name)} has no meetings in governance.yaml.")
        return None
    dates = list(meetings)
    default = next_meeting_on_or_after(list(meetings.values()), today())
    index = dates.index(default.meeting_date) if default else len(dates) - 1
    day = right.selectbox(
        "Meeting",
        dates,
        index=index,
        format_func=_meeting_label(meetings),
        key=f"papers.meeting.{board.key}",
    )
    return board, meetings[day]


def _show_counts(paper: BoardPaper) -> None:
    totals: dict[str, int] = {}
    for row in paper.summary_rows:
        for code, count in row.counts:
            totals[code] = totals.get(code, 0) + count
    counted = sum(row.total for row in paper.summary_rows)
    on_track = totals.get("green", 0) + totals.get("blue", 0)
    columns = st.columns(5)
    columns[0].metric("Actions", counted, help="In the paper's scope, withdrawn ones left out.")
    columns[1].metric(
        "On track or complete",
        f"{round(100 * on_track / counted)}%" if counted else "–",
        help="Rated Green or Blue at the paper deadline.",
    )
    columns[2].metric("Amber", totals.get("amber", 0))
    columns[3].metric("Red", totals.get("red", 0))
    columns[4].metric("Overdue", len(paper.overdue), help="At the paper deadline.")
    movement = paper.movement
    columns = st.columns(5)
    columns[0].metric("Improved", len(movement.improved))
    columns[1].metric("Deteriorated", len(movement.deteriorated))
    columns[2].metric("Newly Red", len(movement.new_reds))
    columns[3].metric("Due date moved later", len(movement.slipped))
    columns[4].metric("Completed", len(movement.completed))


def _show_tables(paper: BoardPaper) -> None:
    config = governance()
    if paper.summary_rows:
        codes = [entry.code for entry in paper.rag_key] + ["not_rated"]
        frame = pd.DataFrame(
            {
                "Priority" if paper.level == "strategic" else "Workstream": [
                    row.group for row in paper.summary_rows
                ],
                **{
                    rag_label_from_config(config, None if code == "not_rated" else code): [
                        row.count(code) for row in paper.summary_rows
                    ]
                    for code in codes
                },
                "Total": [row.total for row in paper.summary_rows],
                "Overdue": [row.overdue for row in paper.summary_rows],
                "Direction of travel": [
                    (row.direction_of_travel or "not known").capitalize()
                    for row in paper.summary_rows
                ],
            }
        )
        st.dataframe(frame, hide_index=True, width="stretch", key="papers.summary")
    st.markdown(f"**Exceptions** ({len(paper.exceptions)})")
    if paper.exceptions:
        exceptions = pd.DataFrame(
            {
                "Ref": [line.reference for line in paper.exceptions],
                "RAG": [rag_label_from_config(config, line.rag) for line in paper.exceptions],
                "Action": [line.title for line in paper.exceptions],
                "Owner": [line.owner for line in paper.exceptions],
                "Status": [status_label(line.status) for line in paper.exceptions],
                "Days overdue": [line.days_overdue for line in paper.exceptions],
            }
        )
        st.dataframe(
            style_rag(exceptions, config), hide_index=True, width="stretch", key="papers.exc"
        )
    else:
        st.caption("None.")
    st.markdown(f"**Escalations to this board** ({len(paper.escalations)})")
    if paper.escalations:
        st.caption("Close an escalation with the board's decision on the action's Escalation tab.")
    for line in paper.escalations:
        raised = format_day(line.raised_on)
        st.page_link(
            page_file("register"),
            label=f"{line.reference} from the {line.from_body}, raised {raised}",
            query_params={"action": line.reference},
            icon=":material/arrow_upward:",
        )
        st.text(line.reason)


@st.cache_data(ttl=PREVIEW_TTL_SECONDS, max_entries=32, show_spinner="Gathering the paper…")
def _preview(
    database_url: str,
    board_key: str,
    meeting_date: date,
    day: date,
    version: tuple[int, ...],
    _actor: Actor,
    _now: datetime,
) -> BoardPaper:
    """The paper as it would be generated now, without its register (the preview does not show
    it). Kept per board, meeting, day and version of the data: everyone allowed here sees the
    same paper, and any change to what it is gathered from changes ``version``."""
    with session_scope(engine()) as session:
        gathered = preview_paper(
            session,
            actor=_actor,
            governance=governance(),
            board_ref=board_key,
            meeting_date=meeting_date,
            now=_now,
        )
    return dataclasses.replace(gathered.paper, actions=())


def _show_preview(paper: BoardPaper) -> None:
    st.subheader("Preview")
    st.caption(
        f"As the paper stands if generated now: information as at the paper deadline, "
        f"{format_day(paper.paper_deadline)}."
    )
    _show_counts(paper)
    with st.expander("Executive summary and recommendations", expanded=False):
        for paragraph in paper.executive_summary:
            st.text(paragraph)
        st.markdown("**The Board is asked to:**")
        for number, item in enumerate(paper.recommendations, start=1):
            st.text(f"{number}. {item}")
    _show_tables(paper)


def _deferred_download(bound: Engine, actor: Actor, paper_id: int) -> Callable[[], bytes]:
    """The file, read only when the button is pressed (on a thread with no session state)."""

    def read() -> bytes:
        with session_scope(bound) as session:
            return get_paper_file(session, actor=actor, paper_id=paper_id).content

    return read


def _show_versions(actor: Actor, board: PaperBoard, meeting: BoardMeeting) -> None:
    with session_scope(engine()) as session:
        papers = list_papers(session, actor=actor, board_key=board.key)
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
    text, button = st.columns([3, 1])
    text.markdown(
        f"**{format_day(info.meeting_date)}, version {info.version}**"
        f"{' (latest)' if latest else ''}  \n"
        f"Generated {format_day(info.generated_at)} {info.generated_at:%H:%M} UTC by "
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


def _generate(actor: Actor, board: PaperBoard, meeting: BoardMeeting) -> None:
    try:
        with session_scope(engine(), write=True) as session:
            info = generate_paper(
                session,
                actor=actor,
                governance=governance(),
                governance_file=settings().governance_file,
                board_ref=board.key,
                meeting_date=meeting.meeting_date,
                now=_now(),
            )
    except (PaperError, PermissionDenied) as exc:
        st.error(escape_markdown(str(exc)))
        return
    st.session_state[FLASH_KEY] = f"Version {info.version} of {info.filename} is ready below."
    st.rerun()


def main() -> None:
    st.title("Board papers")
    actor = current_actor()
    if not can(actor, Operation.VIEW_PAPERS):
        st.error("Board papers are for secretaries, executives and administrators.")
        return
    with session_scope(engine()) as session:
        boards = list_boards(session, governance=governance())
    if not boards:
        st.info("No body has a paper: section in governance.yaml, so there are no papers.")
        return
    chosen = _choose(boards)
    if chosen is None:
        return
    board, meeting = chosen
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(escape_markdown(message))
    if can(actor, Operation.GENERATE_PAPER) and st.button(
        "Generate the paper", type="primary", icon=":material/description:", key="papers.generate"
    ):
        _generate(actor, board, meeting)
    _show_versions(actor, board, meeting)
    now = _now()
    try:
        with session_scope(engine()) as session:
            version = read_inputs_version(session)
        paper = _preview(
            settings().database_url,
            board.key,
            meeting.meeting_date,
            now.date(),
            (*version, hash(governance().model_dump_json())),
            actor,
            now,
        )
    except PaperError as exc:
        st.error(escape_markdown(str(exc)))
        return
    _show_preview(paper)


main()

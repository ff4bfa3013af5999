"""The Board papers page's preview: what the paper will say, as figures and short tables.

Gathering a paper reads the whole register and its history (a second or two at 10,000 actions),
so the preview is kept with ``st.cache_data`` per board, meeting, day and *version* of the data
(``read_inputs_version``): any update, edit, escalation, stored paper or measure value changes
the version, so nobody sees a stale preview, and everyone allowed on the page shares it. What
is kept is slim: the paper without its register and with at most ``TABLE_ROWS`` exceptions,
plus the counts the figures need; the Word paper itself always has everything.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
import streamlit as st

from tracker.db import session_scope
from tracker.formatting import format_days
from tracker.papers.model import BoardPaper, Movement
from tracker.permissions import Actor
from tracker.rules import on_track_share, status_label
from tracker.services.papers import preview_paper, read_inputs_version
from tracker.ui.components import escape_markdown, format_day, rag_label_from_config, style_rag
from tracker.ui.context import engine, governance, settings
from tracker.ui.navigation import page_file

PREVIEW_TTL_SECONDS = 600
TABLE_ROWS = 50
MOVEMENT_LABELS = (
    ("improved", "Improved"),
    ("deteriorated", "Deteriorated"),
    ("new_reds", "Newly Red"),
    ("slipped", "Due date moved later"),
    ("completed", "Completed"),
)


@dataclass(frozen=True)
class PaperPreview:
    """A paper cut down to what the preview shows, with the sizes of what was cut."""

    paper: BoardPaper
    exceptions: int
    overdue: int
    movement: tuple[tuple[str, int], ...]  # (label, number of actions)


def trim_paper(paper: BoardPaper) -> PaperPreview:
    movement = tuple((label, len(getattr(paper.movement, kind))) for kind, label in MOVEMENT_LABELS)
    slim = dataclasses.replace(
        paper,
        actions=(),
        exceptions=paper.exceptions[:TABLE_ROWS],
        overdue=(),
        completed_since_last=(),
        due_before_next=(),
        measures=(),
        movement=Movement(),
    )
    return PaperPreview(slim, len(paper.exceptions), len(paper.overdue), movement)


@st.cache_data(ttl=PREVIEW_TTL_SECONDS, max_entries=32, show_spinner="Gathering the paper…")
def _cached_preview(
    database_url: str,
    board_key: str,
    meeting_date: date,
    day: date,
    version: tuple[int, ...],
    _actor: Actor,
    _now: datetime,
) -> PaperPreview:
    with session_scope(engine()) as session:
        gathered = preview_paper(
            session,
            actor=_actor,
            governance=governance(),
            board_ref=board_key,
            meeting_date=meeting_date,
            now=_now,
        )
    return trim_paper(gathered.paper)


def load_preview(
    actor: Actor,
    board_key: str,
    meeting_date: date,
    now: datetime,
    *,
    inputs_version: tuple[int, ...] | None = None,
) -> PaperPreview:
    """The preview, gathered again only when something it is gathered from has changed.

    ``inputs_version`` is ``read_inputs_version`` as the page's view model read it (else it is
    read here)."""
    version = inputs_version
    if version is None:
        with session_scope(engine()) as session:
            version = read_inputs_version(session)
    config_version = hash(governance().model_dump_json())
    return _cached_preview(
        settings().database_url,
        board_key,
        meeting_date,
        now.date(),
        (*version, config_version),
        actor,
        now,
    )


def _show_counts(preview: PaperPreview) -> None:
    paper = preview.paper
    totals: dict[str, int] = {}
    for row in paper.summary_rows:
        for code, count in row.counts:
            totals[code] = totals.get(code, 0) + count
    counted = sum(row.total for row in paper.summary_rows)
    share = on_track_share(totals)
    columns = st.columns(5)
    columns[0].metric("Actions", counted, help="In the paper's scope, withdrawn ones left out.")
    columns[1].metric(
        "On track, of rated",
        share.describe(),
        help="Rated Green or Blue, as a share of the actions rated, as the paper reports them.",
    )
    columns[2].metric("Amber", totals.get("amber", 0))
    columns[3].metric("Red", totals.get("red", 0))
    columns[4].metric("Overdue", preview.overdue, help="As at the date the paper speaks for.")
    for column, (label, count) in zip(st.columns(5), preview.movement, strict=True):
        column.metric(label, count, help="Since the board's last paper.")


def _show_summary(paper: BoardPaper) -> None:
    config = governance()
    rows = paper.summary_rows
    codes = [entry.code for entry in paper.rag_key] + ["not_rated"]
    frame = pd.DataFrame(
        {
            "Priority" if paper.level == "strategic" else "Workstream": [r.group for r in rows],
            **{
                rag_label_from_config(config, None if code == "not_rated" else code): [
                    r.count(code) for r in rows
                ]
                for code in codes
            },
            "Total": [r.total for r in rows],
            "Overdue": [r.overdue for r in rows],
            "Direction of travel": [
                (r.direction_of_travel or "not known").capitalize() for r in rows
            ],
        }
    )
    st.dataframe(frame, hide_index=True, width="stretch", key="papers.summary")


def _show_exceptions(preview: PaperPreview) -> None:
    config = governance()
    lines = preview.paper.exceptions
    st.markdown(f"**Exceptions** ({preview.exceptions})")
    if not lines:
        st.caption("None.")
        return
    if preview.exceptions > len(lines):
        st.caption(f"The first {len(lines)} are shown here; the paper lists all of them.")
    frame = pd.DataFrame(
        {
            "Ref": [line.reference for line in lines],
            "RAG": [rag_label_from_config(config, line.rag) for line in lines],
            "Action": [line.title for line in lines],
            "Owner": [line.owner for line in lines],
            "Status": [status_label(line.status) for line in lines],
            "Overdue": [format_days(line.days_overdue) for line in lines],
        }
    )
    st.dataframe(style_rag(frame, config), hide_index=True, width="stretch", key="papers.exc")


def _show_escalations(paper: BoardPaper) -> None:
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


def show_preview(preview: PaperPreview) -> None:
    """Figures, the summary and recommendations as written, and the short tables."""
    paper = preview.paper
    st.subheader("Preview")
    deadline = escape_markdown(format_day(paper.paper_deadline))
    if paper.draft_as_at is None:
        st.caption(
            "As the paper stands if generated now: information as at the paper deadline, "
            f"{deadline}."
        )
    else:
        st.caption(
            "As the paper stands if generated now: a draft, information as at "
            f"{escape_markdown(format_day(paper.draft_as_at))}, before the paper deadline of "
            f"{deadline}."
        )
    _show_counts(preview)
    with st.expander("Executive summary and recommendations", expanded=False):
        for paragraph in paper.executive_summary:
            st.text(paragraph)
        st.markdown("**The Board is asked to:**")
        for number, item in enumerate(paper.recommendations, start=1):
            st.text(f"{number}. {item}")
    if paper.summary_rows:
        _show_summary(paper)
    _show_exceptions(preview)
    _show_escalations(paper)

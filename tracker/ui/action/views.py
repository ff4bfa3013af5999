"""How one action is shown: its heading and facts, its update history and its audit trail.

Used by My actions (above the update form) and by the action's own page. Every piece
of user text (titles, commentary, names) is escaped before it reaches markdown, or shown in a
table cell, which Streamlit always renders as text.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from tracker.formatting import MISSING
from tracker.governance import GovernanceConfig, ImpactConfig
from tracker.rules import status_label
from tracker.services.actions import ActionDetail
from tracker.services.register import AuditEntry, HistoryEntry
from tracker.ui.components import (
    escape_markdown,
    format_day,
    format_moment,
    rag_label_from_config,
    rag_text,
    style_rag,
)


def show_text_block(label: str, text: str | None) -> None:
    """A labelled paragraph of user text, line breaks kept, markdown characters escaped."""
    if not text:
        return
    body = escape_markdown(text).replace("\n", "  \n")
    st.markdown(f"**{label}**  \n{body}")


def show_action_heading(detail: ActionDetail, impact: ImpactConfig | None = None) -> None:
    """Reference and title, then delivery (RAG, status) and impact side by side, and flags."""
    row = detail.row
    st.subheader(f"{row.reference}: {escape_markdown(row.title)}", anchor=False)
    flags = row.flags.labels()
    scale = impact or ImpactConfig()
    line = (
        f"Delivery: {rag_text(row.rag)} · {status_label(row.status)} · "
        f"Impact: {escape_markdown(scale.rating_label(row.impact_rating))}"
    )
    if flags:
        line += " · " + " · ".join(escape_markdown(f) for f in flags)
    st.markdown(line)


def show_action_facts(detail: ActionDetail) -> None:
    """Who, where and when, in a compact grid."""
    row = detail.row
    moved = (
        detail.original_due_date is not None
        and row.due_date is not None
        and detail.original_due_date != row.due_date
    )
    due = format_day(row.due_date) or "Not set"
    if moved:
        due += f" (originally {format_day(detail.original_due_date)})"
    if not row.planning_confirmed:
        due += " (to confirm: the seeded plan's date)"
    facts = [
        ("Owner", row.owner or "Not assigned"),
        ("Workstream", row.workstream or MISSING),
        ("Lead organisation", row.lead_organisation or "Not set"),
        ("Overseen by", row.body or "Not set"),
        ("Priority", f"{row.priority_number}: {row.priority_title}"),
        ("Start", format_day(row.start_date) or "Not set"),
        ("Due", due),
        (
            "Last updated",
            f"{format_day(row.last_updated_at)} by {detail.last_updated_by or 'unknown'}"
            if row.last_updated_at
            else "Never",
        ),
    ]
    columns = st.columns(4)
    for index, (label, value) in enumerate(facts):
        with columns[index % 4]:
            st.markdown(f"**{label}**  \n{escape_markdown(value)}")
    if detail.description:
        show_text_block("Description", detail.description)


def show_latest_position(detail: ActionDetail, impact: ImpactConfig | None = None) -> None:
    row = detail.row
    show_text_block("Expected impact", row.expected_impact)
    show_text_block("Latest commentary", row.commentary)
    show_text_block("Path to green", row.path_to_green)
    show_text_block("Next steps", row.next_steps)
    last = detail.last_update
    if last is not None and (last.impact_evidence or last.impact_voices):
        scale = impact or ImpactConfig()
        voices = ", ".join(scale.voice_label(v) for v in last.impact_voices)
        label = "Evidence of impact" + (f" (voices: {voices})" if voices else "")
        show_text_block(label, last.impact_evidence or "No evidence in words given.")


def history_frame(entries: list[HistoryEntry], config: GovernanceConfig) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "When": [format_moment(e.at) for e in entries],
            "By": [e.by or "" for e in entries],
            "RAG": [rag_label_from_config(config, e.rag) for e in entries],
            "Status": [status_label(e.status) for e in entries],
            "Commentary": [e.commentary or "" for e in entries],
            "Path to green": [e.path_to_green or "" for e in entries],
            "Next steps": [e.next_steps or "" for e in entries],
            "Revised due": [e.revised_due_date for e in entries],
            "Reason": [e.due_date_reason or "" for e in entries],
            "Evidence": [e.evidence_url or None for e in entries],
            "Impact": [
                config.impact.rating_label(e.impact_rating) if e.impact_rating else ""
                for e in entries
            ],
            "Evidence of impact": [e.impact_evidence or "" for e in entries],
            "Voices": [
                ", ".join(config.impact.voice_label(v) for v in e.impact_voices) for e in entries
            ],
            "Public summary": [e.public_summary or "" for e in entries],
        }
    )


def show_history(entries: list[HistoryEntry], config: GovernanceConfig) -> None:
    if not entries:
        st.info("No updates recorded yet.")
        return
    st.dataframe(
        style_rag(history_frame(entries, config), config),
        hide_index=True,
        width="stretch",
        column_config={
            "Commentary": st.column_config.TextColumn(width="large"),
            "Revised due": st.column_config.DateColumn(format="D MMM YYYY"),
            "Evidence": st.column_config.LinkColumn(display_text="Open link"),
        },
    )


def show_audit(entries: list[AuditEntry]) -> None:
    if not entries:
        st.info("No changes recorded.")
        return
    frame = pd.DataFrame(
        {
            "When": [format_moment(e.at) for e in entries],
            "Who": [e.actor for e in entries],
            "Field": [e.field for e in entries],
            "From": [e.old or MISSING for e in entries],
            "To": [e.new or MISSING for e in entries],
            "Reason": [e.reason or MISSING for e in entries],
        }
    )
    st.dataframe(frame, hide_index=True, width="stretch")

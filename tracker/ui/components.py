"""Small pieces every page uses: RAG shown as colour *and* word, dates, flags, action tables.

RAG is never shown by colour alone: a table cell holds the word ("Red") on the colour from the
governance file's RAG key, in black or white whichever reads better on it; running text shows
the word in a coloured badge (Streamlit's own markdown badges, so no emoji font is needed).
User text is only ever put on screen as text: markdown
special characters are escaped before any of it is embedded in ``st.markdown``, and nothing
here uses ``unsafe_allow_html``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Literal

import pandas as pd
import streamlit as st

from tracker import formatting
from tracker.governance import GovernanceConfig
from tracker.rules import rag_label, status_label
from tracker.services.register import ActionRow

# Streamlit's named badge colours nearest to the RAG key's.
RAG_BADGES = {"red": "red", "amber": "orange", "green": "green", "blue": "blue"}
NOT_RATED_BADGE = "gray"
NOT_RATED_COLOUR = "#D9D9D9"
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def escape_markdown(text: str | None) -> str:
    """``text`` with every markdown (and HTML-looking) character escaped, safe in st.markdown."""
    if not text:
        return ""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def rag_text(rag: str | None) -> str:
    """Markdown for the word in a badge of its colour, e.g. ``:red-badge[Red]``."""
    return f":{RAG_BADGES.get(rag or '', NOT_RATED_BADGE)}-badge[{rag_label(rag)}]"


def rag_colours(config: GovernanceConfig) -> dict[str, str]:
    """RAG label -> colour from the governance RAG key, plus grey for 'Not rated'."""
    colours = {entry.label: entry.colour for entry in config.rag}
    colours.setdefault("Not rated", NOT_RATED_COLOUR)
    return colours


def rag_label_from_config(config: GovernanceConfig, rag: str | None) -> str:
    entry = config.rag_by_code().get(rag or "")
    return entry.label if entry else rag_label(rag)


def readable_text_colour(background: str) -> str:
    """Black or white, whichever contrasts more with ``background`` (#RRGGBB)."""
    red, green, blue = (int(background[i : i + 2], 16) / 255 for i in (1, 3, 5))

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    return "#000000" if luminance > 0.179 else "#FFFFFF"


def format_day(value: date | datetime | None) -> str:
    """``1 Dec 2026`` (``tracker.formatting``); empty for nothing, so callers can say what."""
    return formatting.format_date(value, missing="")


def format_moment(value: datetime | None) -> str:
    """``28 Nov 2026 03:34`` in the partnership's local time (UK time, BST in summer)."""
    return formatting.format_moment(value, missing="")


DUE_TO_CONFIRM = "Due date to confirm"


def flag_text(row: ActionRow) -> str:
    labels = row.flags.labels()
    if not row.planning_confirmed:
        labels.insert(0, DUE_TO_CONFIRM)
    return "; ".join(labels)


def actions_frame(rows: Sequence[ActionRow], config: GovernanceConfig) -> pd.DataFrame:
    """The register's columns for ``rows``, RAG as its word (coloured by ``style_rag``)."""
    return pd.DataFrame(
        {
            "Ref": [r.reference for r in rows],
            "RAG": [rag_label_from_config(config, r.rag) for r in rows],
            "Action": [r.title for r in rows],
            "Status": [status_label(r.status) for r in rows],
            "Impact": [
                config.impact.rating_label(r.impact_rating) if r.impact_rating else "" for r in rows
            ],
            "Due": [r.due_date for r in rows],
            "Owner": [r.owner or "" for r in rows],
            "Workstream": [r.workstream or "" for r in rows],
            "Flags": [flag_text(r) for r in rows],
            "Last updated": [
                formatting.local_time(r.last_updated_at).date() if r.last_updated_at else None
                for r in rows
            ],
        }
    )


def style_rag(frame: pd.DataFrame, config: GovernanceConfig, column: str = "RAG") -> Any:
    """A Styler that shades the RAG column in the key's colours; the word stays in the cell."""
    colours = rag_colours(config)

    def shade(value: object) -> str:
        colour = colours.get(str(value))
        if colour is None:
            return ""
        return f"background-color: {colour}; color: {readable_text_colour(colour)}"

    if frame.empty or column not in frame.columns:
        return frame
    return frame.style.map(shade, subset=[column])


ACTION_COLUMNS: dict[str, Any] = {
    "Ref": st.column_config.TextColumn("Ref", width="small", help="Action reference"),
    "RAG": st.column_config.TextColumn("RAG", width="small", help="The owner's rating"),
    "Action": st.column_config.TextColumn("Action", width=320),
    "Due": st.column_config.DateColumn("Due", format="D MMM YYYY"),
    "Last updated": st.column_config.DateColumn("Last updated", format="D MMM YYYY"),
    "Flags": st.column_config.TextColumn("Flags", help="Derived by the system, not the owner"),
    "Impact": st.column_config.TextColumn(
        "Impact", help="The latest impact rating an update reported, apart from delivery"
    ),
}


def show_actions_table(
    rows: Sequence[ActionRow],
    config: GovernanceConfig,
    *,
    key: str,
    columns: Sequence[str] | None = None,
    extra: dict[str, list[Any]] | None = None,
    height: int | Literal["auto"] = "auto",
) -> str | None:
    """A table of actions; returns the reference of the row the user selected, if any."""
    frame = actions_frame(rows, config)
    for name, values in (extra or {}).items():
        frame[name] = values
    if columns is not None:
        frame = frame[list(columns)]
    event = st.dataframe(
        style_rag(frame, config),
        hide_index=True,
        width="stretch",
        height=height,
        column_config=ACTION_COLUMNS,
        on_select="rerun",
        selection_mode="single-row",
        key=key,
    )
    return selected_reference(event, [row.reference for row in rows])


def selected_reference(event: Any, references: Sequence[str]) -> str | None:
    """The reference of the row selected in a dataframe (``on_select="rerun"``), if any."""
    selected = list(getattr(getattr(event, "selection", None), "rows", []) or [])
    if selected and 0 <= int(selected[0]) < len(references):
        return references[int(selected[0])]
    return None


def show_rag_key(config: GovernanceConfig) -> None:
    """The RAG key (word, marker, definition) as a compact caption list."""
    lines = [
        f":{RAG_BADGES.get(entry.code, NOT_RATED_BADGE)}-badge[{escape_markdown(entry.label)}] "
        f"{escape_markdown(entry.definition)}"
        for entry in config.rag
    ]
    st.caption("  \n".join(lines))

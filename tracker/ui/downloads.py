"""Download buttons for the action register and its update history, as .xlsx and .csv.

``show_register_downloads(filters)`` is what the register page (and the import and export page)
put under the table: the register as the filters show it, and every update on those actions.
Files are made only when a button is pressed (Streamlit runs the callable on its own thread),
so drawing the register stays fast for ten thousand actions. That thread has no Streamlit
session, so everything it needs (the person's id, engine, date, governance) is read beforehand
and handed over as plain values; the person's roles and active status are read again when the
file is made, and the download is audited. People who may not export (partners) see no buttons.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import streamlit as st
from sqlalchemy import Engine

from tracker.db import session_scope
from tracker.governance import GovernanceConfig
from tracker.permissions import Operation, can
from tracker.services.plans import (
    HISTORY_STEM,
    MEDIA_TYPES,
    REGISTER_STEM,
    ExportFormat,
    download_export,
    export_filename,
)
from tracker.services.register import ActionFilter
from tracker.ui.context import current_actor, engine, governance, today

BUTTONS: tuple[tuple[str, bool, ExportFormat], ...] = (
    ("Register (.xlsx)", False, "xlsx"),
    ("Register (.csv)", False, "csv"),
    ("Update history (.xlsx)", True, "xlsx"),
    ("Update history (.csv)", True, "csv"),
)


def prepare_export(
    *,
    person_id: int | None,
    bound: Engine,
    day: date,
    config: GovernanceConfig,
    filters: ActionFilter,
    history: bool,
    fmt: ExportFormat,
) -> Callable[[], bytes]:
    """A no-argument function making the file, as ``st.download_button`` calls it on click.

    It re-reads the person then, so a deactivation or a removed role since the page was drawn
    refuses the download."""

    def make() -> bytes:
        with session_scope(bound, write=True) as session:
            return download_export(
                session,
                person_id=person_id,
                today=day,
                fmt=fmt,
                filters=filters,
                governance=config,
                history=history,
            ).content

    return make


def show_register_downloads(filters: ActionFilter) -> None:
    """Buttons downloading the register and its history as the ``filters`` select them."""
    actor = current_actor()
    if not can(actor, Operation.EXPORT_PLAN):
        return
    bound, day, config = engine(), today(), governance()
    with st.container(border=True):
        st.markdown("**Download**")
        st.caption(
            "The register holds each action with its latest update, in the columns the import "
            "reads; the update history holds every update recorded. Both follow the filters."
        )
        columns = st.columns(len(BUTTONS))
        for column, (label, history, fmt) in zip(columns, BUTTONS, strict=True):
            stem = HISTORY_STEM if history else REGISTER_STEM
            column.download_button(
                label,
                data=prepare_export(
                    person_id=actor.person_id,
                    bound=bound,
                    day=day,
                    config=config,
                    filters=filters,
                    history=history,
                    fmt=fmt,
                ),
                file_name=export_filename(stem, today=day, fmt=fmt),
                mime=MEDIA_TYPES[fmt],
                on_click="ignore",
                icon=":material/download:",
                key=f"downloads.{stem}.{fmt}",
            )

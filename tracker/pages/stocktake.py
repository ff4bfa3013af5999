"""Stocktake (administrators and board secretaries): the DfE/NHS England stocktake pack.

Pick the period (by default from the day after the last stocktake's period, or three months
back before the first, to today), press Generate, and download the zip: the Word report (and
its tagged PDF), every evidence file added in the period, the evidence index, the measure
values, the audit extract and a manifest of checksums. Earlier packs are listed with who made
them, when, the period and the checksum; those made here stay downloadable while their file is
in the stocktake folder (``TRACKER_STOCKTAKE_DIR``). Large packs are better made with
``tracker stocktake -o FILE`` on the server: a browser download passes through memory.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import streamlit as st
from sqlalchemy import Engine
from streamlit.delta_generator import DeltaGenerator

from tracker.db import session_scope
from tracker.formatting import format_long_date
from tracker.permissions import Actor, Operation, can
from tracker.safety.files import PRIVATE_DIR_MODE
from tracker.services.stocktake import (
    StocktakeRow,
    generate_stocktake,
    load_stocktake_page,
    pack_filename,
    read_stocktake_file,
)
from tracker.ui.components import escape_markdown, format_day, format_moment
from tracker.ui.context import current_actor, engine, governance, settings, today
from tracker.ui.errors import showing_errors
from tracker.ui.widgets.fields import date_field

FLASH_KEY = "stocktake.flash"
FROM_KEY = "stocktake.from"
TO_KEY = "stocktake.to"
ZIP_MEDIA_TYPE = "application/zip"


def _folder() -> Path:
    return settings().stocktake_dir.absolute()


def _now() -> datetime:
    """Now on the app's day (``today()`` may be pinned for a demonstration)."""
    zone = ZoneInfo(governance().partnership.timezone)
    clock = datetime.now(zone).time() if today() == datetime.now(zone).date() else time(12)
    return datetime.combine(today(), clock, tzinfo=zone)


def _deferred_download(bound: Engine, actor: Actor, stocktake_id: int) -> Callable[[], bytes]:
    """The zip, read (checked and audited) only when the button is pressed."""

    def read() -> bytes:
        with session_scope(bound, write=True) as session:
            return read_stocktake_file(
                session, actor=actor, stocktake_id=stocktake_id, folder=_folder()
            )

    return read


def _generate(
    actor: Actor, period_from: date, period_to: date, slots: dict[str, DeltaGenerator]
) -> None:
    now = _now()
    folder = _folder()
    with showing_errors(field_slots=slots) as outcome:
        folder.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
        with st.spinner("Making the pack: copying every evidence file and the audit trail…"):
            pack = generate_stocktake(
                engine(),
                actor=actor,
                governance=governance(),
                output=folder / pack_filename(period_from, period_to, now),
                period_from=period_from,
                period_to=period_to,
                now=now,
                evidence_dir=settings().evidence_dir,
            )
    if outcome.failed:
        return
    note = f" {pack.pdf_note}" if pack.pdf_note else ""
    st.session_state[FLASH_KEY] = (
        f"The stocktake pack for {format_long_date(pack.period_from)} to "
        f"{format_long_date(pack.period_to)} is ready: {len(pack.entries)} files, "
        f"{pack.counts.get('evidence_files', 0)} of them evidence.{note}"
    )
    # The pickers start again from the new default (the day after this pack's period).
    st.session_state.pop(FROM_KEY, None)
    st.session_state.pop(TO_KEY, None)
    st.rerun()


def _show_row(actor: Actor, row: StocktakeRow, *, latest: bool) -> None:
    text, button = st.columns([4, 1])
    counts = row.counts
    text.markdown(
        f"**{format_day(row.period_from)} to {format_day(row.period_to)}**"
        f"{' (latest)' if latest else ''}  \n"
        f"Made {format_moment(row.generated_at)} by {escape_markdown(row.generated_by)}; "
        f"{counts.get('files', 0)} files, {counts.get('evidence_files', 0)} evidence; "
        f"{row.size_bytes / 1_000_000:,.1f} MB  \n"
        f"{escape_markdown(row.filename)}  \nSHA-256 `{row.sha256}`"
    )
    if row.available:
        button.download_button(
            "Download",
            data=_deferred_download(engine(), actor, row.id),
            file_name=row.filename,
            mime=ZIP_MEDIA_TYPE,
            on_click="ignore",
            icon=":material/download:",
            key=f"stocktake.download.{row.id}",
        )
    else:
        button.caption("Made at the command line, or no longer in the stocktake folder.")


def main() -> None:
    st.title("Stocktake")
    actor = current_actor()
    if not can(actor, Operation.GENERATE_STOCKTAKE):
        st.error("Stocktake packs are for administrators and board secretaries.")
        return
    with session_scope(engine()) as session:
        screen = load_stocktake_page(session, actor=actor, today=today(), folder=_folder())
    st.caption(
        "One zip for the DfE and NHS England stocktake: the report by priority with a "
        "one-page summary, every evidence file added in the period, the evidence index, the "
        "success measure values, the audit extract and a manifest of SHA-256 checksums."
    )
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(escape_markdown(message))
    left, right = st.columns(2)
    with left:
        period_from = date_field("From", value=screen.default.start, key=FROM_KEY)
        from_slot = st.empty()
    with right:
        period_to = date_field("To", value=screen.default.end, key=TO_KEY)
        to_slot = st.empty()
    st.caption(
        "By default the period starts the day after the last stocktake's period ended "
        "(three months back before the first) and ends today; both days are included."
    )
    if st.button(
        "Generate the stocktake pack",
        type="primary",
        icon=":material/inventory_2:",
        key="stocktake.generate",
    ):
        if not isinstance(period_from, date) or not isinstance(period_to, date):
            st.error("Choose both days of the period.")
        else:
            _generate(
                actor, period_from, period_to, {"period_from": from_slot, "period_to": to_slot}
            )
    st.subheader("Earlier stocktakes")
    if not screen.stocktakes:
        st.caption("No stocktake pack has been made yet.")
    for index, row in enumerate(screen.stocktakes):
        _show_row(actor, row, latest=index == 0)


main()

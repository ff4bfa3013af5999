"""The Evidence tab of an action's page: its files, a download for each, and the forms.

Everyone who may see the action sees its evidence (partners only the files marked shareable):
the file, its note, who added it and when, its size and checksum, whether partners see it and,
apart, the files superseded with why. Each file downloads as an attachment with its own type,
never shown in the page; its bytes are read when the button is pressed, after the person is
read again, so access taken away since the page was drawn refuses the download. The action's
owner, its workstream lead and administrators get the upload form (note, shareable) and can
supersede a file or change who sees it; administrators alone can delete one, with a reason.
The services check each of these again. Everything a person typed is shown as text.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from sqlalchemy import Engine

from tracker.db import session_scope
from tracker.permissions import Actor
from tracker.services.actions import ActionNotFound
from tracker.services.evidence import (
    NOTE_LIMIT,
    REASON_LIMIT,
    EvidencePanel,
    EvidenceRow,
    EvidenceStore,
    add_evidence,
    delete_evidence,
    load_evidence_panel,
    open_evidence,
    set_shareable,
    supersede_evidence,
)
from tracker.services.people import actor_by_id
from tracker.ui.components import escape_markdown, format_moment
from tracker.ui.context import current_actor, engine, settings
from tracker.ui.errors import showing_errors
from tracker.ui.widgets.fields import long_text

FLASH_KEY = "evidence.flash"
GENERATION_KEY = "evidence.upload.generation"


def _store() -> EvidenceStore:
    return EvidenceStore.from_settings(settings())


def prepare_download(
    *, person_id: int | None, bound: Engine, evidence_id: int, store: EvidenceStore
) -> Callable[[], bytes]:
    """A no-argument function giving the file's bytes, as ``st.download_button`` calls it on
    click (on its own thread, so it takes plain values); the person is read again then and the
    download is audited."""

    def read() -> bytes:
        with session_scope(bound, write=True) as session:
            actor = actor_by_id(session, person_id)
            return open_evidence(session, actor, evidence_id, store=store).read_all()

    return read


def _facts(row: EvidenceRow) -> str:
    parts = [
        row.kind_label,
        row.size_words,
        f"added {format_moment(row.added_at)} by {escape_markdown(row.added_by)}",
    ]
    if row.update_created_at is not None:
        parts.append(f"with the update of {format_moment(row.update_created_at)}")
    parts.append("shared with partners" if row.shareable else "not shared with partners")
    return " · ".join(parts)


def _show_row(actor: Actor, panel: EvidencePanel, row: EvidenceRow) -> None:
    with st.container(border=True):
        name, button = st.columns([4, 1], vertical_alignment="center")
        name.markdown(f"**{escape_markdown(row.filename)}**")
        button.download_button(
            "Download",
            data=prepare_download(
                person_id=actor.person_id, bound=engine(), evidence_id=row.id, store=_store()
            ),
            file_name=row.filename,
            mime=row.content_type,
            on_click="ignore",
            icon=":material/download:",
            key=f"evidence.download.{row.id}",
            help=f"{row.filename} ({row.size_words})",
        )
        st.caption(_facts(row))
        if row.note:
            st.text(row.note)
        if row.superseded:
            st.caption(
                f"Superseded {format_moment(row.superseded_at)} by "
                f"{escape_markdown(row.superseded_by or 'unknown')}. Why:"
            )
            st.text(row.superseded_reason or "")
        st.caption(f"SHA-256 {row.sha256}")
        if panel.may_add and not row.superseded:
            _manage(actor, row)
        if panel.may_delete:
            _delete_form(actor, row)


def _manage(actor: Actor, row: EvidenceRow) -> None:
    with st.expander("Supersede, or change who sees it"):
        share_to = not row.shareable
        label = "Share with partners" if share_to else "Stop sharing with partners"
        if st.button(label, key=f"evidence.share.{row.id}"):
            with (
                showing_errors() as outcome,
                session_scope(engine(), write=True) as session,
            ):
                set_shareable(session, actor, row.id, share_to)
            if not outcome.failed:
                done = "is now shared with" if share_to else "is no longer shared with"
                _flash_and_rerun(f"{row.filename} {done} partners.")
        with st.form(f"evidence.supersede.{row.id}"):
            reason = long_text(
                "Why is it superseded?",
                key=f"evidence.supersede.reason.{row.id}",
                limit=REASON_LIMIT,
                help="For example: replaced by the final version. The file stays listed.",
            )
            slots = {"reason": st.empty()}
            if not st.form_submit_button("Mark superseded"):
                return
        with (
            showing_errors(field_slots=slots) as outcome,
            session_scope(engine(), write=True) as session,
        ):
            supersede_evidence(session, actor, row.id, reason or "")
        if not outcome.failed:
            _flash_and_rerun(f"{row.filename} is marked superseded.")


def _delete_form(actor: Actor, row: EvidenceRow) -> None:
    with st.expander("Delete for good (administrators)"):
        st.caption(
            "Only for a file that must not be kept (the wrong person's data, say). Its name and "
            "checksum stay in the audit trail with your reason; the file itself is gone."
        )
        with st.form(f"evidence.delete.{row.id}"):
            reason = long_text(
                "Why must it be deleted?",
                key=f"evidence.delete.reason.{row.id}",
                limit=REASON_LIMIT,
            )
            slots = {"reason": st.empty()}
            if not st.form_submit_button(f"Delete {row.filename}", type="primary"):
                return
        with (
            showing_errors(field_slots=slots) as outcome,
            session_scope(engine(), write=True) as session,
        ):
            delete_evidence(session, actor, row.id, reason or "", store=_store())
        if not outcome.failed:
            _flash_and_rerun(f"{row.filename} is deleted.")


def _upload_form(actor: Actor, panel: EvidencePanel) -> None:
    st.markdown("**Add evidence**")
    st.caption(
        f"PDF, Word, Excel, PowerPoint, images, CSV or e-mail (.eml, .msg), up to "
        f"{panel.limit_words} each. The type is checked from the file's content."
    )
    generation = int(st.session_state.get(GENERATION_KEY, 0))
    with st.form(f"evidence.upload.{panel.reference}"):
        upload = st.file_uploader(
            "File",
            type=[ext.lstrip(".") for ext in panel.accepted_extensions],
            key=f"evidence.upload.file.{generation}",
        )
        file_slot = st.empty()
        note = long_text(
            "Note: what does it show?",
            key=f"evidence.upload.note.{generation}",
            limit=NOTE_LIMIT,
        )
        note_slot = st.empty()
        shareable = st.checkbox(
            "Partners and forum representatives may see it",
            key=f"evidence.upload.shareable.{generation}",
        )
        if not st.form_submit_button("Add the file", type="primary"):
            return
    if upload is None:
        file_slot.error("Choose a file to add.", icon=":material/error:")
        return
    upload.seek(0)  # a second try after a refusal reads the file from its start again
    with (
        showing_errors(field_slots={"file": file_slot, "note": note_slot}) as outcome,
        session_scope(engine(), write=True) as session,
    ):
        add_evidence(
            session,
            actor,
            panel.reference,
            upload,
            upload.name,
            note=note,
            shareable=shareable,
            store=_store(),
        )
    if outcome.failed:
        return
    st.session_state[GENERATION_KEY] = generation + 1
    _flash_and_rerun(f"{upload.name} is added to {panel.reference}.")


def _flash_and_rerun(message: str) -> None:
    st.session_state[FLASH_KEY] = message
    st.rerun()


def evidence_has_news() -> bool:
    """Whether a change made on the Evidence tab is waiting to be confirmed on it."""
    return FLASH_KEY in st.session_state


def evidence_tab_label(count: int | None) -> str:
    return "Evidence" if count is None else f"Evidence ({count})"


def load_panel(reference: str) -> EvidencePanel | None:
    """The tab's view model, or None (with the error shown) if the action is gone."""
    try:
        return load_evidence_panel(
            engine(), actor=current_actor(), reference=reference, store=_store()
        )
    except ActionNotFound:
        st.error(f"There is no action with the reference {escape_markdown(reference)}.")
        return None


def show_evidence_panel(panel: EvidencePanel) -> None:
    """The evidence of the action and, for those allowed, the forms."""
    actor = current_actor()
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(escape_markdown(message))
    ref = escape_markdown(panel.reference)
    if panel.sees_all:
        st.caption(
            f"Files that show what {ref} delivered or changed, newest first. Partners see only "
            "the files shared with them."
        )
    else:
        st.caption(f"The files on {ref} shared with partners, newest first.")
    if not panel.current:
        st.caption("No evidence has been added yet." if panel.sees_all else "None yet.")
    for row in panel.current:
        _show_row(actor, panel, row)
    if panel.superseded:
        with st.expander(f"Superseded ({len(panel.superseded)})"):
            for row in panel.superseded:
                _show_row(actor, panel, row)
    if panel.may_add:
        _upload_form(actor, panel)

"""Adding, superseding, sharing and deleting evidence: checked first, then written whole.

``add_evidence`` checks who is acting before it reads a byte (the action's owner, its
workstream lead or an administrator), then the file's name, then streams it to a private
temporary file in ``CHUNK_BYTES`` pieces, counting and hashing on the way and stopping as soon
as it passes the limit, then checks its type by content against its extension. Only then is
anything kept: database chunks in the caller's transaction with the row, or the file moved into
the file store (removed again if that transaction rolls back). An upload that fails half-way
leaves no row, no chunk and no file. Evidence is never deleted except by an administrator with
a reason; otherwise it is superseded, and stays in the trail. Every change is audited on the
action, so its audit trail says who attached, superseded, shared or deleted which file.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import BinaryIO

from sqlmodel import Session

from tracker import clock
from tracker.errors import Conflict, InvalidInput, NotFound, OperationFailed
from tracker.models import Action, ActionUpdate, Evidence, EvidenceStorage
from tracker.permissions import Actor, Operation, require
from tracker.rules import clean_text, too_long_message
from tracker.services.actions import get_action, require_on
from tracker.services.audit import record_change
from tracker.services.evidence._names import clean_filename
from tracker.services.evidence._storage import (
    EvidenceStore,
    TooLarge,
    delete_chunks,
    format_size,
    new_key,
    place_file,
    remove_after_commit,
    spooled,
    write_chunks,
)
from tracker.services.evidence._types import (
    SNIFF_BYTES,
    EvidenceRefused,
    TextScan,
    check_content,
    kind_for_extension,
)

NOTE_LIMIT = 2_000
REASON_LIMIT = 2_000
ENTITY = "action"
FIELD = "evidence"


class EvidenceNotFound(NotFound):
    pass


class EvidenceSuperseded(Conflict):
    """The evidence was already superseded (by someone else, perhaps a moment ago)."""


def describe(evidence: Evidence) -> str:
    """How the audit trail names a file: name, size and checksum."""
    return f"{evidence.filename} ({format_size(evidence.size_bytes)}, SHA-256 {evidence.sha256})"


def get_evidence(session: Session, evidence_id: int) -> Evidence:
    evidence = session.get(Evidence, evidence_id)
    if evidence is None:
        raise EvidenceNotFound(f"No evidence file with id {evidence_id}")
    return evidence


def _action_of(session: Session, evidence: Evidence) -> Action:
    action = session.get(Action, evidence.action_id)
    assert action is not None  # a foreign key
    return action


def _reason(text: str | None, *, what: str) -> str:
    try:
        reason = clean_text(text, max_length=REASON_LIMIT)
    except ValueError as exc:
        raise InvalidInput(f"reason: {exc}") from None
    if reason is None:
        error = InvalidInput(f"a reason is required to {what}")
        error.fields = {"reason": f"a reason is required to {what}"}
        raise error
    return reason


def _note(note: str | None) -> str | None:
    if note is not None and len(note.strip()) > NOTE_LIMIT:
        message = f"the note {too_long_message(len(note.strip()), NOTE_LIMIT)}"
        error = InvalidInput(message)
        error.fields = {"note": message}
        raise error
    return clean_text(note)


def _stream_size(stream: BinaryIO) -> int | None:
    """The whole stream's size when it can be known without reading it (a file, BytesIO)."""
    try:
        return os.fstat(stream.fileno()).st_size
    except (AttributeError, OSError, ValueError):
        pass
    try:
        if stream.seekable():
            here = stream.tell()
            end = stream.seek(0, os.SEEK_END)
            stream.seek(here)
            return end - here
    except (AttributeError, OSError, ValueError):
        pass
    return None


def _update_of(session: Session, action: Action, update_id: int | None) -> int | None:
    if update_id is None:
        return None
    update = session.get(ActionUpdate, update_id)
    if update is None or update.action_id != action.id:
        raise InvalidInput(f"update {update_id} is not an update of {action.reference}")
    return update_id


def add_evidence(
    session: Session,
    actor: Actor,
    action_ref: str,
    stream: BinaryIO,
    filename: str,
    *,
    note: str | None = None,
    update_id: int | None = None,
    shareable: bool = False,
    store: EvidenceStore | None = None,
    now: datetime | None = None,
) -> Evidence:
    """Keep ``stream`` as evidence on the action ``action_ref``, or refuse it whole.

    ``EvidenceRefused`` names the file and why (its name, size, emptiness or type); nothing is
    kept then, nor when the stream itself fails part-way.
    """
    store = store or EvidenceStore()
    action = get_action(session, action_ref)
    require_on(session, actor, action, Operation.ADD_EVIDENCE)
    name = clean_filename(filename)
    kind = kind_for_extension(name)
    cleaned_note = _note(note)
    linked_update = _update_of(session, action, update_id)
    assert action.id is not None
    scan = TextScan()
    declared = _stream_size(stream)
    try:
        with spooled(
            stream,
            directory=store.directory,
            max_bytes=store.max_bytes,
            head_bytes=SNIFF_BYTES,
            watch=scan.feed,
        ) as spool:
            scan.finish()
            if spool.size == 0:
                raise EvidenceRefused(f"{name} is empty (0 bytes): nothing to keep")
            kind = check_content(name, kind, spool.head, spool.path, scan)
            evidence = Evidence(
                action_id=action.id,
                update_id=linked_update,
                filename=name,
                content_type=kind.content_type,
                kind=kind.key,
                size_bytes=spool.size,
                sha256=spool.sha256,
                note=cleaned_note,
                storage=(
                    EvidenceStorage.DATABASE if store.directory is None else EvidenceStorage.FILES
                ).value,
                shareable=shareable,
                added_by_id=actor.person_id,
                added_at=now or clock.now(),
            )
            if store.directory is not None:
                evidence.storage_key = new_key(spool.sha256)
            session.add(evidence)
            session.flush()
            assert evidence.id is not None
            if store.directory is None:
                write_chunks(session, evidence.id, spool.path)
            else:
                assert evidence.storage_key is not None
                place_file(session, spool.path, store.directory, evidence.storage_key)
    except TooLarge as too_large:
        total = too_large.seen if declared is None else max(declared, too_large.seen)
        over = "" if declared is not None else "more than "
        raise EvidenceRefused(
            f"{name} is {over}{format_size(total)} ({total:,} bytes); the limit for an "
            f"evidence file is {store.limit_words}"
        ) from None
    except OSError as exc:
        # The upload broke off (a dropped connection, an unreadable disk) or the store failed.
        raise OperationFailed(
            f"{name} was not stored: {exc.strerror or exc}; nothing was kept, try again"
        ) from exc
    record_change(
        session,
        actor=actor,
        entity=ENTITY,
        entity_id=action.id,
        entity_label=action.reference,
        field=FIELD,
        old=None,
        new=f"added {describe(evidence)}" + (" (shareable)" if shareable else ""),
    )
    return evidence


def supersede_evidence(
    session: Session, actor: Actor, evidence_id: int, reason: str, *, now: datetime | None = None
) -> Evidence:
    """Mark the file superseded (kept, listed as such); those who may add evidence may."""
    evidence = get_evidence(session, evidence_id)
    action = _action_of(session, evidence)
    require_on(session, actor, action, Operation.ADD_EVIDENCE)
    why = _reason(reason, what="supersede evidence")
    if evidence.superseded_at is not None:
        raise EvidenceSuperseded(f"{evidence.filename} is already superseded")
    evidence.superseded_at = now or clock.now()
    evidence.superseded_by_id = actor.person_id
    evidence.superseded_reason = why
    session.add(evidence)
    record_change(
        session,
        actor=actor,
        entity=ENTITY,
        entity_id=action.id,
        entity_label=action.reference,
        field=FIELD,
        old=describe(evidence),
        new=f"superseded {evidence.filename}",
        reason=why,
    )
    return evidence


def set_shareable(session: Session, actor: Actor, evidence_id: int, shareable: bool) -> Evidence:
    """Choose whether partners may see the file; those who may add evidence may."""
    evidence = get_evidence(session, evidence_id)
    action = _action_of(session, evidence)
    require_on(session, actor, action, Operation.ADD_EVIDENCE)
    if evidence.shareable == shareable:
        return evidence
    evidence.shareable = shareable
    session.add(evidence)
    record_change(
        session,
        actor=actor,
        entity=ENTITY,
        entity_id=action.id,
        entity_label=action.reference,
        field=FIELD,
        old=f"{evidence.filename} {'not ' if shareable else ''}shareable",
        new=f"{evidence.filename} {'' if shareable else 'not '}shareable",
    )
    return evidence


def delete_evidence(
    session: Session,
    actor: Actor,
    evidence_id: int,
    reason: str,
    *,
    store: EvidenceStore | None = None,
) -> str:
    """Remove the file for good (administrators only, with a reason; audited with its name and
    checksum); its chunks go in this transaction, a stored file once it commits. Returns the
    filename."""
    evidence = get_evidence(session, evidence_id)
    action = _action_of(session, evidence)
    require(actor, Operation.DELETE_EVIDENCE, what=f"evidence on {action.reference}")
    why = _reason(reason, what="delete evidence")
    name, described = evidence.filename, describe(evidence)
    if evidence.storage == EvidenceStorage.FILES.value:
        directory = (store or EvidenceStore()).directory
        if directory is None or not evidence.storage_key:
            raise InvalidInput(
                f"{name} is kept in the file store, which is not set (TRACKER_EVIDENCE_DIR)"
            )
        remove_after_commit(session, directory, evidence.storage_key)
    else:
        delete_chunks(session, evidence_id)
    session.delete(evidence)
    session.flush()
    record_change(
        session,
        actor=actor,
        entity=ENTITY,
        entity_id=action.id,
        entity_label=action.reference,
        field=FIELD,
        old=described,
        new=f"deleted {name}",
        reason=why,
    )
    return name

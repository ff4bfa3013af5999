"""Reading evidence: the list on an action's page, and one file's bytes for a download.

Evidence is permission-checked like the action it proves: staff (administrators, executives,
secretaries, workstream leads and action owners) and whoever may attach evidence to the action
see all of it; partners see only files marked shareable, and are refused the others. The list
gives plain frozen rows (who added each file and when, its note, size, checksum, whether it is
shareable or superseded); ``open_evidence`` gives a file's name, type and bytes a chunk at a
time, checking the SHA-256 as they pass, and audits the download.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from tracker.db import session_scope
from tracker.errors import OperationFailed
from tracker.models import Action, ActionUpdate, Evidence, Person
from tracker.permissions import Actor, Operation, can, require
from tracker.services.actions import get_action, may_act_on
from tracker.services.audit import record_event
from tracker.services.evidence._storage import EvidenceStore, format_size, iter_content
from tracker.services.evidence._types import ACCEPTED_EXTENSIONS, BY_KEY
from tracker.services.evidence._write import get_evidence


@dataclass(frozen=True)
class EvidenceRow:
    """One evidence file as a list shows it."""

    id: int
    action_reference: str
    filename: str
    kind: str
    kind_label: str  # "PDF", "Word document" ...
    content_type: str
    size_bytes: int
    sha256: str
    note: str | None
    shareable: bool
    added_by: str
    added_at: datetime
    update_id: int | None
    update_created_at: datetime | None
    superseded_at: datetime | None
    superseded_by: str | None
    superseded_reason: str | None

    @property
    def size_words(self) -> str:
        return format_size(self.size_bytes)

    @property
    def superseded(self) -> bool:
        return self.superseded_at is not None


@dataclass(frozen=True)
class EvidencePanel:
    """The Evidence tab of an action's page, as the person asking may see it."""

    reference: str
    rows: tuple[EvidenceRow, ...]  # current first (newest first), then superseded
    may_add: bool  # attach, supersede, choose what partners see
    may_delete: bool
    sees_all: bool  # False: only the files marked shareable are listed
    limit_words: str
    accepted_extensions: tuple[str, ...]

    @property
    def current(self) -> tuple[EvidenceRow, ...]:
        return tuple(r for r in self.rows if not r.superseded)

    @property
    def superseded(self) -> tuple[EvidenceRow, ...]:
        return tuple(r for r in self.rows if r.superseded)


def _may_add(session: Session, actor: Actor, action: Action) -> bool:
    return may_act_on(session, actor, action, Operation.ADD_EVIDENCE)


def _sees_all(session: Session, actor: Actor, action: Action) -> bool:
    """May ``actor`` see this action's evidence not marked shareable? (Raises if they may not
    see the action's progress at all.)"""
    if _may_add(session, actor, action):
        return True
    require(actor, Operation.VIEW_PROGRESS, what=action.reference)
    return can(actor, Operation.VIEW_ALL_EVIDENCE)


def _label(kind: str) -> str:
    found = BY_KEY.get(kind)
    return found.label.split(" ", 1)[1] if found else kind


def list_evidence(
    session: Session, actor: Actor, action_ref: str, *, include_superseded: bool = True
) -> list[EvidenceRow]:
    """The action's evidence the actor may see: current files newest first, then superseded."""
    action = get_action(session, action_ref)
    sees_all = _sees_all(session, actor, action)
    adder, superseder = aliased(Person), aliased(Person)
    query = (
        select(Evidence, adder.name, superseder.name, ActionUpdate.created_at)
        .join(adder, col(adder.id) == Evidence.added_by_id, isouter=True)
        .join(superseder, col(superseder.id) == Evidence.superseded_by_id, isouter=True)
        .join(ActionUpdate, col(ActionUpdate.id) == Evidence.update_id, isouter=True)
        .where(Evidence.action_id == action.id)
    )
    if not sees_all:
        query = query.where(col(Evidence.shareable))
    if not include_superseded:
        query = query.where(col(Evidence.superseded_at).is_(None))
    rows = [
        EvidenceRow(
            id=evidence.id or 0,
            action_reference=action.reference,
            filename=evidence.filename,
            kind=evidence.kind,
            kind_label=_label(evidence.kind),
            content_type=evidence.content_type,
            size_bytes=evidence.size_bytes,
            sha256=evidence.sha256,
            note=evidence.note,
            shareable=evidence.shareable,
            added_by=added_by or "the operator",
            added_at=evidence.added_at,
            update_id=evidence.update_id,
            update_created_at=update_at,
            superseded_at=evidence.superseded_at,
            superseded_by=(superseded_by or "the operator") if evidence.superseded_at else None,
            superseded_reason=evidence.superseded_reason,
        )
        for evidence, added_by, superseded_by, update_at in session.exec(query).all()
    ]
    rows.sort(key=lambda r: (r.superseded, -r.added_at.timestamp(), -r.id))
    return rows


@dataclass
class EvidenceFile:
    """One file to download: its name, type, size and bytes (read while the session is open)."""

    id: int
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    _chunks: Iterator[bytes]

    def chunks(self) -> Iterator[bytes]:
        """The bytes, a chunk at a time; ``OperationFailed`` at the end if they are not the
        bytes that were uploaded (a damaged store)."""
        digest, size = hashlib.sha256(), 0
        try:
            for piece in self._chunks:
                digest.update(piece)
                size += len(piece)
                yield piece
        except OSError as exc:
            raise OperationFailed(
                f"{self.filename} cannot be read from the evidence store "
                f"({exc.strerror or type(exc).__name__})"
            ) from exc
        if size != self.size_bytes or digest.hexdigest() != self.sha256:
            raise OperationFailed(
                f"{self.filename} is damaged in the evidence store: its checksum no longer "
                "matches the one recorded when it was added"
            )

    def read_all(self) -> bytes:
        """The whole file (for Streamlit's download button, which needs bytes)."""
        return b"".join(self.chunks())


def open_evidence(
    session: Session, actor: Actor, evidence_id: int, *, store: EvidenceStore | None = None
) -> EvidenceFile:
    """The file for a download, if the actor may see it; audited."""
    evidence = get_evidence(session, evidence_id)
    action = session.get(Action, evidence.action_id)
    assert action is not None
    if not _sees_all(session, actor, action) and not evidence.shareable:
        require(actor, Operation.VIEW_ALL_EVIDENCE, what=f"evidence on {action.reference}")
    directory: Path | None = (store or EvidenceStore()).directory
    if evidence.storage == "files" and directory is None:
        raise OperationFailed(
            f"{evidence.filename} is kept in the file store, which is not set "
            "(TRACKER_EVIDENCE_DIR)"
        )
    record_event(
        session,
        actor=actor,
        entity="evidence",
        entity_id=evidence.id,
        entity_label=f"{action.reference} {evidence.filename}",
        field="downloaded",
        detail=f"SHA-256 {evidence.sha256}",
    )
    return EvidenceFile(
        id=evidence_id,
        filename=evidence.filename,
        content_type=evidence.content_type,
        size_bytes=evidence.size_bytes,
        sha256=evidence.sha256,
        _chunks=iter_content(session, evidence, directory),
    )


def load_evidence_panel(
    engine: Engine, *, actor: Actor, reference: str, store: EvidenceStore | None = None
) -> EvidencePanel:
    """Everything the Evidence tab shows, from one session."""
    store = store or EvidenceStore()
    with session_scope(engine) as session:
        action = get_action(session, reference)
        rows = list_evidence(session, actor, action.reference)
        return EvidencePanel(
            reference=action.reference,
            rows=tuple(rows),
            may_add=_may_add(session, actor, action),
            may_delete=can(actor, Operation.DELETE_EVIDENCE),
            sees_all=_sees_all(session, actor, action),
            limit_words=store.limit_words,
            accepted_extensions=ACCEPTED_EXTENSIONS,
        )

"""Test data for stocktake packs: evidence files, impact, values and feedback, inserted through
the models as their services store them (evidence in ``CHUNK_BYTES`` chunks)."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import select

from tests.conftest import GOVERNANCE_FILE
from tracker.db import session_scope
from tracker.governance import GovernanceConfig, load_governance
from tracker.models import (
    Action,
    ActionUpdate,
    Evidence,
    EvidenceChunk,
    Feedback,
    FeedbackAction,
    FeedbackPriority,
    MeasureValue,
    Person,
    Priority,
    SuccessMeasure,
)
from tracker.services.evidence import CHUNK_BYTES

# The period the tests report on, and moments inside and outside it (Europe/London, GMT).
PERIOD = (date(2026, 9, 1), date(2026, 11, 30))
INSIDE = datetime(2026, 10, 14, 10, 30, tzinfo=UTC)
BEFORE = datetime(2026, 8, 20, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def governance() -> GovernanceConfig:
    return load_governance(GOVERNANCE_FILE)


def pdf_bytes(size: int) -> bytes:
    """A file that starts like a PDF, with random bytes behind the header."""
    header = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    return header + os.urandom(max(size - len(header), 0))


class FakePdf:
    """Stands in for LibreOffice where a test is not about the PDF."""

    def convert(self, docx: bytes) -> bytes:
        return b"%PDF-1.7 made from " + hashlib.sha256(docx).hexdigest().encode()


class NoLibreOffice:
    def convert(self, docx: bytes) -> bytes:
        from tracker.papers.pdf import PdfUnavailable

        raise PdfUnavailable("PDF needs LibreOffice, which is not installed on this server")


def person_id(engine: Engine, email: str) -> int:
    with session_scope(engine) as session:
        found = session.exec(select(Person.id).where(Person.email == email)).one()
        assert found is not None
        return found


def action_id(engine: Engine, reference: str) -> int:
    with session_scope(engine) as session:
        found = session.exec(select(Action.id).where(Action.reference == reference)).one()
        assert found is not None
        return found


def add_evidence(
    engine: Engine,
    reference: str,
    filename: str,
    data: bytes,
    *,
    at: datetime = INSIDE,
    by: str = "head.of.send@example.org",
    note: str | None = None,
    update_id: int | None = None,
    superseded_at: datetime | None = None,
    sha256: str | None = None,
) -> int:
    """Store ``data`` as an evidence file on ``reference`` in the database's chunks."""
    with session_scope(engine, write=True) as session:
        owner = session.exec(select(Person.id).where(Person.email == by)).one()
        target = session.exec(select(Action.id).where(Action.reference == reference)).one()
        assert target is not None
        evidence = Evidence(
            action_id=target,
            update_id=update_id,
            filename=filename,
            content_type="application/pdf",
            kind="pdf",
            size_bytes=len(data),
            sha256=sha256 or hashlib.sha256(data).hexdigest(),
            note=note,
            added_by_id=owner,
            added_at=at,
            superseded_at=superseded_at,
            superseded_reason="Replaced by the signed copy" if superseded_at else None,
        )
        session.add(evidence)
        session.flush()
        assert evidence.id is not None
        for seq, start in enumerate(range(0, len(data), CHUNK_BYTES)):
            session.add(
                EvidenceChunk(
                    evidence_id=evidence.id, seq=seq, data=data[start : start + CHUNK_BYTES]
                )
            )
        return evidence.id


def set_impact(
    engine: Engine,
    update: ActionUpdate,
    *,
    rating: str = "evident",  # the key of "Impact evident" on the default scale
    evidence: str = "Families report shorter waits for an EP assessment.",
    voices: tuple[str, ...] = ("families",),
) -> None:
    with session_scope(engine, write=True) as session:
        stored = session.get(ActionUpdate, update.id)
        assert stored is not None
        stored.impact_rating = rating
        stored.impact_evidence = evidence
        stored.impact_voices = list(voices)
        session.add(stored)


def add_value(
    engine: Engine, measure: str, value: float, *, period_end: date, at: datetime = INSIDE
) -> None:
    with session_scope(engine, write=True) as session:
        found = session.exec(select(SuccessMeasure).where(SuccessMeasure.reference == measure))
        target = found.one()
        by = session.exec(select(Person.id).where(Person.email == "send.pmo@example.org")).one()
        session.add(
            MeasureValue(
                measure_id=target.id or 0,
                period_end=period_end,
                value=value,
                note='=HYPERLINK("http://evil.example")',
                entered_by_id=by,
                entered_at=at,
            )
        )


@dataclass(frozen=True)
class FeedbackEntry:
    reference: str
    said: str
    status: str = "done"
    priority: int | None = 2
    action: str | None = "P2.3"
    at: datetime = INSIDE


def add_feedback(engine: Engine, entry: FeedbackEntry) -> None:
    with session_scope(engine, write=True) as session:
        row = Feedback(
            reference=entry.reference,
            said=entry.said,
            source="Lancashire Parent Carer Forum",
            heard_on=entry.at.date(),
            we_did="Added two EP clinics a week.",
            impact="Waits down from 14 to 9 weeks.",
            status=entry.status,
            created_at=entry.at,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        if entry.priority is not None:
            pid = session.exec(select(Priority.id).where(Priority.number == entry.priority)).one()
            assert pid is not None
            session.add(FeedbackPriority(feedback_id=row.id, priority_id=pid))
        if entry.action is not None:
            aid = session.exec(select(Action.id).where(Action.reference == entry.action)).one()
            assert aid is not None
            session.add(FeedbackAction(feedback_id=row.id, action_id=aid))


def read_zip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def docx_text(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)

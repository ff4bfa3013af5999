"""Where evidence bytes live and how they are read back: streamed, never whole in memory.

In the database an evidence file is a run of ``evidence_chunk`` rows of at most ``CHUNK_BYTES``
each; in a file store (``TRACKER_EVIDENCE_DIR``) it is one file named by ``storage_key``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlmodel import Session, select

from tracker.models import Evidence, EvidenceChunk, EvidenceStorage

CHUNK_BYTES = 1 << 20
READ_BYTES = 1 << 16


def iter_content(session: Session, evidence: Evidence, store_dir: Path | None) -> Iterator[bytes]:
    """The file's bytes in order, a chunk at a time."""
    if evidence.storage == EvidenceStorage.FILES.value:
        if store_dir is None or not evidence.storage_key:
            raise FileNotFoundError(f"evidence {evidence.id} is in a file store that is not set")
        with (store_dir / evidence.storage_key).open("rb") as handle:
            while piece := handle.read(READ_BYTES):
                yield piece
        return
    seqs = session.exec(
        select(EvidenceChunk.seq)
        .where(EvidenceChunk.evidence_id == evidence.id)
        .order_by(EvidenceChunk.seq)  # type: ignore[arg-type]
    ).all()
    for seq in seqs:
        # One chunk row at a time, so a 25 MB file never sits in memory whole.
        chunk = session.get(EvidenceChunk, (evidence.id, seq))
        assert chunk is not None
        yield chunk.data
        session.expunge(chunk)

"""Where evidence bytes live and how they are written and read back: streamed, never whole.

In the database an evidence file is a run of ``evidence_chunk`` rows of at most ``CHUNK_BYTES``
each, written in the same transaction as its ``evidence`` row; in a file store
(``TRACKER_EVIDENCE_DIR``) it is one private file (mode 0600) named by ``storage_key``: its
SHA-256 and a random tail, so no two rows ever share a file. An upload is first
spooled to a private temporary file (in the store's folder, or the system's temporary folder
for database storage) while its size and checksum are computed, so its type can be checked
whole before anything is kept; the temporary file is removed whatever happens. A stored file
is made durable (fsync) before it is renamed into place, is removed again if the transaction
that records it rolls back, and a deleted one is unlinked only once its deletion is committed.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import event
from sqlmodel import Session, select

from tracker.config import Settings
from tracker.errors import InvalidInput, OperationFailed
from tracker.models import Evidence, EvidenceChunk, EvidenceStorage

CHUNK_BYTES = 1 << 20
READ_BYTES = 1 << 16
MIB = 1 << 20
_TEMP_PREFIX = ".upload-"


@dataclass(frozen=True)
class EvidenceStore:
    """Where new evidence goes and how big it may be: ``directory`` None keeps it in the
    database; ``max_bytes`` is the limit for one file."""

    directory: Path | None = None
    max_bytes: int = 25 * MIB

    @classmethod
    def from_settings(cls, settings: Settings) -> EvidenceStore:
        return cls(directory=settings.evidence_dir, max_bytes=settings.evidence_max_mb * MIB)

    @property
    def limit_words(self) -> str:
        return format_size(self.max_bytes)


def format_size(size: int) -> str:
    """A size as people read it: 512 bytes, 14 KB, 3.2 MB (1 MB = 1,048,576 bytes)."""
    if size < 1024:
        return f"{size:,} byte{'' if size == 1 else 's'}"
    if size < MIB:
        return f"{size / 1024:,.0f} KB"
    megabytes = size / MIB
    return f"{megabytes:,.0f} MB" if megabytes == int(megabytes) else f"{megabytes:,.1f} MB"


@dataclass(frozen=True)
class Spooled:
    """An upload copied to a private temporary file, with what was learnt on the way."""

    path: Path
    size: int
    sha256: str
    head: bytes  # the first bytes, to recognise the type


class TooLarge(InvalidInput):
    """The stream went past the limit; ``seen`` is how many bytes were read by then."""

    def __init__(self, seen: int) -> None:
        super().__init__(seen)
        self.seen = seen


@contextmanager
def spooled(
    stream: BinaryIO,
    *,
    directory: Path | None,
    max_bytes: int,
    head_bytes: int,
    watch: Callable[[bytes], None],
) -> Iterator[Spooled]:
    """Copy ``stream`` a chunk at a time into a temporary file (removed on leaving), hashing
    and counting it; raises ``TooLarge`` as soon as it passes ``max_bytes``."""
    if directory is not None:
        ensure_store(directory)
    handle, name = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=directory)  # mode 0600
    path = Path(name)
    try:
        digest, size, head = hashlib.sha256(), 0, b""
        with os.fdopen(handle, "wb") as out:
            while piece := stream.read(CHUNK_BYTES):
                size += len(piece)
                if size > max_bytes:
                    raise TooLarge(size)
                if len(head) < head_bytes:
                    head += piece[: head_bytes - len(head)]
                digest.update(piece)
                watch(piece)
                out.write(piece)
            out.flush()
            os.fsync(out.fileno())
        yield Spooled(path=path, size=size, sha256=digest.hexdigest(), head=head)
    finally:
        path.unlink(missing_ok=True)


def ensure_store(directory: Path) -> None:
    """The file store's folder, created private (0700) if it does not exist yet."""
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise OperationFailed(
            f"the evidence store {directory} cannot be used ({exc.strerror or exc})"
        ) from exc


def write_chunks(session: Session, evidence_id: int, source: Path) -> None:
    """The spooled file as ``evidence_chunk`` rows, flushed and let go one at a time."""
    with source.open("rb") as handle:
        seq = 0
        while piece := handle.read(CHUNK_BYTES):
            chunk = EvidenceChunk(evidence_id=evidence_id, seq=seq, data=piece)
            session.add(chunk)
            session.flush([chunk])
            session.expunge(chunk)
            seq += 1


def new_key(sha256: str) -> str:
    """A file store key no other row has: the checksum (for an operator reading the folder)
    and a random tail (so two uploads of one file never share, or delete, each other's)."""
    return f"{sha256}-{secrets.token_hex(8)}"


def place_file(session: Session, source: Path, directory: Path, key: str) -> None:
    """Move the spooled file to its key in the store (made durable first); if the session's
    transaction then rolls back, the file is removed again."""
    target = directory / key
    os.chmod(source, 0o600)
    os.replace(source, target)
    _fsync_directory(directory)

    def _forget(_session: Session) -> None:
        target.unlink(missing_ok=True)

    _on_outcome(session, rollback=_forget)


def remove_after_commit(session: Session, directory: Path, key: str) -> None:
    """Unlink the stored file once the deletion is committed (a rollback keeps it)."""
    target = directory / key

    def _unlink(_session: Session) -> None:
        target.unlink(missing_ok=True)

    _on_outcome(session, commit=_unlink)


def delete_chunks(session: Session, evidence_id: int) -> None:
    session.execute(
        EvidenceChunk.__table__.delete().where(  # type: ignore[attr-defined]
            EvidenceChunk.__table__.c.evidence_id == evidence_id  # type: ignore[attr-defined]
        )
    )


def _on_outcome(
    session: Session,
    *,
    commit: Callable[[Session], None] | None = None,
    rollback: Callable[[Session], None] | None = None,
) -> None:
    """Run ``commit`` after the session's transaction commits, or ``rollback`` after it rolls
    back: whichever comes first, once. (Listeners stay registered, as removing one while the
    session dispatches its events is not allowed; a flag makes them inert.)"""
    settled = False

    def _committed(s: Session) -> None:
        nonlocal settled
        if not settled:
            settled = True
            if commit is not None:
                commit(s)

    def _rolled_back(s: Session) -> None:
        nonlocal settled
        if not settled:
            settled = True
            if rollback is not None:
                rollback(s)

    event.listen(session, "after_commit", _committed)
    event.listen(session, "after_rollback", _rolled_back)


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


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

"""The audit log's hash chain: appending rows to it, and proving it was not changed afterwards.

Every audit row carries ``chain_seq`` (1, 2, 3... with no gaps), ``prev_hash`` (the previous
row's hash, None for the first) and ``row_hash``: SHA-256 over a canonical JSON list of its
content and ``prev_hash``. Appending takes the chain's head under a lock held to the end of
the transaction (PostgreSQL: ``pg_advisory_xact_lock``; SQLite: write sessions already hold the
database's write lock from ``BEGIN IMMEDIATE``), and ``chain_seq`` is unique, so two writers
can never both append the same position: the chain cannot fork. ``verify_audit_chain`` walks
the rows in order and names the first whose sequence, link or content does not match. The
database's triggers (migration 0002) refuse UPDATE and DELETE; the chain catches whoever
disables them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, text
from sqlmodel import Session, col

from tracker.errors import OperationFailed
from tracker.models import AuditLog

# The fields a row's hash covers, in this order; ``id`` is left out (the sequence orders rows).
HASHED_FIELDS = (
    "chain_seq",
    "at",
    "actor_id",
    "actor_label",
    "entity",
    "entity_id",
    "entity_label",
    "field",
    "old",
    "new",
    "reason",
    "prev_hash",
)
# Any constant: the key of the PostgreSQL advisory lock serialising appends to the chain.
_ADVISORY_LOCK_KEY = 7_406_101


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value


def row_digest(values: Mapping[str, Any]) -> str:
    """The SHA-256 (hex) of one row's hashed fields."""
    payload = json.dumps(
        [_canonical(values.get(name)) for name in HASHED_FIELDS],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _lock_chain(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})


def _chain_head(session: Session) -> tuple[int, str | None]:
    """The last row's sequence number and hash (0, None on an empty log), under the lock."""
    _lock_chain(session)
    head = session.execute(
        select(col(AuditLog.chain_seq), col(AuditLog.row_hash))
        .where(col(AuditLog.chain_seq).is_not(None))
        .order_by(col(AuditLog.chain_seq).desc())
        .limit(1)
    ).first()
    return (0, None) if head is None else (int(head[0]), head[1])


def _link(values: dict[str, Any], seq: int, prev_hash: str | None) -> dict[str, Any]:
    values["chain_seq"] = seq
    values["prev_hash"] = prev_hash
    values["row_hash"] = row_digest(values)
    return values


def append_audit_row(session: Session, row: AuditLog) -> None:
    """Chain ``row`` onto the log and flush it (in the caller's transaction)."""
    seq, prev_hash = _chain_head(session)
    values = _link(row.model_dump(exclude={"id"}), seq + 1, prev_hash)
    row.chain_seq, row.prev_hash, row.row_hash = seq + 1, prev_hash, values["row_hash"]
    session.add(row)
    session.flush()


def append_audit_rows(session: Session, rows: Iterable[Mapping[str, Any]]) -> int:
    """Chain plain row values onto the log with one bulk INSERT; returns how many."""
    seq, prev_hash = _chain_head(session)
    linked: list[dict[str, Any]] = []
    for values in rows:
        seq += 1
        row = _link({name: values.get(name) for name in HASHED_FIELDS}, seq, prev_hash)
        prev_hash = row["row_hash"]
        linked.append(row)
    if linked:
        session.execute(insert(AuditLog), linked)
    return len(linked)


@dataclass(frozen=True)
class ChainReport:
    """What ``verify_audit_chain`` found: rows checked, and the first bad row if any."""

    rows: int
    first_bad_id: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.first_bad_id is None

    def summary(self) -> str:
        if self.ok:
            return f"audit trail intact: {self.rows} rows, every hash matches"
        return f"audit trail broken at row {self.first_bad_id}: {self.problem}"


def _problem(row: AuditLog, expected_seq: int, prev_hash: str | None) -> str | None:
    if row.chain_seq != expected_seq:
        return (
            f"its position is {row.chain_seq}, where {expected_seq} was expected "
            "(a row was removed or added behind the app's back)"
        )
    if row.prev_hash != prev_hash:
        return "it does not follow the row before it (the previous hash differs)"
    if row.row_hash != row_digest(row.model_dump()):
        return "its content does not match its hash (it was changed after it was written)"
    return None


def verify_audit_chain(session: Session, *, batch: int = 2000) -> ChainReport:
    """Walk the whole log in order; the first row whose sequence, link or hash is wrong."""
    checked, prev_hash, last_id = 0, None, 0
    while True:
        query = select(AuditLog).where(col(AuditLog.id) > last_id).order_by(col(AuditLog.id))
        rows = session.execute(query.limit(batch)).scalars().all()
        if not rows:
            return ChainReport(rows=checked)
        for row in rows:
            problem = _problem(row, checked + 1, prev_hash)
            if problem is not None:
                return ChainReport(rows=checked, first_bad_id=row.id, problem=problem)
            checked, prev_hash, last_id = checked + 1, row.row_hash, row.id or 0
        session.expunge_all()


class AuditChainBroken(OperationFailed):
    """The audit trail does not verify; the message names the first row at fault."""

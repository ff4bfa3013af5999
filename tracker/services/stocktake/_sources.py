"""Small read functions over the tables a stocktake reports from.

Evidence files, impact on updates and "you said, we did" entries are written by their own
services; the pack only reads their tables, here, in plain rows, so it depends on the schema
and nothing else. Long reads (the audit log, measure values) are generators that fetch in
batches, so a busy quarter is never held whole in memory.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from tracker.models import (
    Action,
    ActionUpdate,
    AuditLog,
    Evidence,
    Feedback,
    FeedbackAction,
    FeedbackPriority,
    FeedbackStatus,
    MeasureValue,
    Person,
    SuccessMeasure,
)
from tracker.rules import reference_sort_key
from tracker.services.stocktake._model import EvidenceFile

BATCH_ROWS = 1000
FEEDBACK_ENTITY = "feedback"  # how the "you said, we did" service names its audit rows
CLOSED_FEEDBACK = frozenset({FeedbackStatus.DONE.value, FeedbackStatus.CLOSED.value})
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
_NAME_LIMIT = 180


def people_names(session: Session) -> dict[int, str]:
    """Everyone's name by id (a partnership has hundreds of people, not millions)."""
    rows = session.exec(select(col(Person.id), col(Person.name))).all()
    return {pid: name for pid, name in rows if pid}


def safe_name(name: str, *, fallback: str = "file") -> str:
    """A name that is one path segment on every file system: no folders, no control or
    reserved characters, no leading dots, not too long (the extension kept)."""
    last = re.split(r"[/\\]", name)[-1]  # a name with folders in it keeps only its own part
    cleaned = _UNSAFE_NAME.sub("_", last).strip().lstrip(".").strip()
    if not cleaned:
        return fallback
    if len(cleaned) > _NAME_LIMIT:
        _stem, dot, ext = cleaned.rpartition(".")
        ext = ext if dot and len(ext) <= 10 else ""
        cleaned = cleaned[: _NAME_LIMIT - len(ext) - 1].rstrip() + (f".{ext}" if ext else "")
    return cleaned


def _numbered(name: str, number: int) -> str:
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        return f"{name} ({number})"
    return f"{stem} ({number}).{ext}"


def read_evidence(
    session: Session, *, start: datetime, end: datetime, names: dict[int, str]
) -> list[EvidenceFile]:
    """Every evidence file added in ``[start, end)``, superseded ones too (marked), in
    reference order, each with its place in the pack; two files of one name in one folder
    become ``name.pdf`` and ``name (2).pdf``."""
    query: Any = (
        sa_select(Evidence, col(Action.reference), col(Action.title))
        .join(Action, col(Action.id) == col(Evidence.action_id))
        .where(col(Evidence.added_at) >= start, col(Evidence.added_at) < end)
    )
    rows = sorted(
        session.exec(query).all(),
        key=lambda r: (reference_sort_key(r[1]), r[0].added_at, r[0].id),
    )
    taken: dict[str, set[str]] = defaultdict(set)
    files = []
    for evidence, reference, title in rows:
        folder = safe_name(reference, fallback=f"action-{evidence.action_id}")
        base = safe_name(evidence.filename)
        name, number = base, 1
        while name.lower() in taken[folder]:
            number += 1
            name = _numbered(base, number)
        taken[folder].add(name.lower())
        files.append(
            EvidenceFile(
                id=evidence.id,
                action_id=evidence.action_id,
                reference=reference,
                action_title=title,
                update_id=evidence.update_id,
                filename=evidence.filename,
                path=f"evidence/{folder}/{name}",
                note=evidence.note or "",
                content_type=evidence.content_type,
                # No person: added from the command line (``tracker evidence add``).
                added_by=names.get(evidence.added_by_id or 0, "the operator"),
                added_at=evidence.added_at,
                sha256=evidence.sha256,
                size_bytes=int(evidence.size_bytes),
                superseded_at=evidence.superseded_at,
                superseded_reason=evidence.superseded_reason or "",
            )
        )
        session.expunge(evidence)
    return files


def load_evidence(session: Session, evidence_id: int) -> Evidence:
    found = session.get(Evidence, evidence_id)
    assert found is not None, evidence_id
    return found


@dataclass(frozen=True)
class ImpactRow:
    update_id: int
    action_id: int
    reference: str
    title: str
    priority_id: int
    rating: str
    evidence: str
    voices: tuple[str, ...]
    by: str
    at: datetime


def read_impact(
    session: Session, *, start: datetime, end: datetime, names: dict[int, str]
) -> list[ImpactRow]:
    """Updates saved in the period that report impact (a rating or words), oldest first."""
    query: Any = (
        sa_select(
            col(ActionUpdate.id),
            col(ActionUpdate.action_id),
            col(Action.reference),
            col(Action.title),
            col(Action.priority_id),
            col(ActionUpdate.impact_rating),
            col(ActionUpdate.impact_evidence),
            col(ActionUpdate.impact_voices),
            col(ActionUpdate.created_by_id),
            col(ActionUpdate.created_at),
        )
        .join(Action, col(Action.id) == col(ActionUpdate.action_id))
        .where(col(ActionUpdate.created_at) >= start, col(ActionUpdate.created_at) < end)
        .where(
            or_(
                col(ActionUpdate.impact_rating).is_not(None),
                col(ActionUpdate.impact_evidence).is_not(None),
            )
        )
        .order_by(col(ActionUpdate.created_at), col(ActionUpdate.id))
    )
    return [
        ImpactRow(
            update_id=uid,
            action_id=aid,
            reference=ref,
            title=title,
            priority_id=pid,
            rating=(rating or "").strip(),
            evidence=(words or "").strip(),
            voices=tuple(str(v) for v in (voices or ())),
            by=names.get(by or 0, "Unknown"),
            at=at,
        )
        for uid, aid, ref, title, pid, rating, words, voices, by, at in session.exec(query)
        if (rating or "").strip() or (words or "").strip()
    ]


def count_updates(session: Session, *, start: datetime, end: datetime) -> int:
    query: Any = sa_select(func.count()).where(
        col(ActionUpdate.created_at) >= start, col(ActionUpdate.created_at) < end
    )
    return int(session.exec(query).one()[0])


@dataclass(frozen=True)
class FeedbackRow:
    entry: Feedback
    priority_ids: frozenset[int]
    action_references: tuple[str, ...]
    action_priority_ids: frozenset[int]
    changed_in_period: bool
    closed_in_period: bool


def _feedback_changes(
    session: Session, start: datetime, end: datetime
) -> tuple[set[int], set[int]]:
    """Entries changed in the period, and those whose status became done or closed then."""
    changed: set[int] = set()
    closed: set[int] = set()
    query: Any = sa_select(col(AuditLog.entity_id), col(AuditLog.field), col(AuditLog.new)).where(
        col(AuditLog.entity) == FEEDBACK_ENTITY, col(AuditLog.at) >= start, col(AuditLog.at) < end
    )
    for entity_id, field, new in session.exec(query):
        if entity_id is None:
            continue
        changed.add(entity_id)
        if field == "status" and new in CLOSED_FEEDBACK:
            closed.add(entity_id)
    return changed, closed


def read_feedback(
    session: Session, *, start: datetime, end: datetime, days: tuple[date, date]
) -> list[FeedbackRow]:
    """The "you said, we did" entries a stocktake reports: heard, added or changed in the
    period, and every entry still open at its end (what families are still waiting on).
    An entry counts as closed in the period when its status became done or closed then (or
    it was added so)."""
    changed, closed = _feedback_changes(session, start, end)
    entries = session.exec(select(Feedback)).all()
    chosen = []
    for entry in entries:
        if entry.created_at >= end:
            continue  # added after the period: the next stocktake's
        created = start <= entry.created_at
        heard = entry.heard_on is not None and days[0] <= entry.heard_on <= days[1]
        still_open = entry.status not in CLOSED_FEEDBACK
        if created or heard or still_open or entry.id in changed:
            chosen.append(entry)
    ids = [e.id for e in chosen if e.id is not None]
    priorities: dict[int, set[int]] = defaultdict(set)
    actions: dict[int, list[tuple[str, int]]] = defaultdict(list)
    if ids:
        for fid, pid in session.exec(
            select(col(FeedbackPriority.feedback_id), col(FeedbackPriority.priority_id)).where(
                col(FeedbackPriority.feedback_id).in_(ids)
            )
        ):
            priorities[fid].add(pid)
        for fid, ref, pid in session.exec(
            select(col(FeedbackAction.feedback_id), col(Action.reference), col(Action.priority_id))
            .join(Action, col(Action.id) == col(FeedbackAction.action_id))
            .where(col(FeedbackAction.feedback_id).in_(ids))
        ):
            actions[fid].append((ref, pid))
    rows = []
    for entry in chosen:
        fid = entry.id or 0
        linked = sorted(actions.get(fid, []), key=lambda pair: reference_sort_key(pair[0]))
        rows.append(
            FeedbackRow(
                entry=entry,
                priority_ids=frozenset(priorities.get(fid, set())),
                action_references=tuple(ref for ref, _ in linked),
                action_priority_ids=frozenset(pid for _, pid in linked),
                changed_in_period=fid in changed,
                closed_in_period=fid in closed
                or (
                    start <= entry.created_at < end
                    and entry.status in CLOSED_FEEDBACK
                    and fid not in changed
                ),
            )
        )
    rows.sort(key=lambda r: reference_sort_key(r.entry.reference))
    return rows


@dataclass(frozen=True)
class ValueRow:
    measure_reference: str
    wording: str
    unit: str
    period_end: date
    period_label: str
    value: float | None
    note: str
    entered_by: str
    entered_at: datetime


def iter_measure_values(
    session: Session, *, start: datetime, end: datetime, names: dict[int, str]
) -> Iterator[ValueRow]:
    """Every measure value entered in the period, by measure and period."""
    query: Any = (
        sa_select(
            col(SuccessMeasure.reference),
            col(SuccessMeasure.wording),
            col(SuccessMeasure.unit),
            col(MeasureValue.period_end),
            col(MeasureValue.period_label),
            col(MeasureValue.value),
            col(MeasureValue.note),
            col(MeasureValue.entered_by_id),
            col(MeasureValue.entered_at),
        )
        .join(SuccessMeasure, col(SuccessMeasure.id) == col(MeasureValue.measure_id))
        .where(col(MeasureValue.entered_at) >= start, col(MeasureValue.entered_at) < end)
        .order_by(col(MeasureValue.entered_at), col(MeasureValue.id))
    )
    # A quarter holds a few values per measure: sorted here by measure reference as people
    # read them (P2.10 after P2.9), which SQL's string order cannot do.
    rows = list(session.exec(query))
    rows.sort(key=lambda r: (reference_sort_key(r[0]), r[3], r[8]))
    for ref, wording, unit, period_end, label, value, note, by, at in rows:
        yield ValueRow(
            measure_reference=ref,
            wording=wording,
            unit=unit,
            period_end=period_end,
            period_label=label or "",
            value=value,
            note=note or "",
            entered_by=names.get(by or 0, "Unknown") if by else "Not recorded",
            entered_at=at,
        )


def count_measure_values(session: Session, *, start: datetime, end: datetime) -> dict[str, int]:
    """How many values each measure (by reference) had entered in the period."""
    query: Any = (
        sa_select(col(SuccessMeasure.reference), func.count())
        .select_from(MeasureValue)
        .join(SuccessMeasure, col(SuccessMeasure.id) == col(MeasureValue.measure_id))
        .where(col(MeasureValue.entered_at) >= start, col(MeasureValue.entered_at) < end)
        .group_by(col(SuccessMeasure.reference))
    )
    return {ref: int(n) for ref, n in session.exec(query)}


def count_audit_rows(session: Session, *, start: datetime, end: datetime) -> int:
    query: Any = sa_select(func.count()).where(col(AuditLog.at) >= start, col(AuditLog.at) < end)
    return int(session.exec(query).one()[0])


def iter_audit_rows(session: Session, *, start: datetime, end: datetime) -> Iterator[Any]:
    """Every audit row in the period in the chain's order, fetched in batches."""
    query: Any = (
        sa_select(
            col(AuditLog.at),
            col(AuditLog.actor_label),
            col(AuditLog.entity),
            col(AuditLog.entity_id),
            col(AuditLog.entity_label),
            col(AuditLog.field),
            col(AuditLog.old),
            col(AuditLog.new),
            col(AuditLog.reason),
            col(AuditLog.chain_seq),
            col(AuditLog.row_hash),
        )
        .where(col(AuditLog.at) >= start, col(AuditLog.at) < end)
        .order_by(col(AuditLog.id))
        .execution_options(yield_per=BATCH_ROWS)
    )
    yield from session.exec(query)

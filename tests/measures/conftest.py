"""Helpers for the success-measure tests: values and targets set through the real services."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine
from sqlmodel import col, select

from tests.factories import HEAD_OF_SEND, actor
from tracker.db import session_scope
from tracker.models import AuditLog, SuccessMeasure
from tracker.services.measures import EnteredValue, enter_value, set_targets

TODAY = date(2026, 1, 15)
M23 = "M2.3"
OTHER_OWNER = "pfa.lead@example.org"  # owns the Priority 3 measures, not M2.3


def enter(
    engine: Engine,
    reference: str,
    period_end: date,
    value: float | None,
    *,
    by: str = HEAD_OF_SEND,
    note: str | None = None,
    reason: str | None = None,
) -> EnteredValue:
    with session_scope(engine, write=True) as session:
        return enter_value(
            session,
            actor=actor(session, by),
            reference=reference,
            period_end=period_end,
            value=value,
            note=note,
            reason=reason,
            today=TODAY,
        )


def set_m23_targets(engine: Engine, *, by: str = HEAD_OF_SEND) -> None:
    """M2.3: 30% (30 Jun 2025) to 60% by 31 Aug 2026, 10% tolerance, higher is better."""
    with session_scope(engine, write=True) as session:
        version = session.exec(
            select(SuccessMeasure.version).where(SuccessMeasure.reference == M23)
        ).one()
        set_targets(
            session,
            actor=actor(session, by),
            reference=M23,
            seen_version=version,
            baseline_value=30,
            baseline_date=date(2025, 6, 30),
            target_value=60,
            target_date=date(2026, 8, 31),
            tolerance_pct=10,
            direction="higher",
        )


def audit_rows(engine: Engine, reference: str) -> list[AuditLog]:
    with session_scope(engine) as session:
        measure_id = session.exec(
            select(SuccessMeasure.id).where(SuccessMeasure.reference == reference)
        ).one()
        return list(
            session.exec(
                select(AuditLog)
                .where(AuditLog.entity == "measure", AuditLog.entity_id == measure_id)
                .order_by(col(AuditLog.id))
            ).all()
        )

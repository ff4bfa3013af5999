"""Signing off success-measure values: provisional until the owner or performance lead says final.

A value is entered provisional. The measure's owner, or the performance lead governance.yaml
names for it (``measures:``), signs it off, which makes it final; where the configuration asks
for two people, whoever entered (or last corrected) the value cannot sign it off. Sign-off is
audited under the measure. Correcting a final value makes it provisional again (see
``store_value``). ``list_values_awaiting_sign_off`` is what the overview shows each person: the
provisional values they may sign off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from tracker import clock
from tracker.governance import MeasuresConfig
from tracker.models import MeasureValue, Person, SuccessMeasure
from tracker.permissions import Actor, PermissionDenied
from tracker.rules import reference_sort_key
from tracker.rules.measures import format_value
from tracker.services.audit import record_change
from tracker.services.measures._changes import FINAL, PROVISIONAL
from tracker.services.measures._sign_off_rule import sign_off_refusal
from tracker.services.measures._summaries import AUDIT_ENTITY, MeasureNotFound, find_measure

OPERATION = "sign_off_measure_value"


@dataclass(frozen=True)
class SignedOff:
    """What ``sign_off_value`` did: signed off, or found the value already final."""

    reference: str
    period_end: date
    value: float | None
    unit: str
    changed: bool


@dataclass(frozen=True)
class AwaitingSignOff:
    """A provisional value someone may sign off."""

    reference: str
    wording: str
    unit: str
    period_end: date
    period_label: str | None
    value: float | None
    entered_by: str | None
    entered_at: datetime


def sign_off_value(
    session: Session,
    *,
    actor: Actor,
    reference: str,
    period_end: date,
    config: MeasuresConfig,
    now: datetime | None = None,
) -> SignedOff:
    """Make the value of ``reference`` for ``period_end`` final, audited; PermissionDenied when
    ``actor`` is not its owner or performance lead (or entered it, where two people are asked)."""
    measure = find_measure(session, reference)
    value = session.exec(
        select(MeasureValue).where(
            MeasureValue.measure_id == measure.id, MeasureValue.period_end == period_end
        )
    ).first()
    if value is None:
        raise MeasureNotFound(f"{measure.reference} has no value for {period_end:%d %b %Y}")
    result = SignedOff(
        reference=measure.reference,
        period_end=period_end,
        value=value.value,
        unit=measure.unit,
        changed=value.status != FINAL,
    )
    if not result.changed:
        return result
    refusal = sign_off_refusal(
        actor,
        reference=measure.reference,
        owner_id=measure.owner_id,
        entered_by_id=value.entered_by_id,
        config=config,
    )
    if refusal is not None:
        raise PermissionDenied(
            f"{actor.name} may not sign off {measure.reference} for {period_end:%d %b %Y}: "
            f"{refusal}",
            actor=actor,
            operation=OPERATION,
        )
    value.status = FINAL
    value.signed_off_by_id = actor.person_id
    value.signed_off_at = now or clock.now()
    session.add(value)
    record_change(
        session,
        actor=actor,
        entity=AUDIT_ENTITY,
        entity_id=measure.id,
        entity_label=measure.reference,
        field=f"status for {period_end.isoformat()}",
        old=PROVISIONAL,
        new=FINAL,
        reason=f"signed off {format_value(value.value, measure.unit)}",
    )
    session.flush()
    return result


def list_values_awaiting_sign_off(
    session: Session, *, actor: Actor, config: MeasuresConfig
) -> list[AwaitingSignOff]:
    """The provisional values ``actor`` may sign off, by measure then period (newest first)."""
    if actor.person_id is None or not actor.active:
        return []
    rows = session.exec(
        select(MeasureValue, SuccessMeasure, Person.name)
        .join(SuccessMeasure, col(SuccessMeasure.id) == col(MeasureValue.measure_id))
        .outerjoin(Person, col(Person.id) == col(MeasureValue.entered_by_id))
        .where(MeasureValue.status != FINAL)
    ).all()
    found = [
        AwaitingSignOff(
            reference=measure.reference,
            wording=measure.wording,
            unit=measure.unit,
            period_end=value.period_end,
            period_label=value.period_label,
            value=value.value,
            entered_by=entered_by,
            entered_at=value.entered_at,
        )
        for value, measure, entered_by in rows
        if sign_off_refusal(
            actor,
            reference=measure.reference,
            owner_id=measure.owner_id,
            entered_by_id=value.entered_by_id,
            config=config,
        )
        is None
    ]
    found.sort(key=lambda a: (reference_sort_key(a.reference), -a.period_end.toordinal()))
    return found

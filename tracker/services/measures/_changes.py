"""Changing success measures: values, corrections, targets, narrative ratings, linked actions.

Every write checks permission first (administrators, and the measure's owner for values,
targets and narrative ratings; administrators alone for contributing actions), validates all
fields at once (``ValidationFailed`` names each field at fault), and records what changed in
the audit log under the measure, so a correction shows the old and the new value and who made
it. Changes to the measure itself are optimistic: the caller passes the version it showed and a
stale save raises ``ConflictError`` having written nothing. Values are keyed by period: entering
a value for a period that already has one is a correction of it. A value is entered
provisional; correcting one already signed off (final) makes it provisional again, audited.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from tracker import clock
from tracker.models import (
    Action,
    AuditLog,
    Direction,
    MeasureAction,
    MeasureUnit,
    MeasureValue,
    Rag,
    SuccessMeasure,
)
from tracker.permissions import Actor, Operation, require
from tracker.rules import clean_text, reference_sort_key
from tracker.rules.measures import (
    RATING_MODES,
    check_value,
    format_number,
    format_value,
    unit_label,
)
from tracker.services.actions import TEXT_LIMIT, ConflictError, ValidationFailed
from tracker.services.audit import record_change, record_changes
from tracker.services.measures._milestones import check_milestone_dates, list_milestones
from tracker.services.measures._summaries import AUDIT_ENTITY, find_measure

LABEL_LIMIT = 40  # measure_value.period_label
SOURCE_LIMIT = 300  # measure_value.source
PROVISIONAL, FINAL = "provisional", "final"


@dataclass(frozen=True)
class EnteredValue:
    """What ``enter_value`` did: a new value, a correction (with what it replaced), or nothing."""

    reference: str
    period_end: date
    period_label: str | None
    value: float | None
    note: str | None
    corrected: bool
    changed: bool
    old_value: float | None = None
    old_note: str | None = None
    # True when the correction took a signed-off (final) value back to provisional.
    reopened: bool = False


@dataclass(frozen=True)
class CleanValue:
    period_end: date
    period_label: str | None
    value: float | None
    note: str | None
    source: str | None = None
    caveat: str | None = None


def _require_owner_or_admin(actor: Actor, measure: SuccessMeasure, operation: Operation) -> None:
    preposition = "for " if operation is Operation.ENTER_MEASURE_VALUE else ""
    require(
        actor,
        operation,
        is_owner=measure.owner_id is not None and measure.owner_id == actor.person_id,
        what=f"{preposition}{measure.reference} (only its owner or an administrator may)",
    )


def _clean_text_field(
    errors: dict[str, str], name: str, value: str | None, limit: int
) -> str | None:
    try:
        return clean_text(value, max_length=limit)
    except ValueError as exc:
        errors[name] = str(exc)
        return None


def _clean_reason(reason: str | None) -> str | None:
    """The reason for a change, or ValidationFailed on ``reason`` saying how much to cut."""
    errors: dict[str, str] = {}
    clean = _clean_text_field(errors, "reason", reason, TEXT_LIMIT)
    if errors:
        raise ValidationFailed(errors)
    return clean


def validate_value(
    *,
    unit: str,
    period_end: date | None,
    value: float | None,
    note: str | None,
    period_label: str | None,
    today: date,
    source: str | None = None,
    caveat: str | None = None,
) -> CleanValue:
    """Check one value for a measure in ``unit``; ValidationFailed lists every field at fault."""
    errors: dict[str, str] = {}
    if period_end is None:
        errors["period_end"] = "give the date the period ends"
    elif period_end > today:
        errors["period_end"] = (
            f"the period ending {period_end:%d %b %Y} has not ended yet (today is {today:%d %b %Y})"
        )
    if problem := check_value(value, unit):
        errors["value"] = problem
    clean_note = _clean_text_field(errors, "note", note, TEXT_LIMIT)
    label = _clean_text_field(errors, "period_label", period_label, LABEL_LIMIT)
    clean_source = _clean_text_field(errors, "source", source, SOURCE_LIMIT)
    clean_caveat = _clean_text_field(errors, "caveat", caveat, TEXT_LIMIT)
    if value is None and unit == MeasureUnit.NARRATIVE.value and not clean_note and not errors:
        errors["note"] = "a narrative measure's entry needs a note saying what was found"
    if errors:
        raise ValidationFailed(errors)
    assert period_end is not None
    number = None if value is None else float(value)
    return CleanValue(
        period_end=period_end,
        period_label=label,
        value=number,
        note=clean_note,
        source=clean_source,
        caveat=clean_caveat,
    )


def enter_value(
    session: Session,
    *,
    actor: Actor,
    reference: str,
    period_end: date | None,
    value: float | None,
    note: str | None,
    period_label: str | None = None,
    reason: str | None = None,
    today: date | None = None,
    now: datetime | None = None,
    source: str | None = None,
    caveat: str | None = None,
) -> EnteredValue:
    """Record the value of a measure for the period ending ``period_end``, or correct it.

    A correction keeps the history: the audit log gets the old and the new value (and note,
    label, source, caveat) with who changed them and ``reason``, which a correction must give
    (ValidationFailed on ``reason`` otherwise). Submitting what is already stored changes
    nothing. The value is provisional until signed off (``sign_off_value``); correcting a final
    value makes it provisional again.
    """
    measure = find_measure(session, reference)
    _require_owner_or_admin(actor, measure, Operation.ENTER_MEASURE_VALUE)
    clean = validate_value(
        unit=measure.unit,
        period_end=period_end,
        value=value,
        note=note,
        period_label=period_label,
        today=today or clock.today(),
        source=source,
        caveat=caveat,
    )
    return store_value(
        session,
        actor=actor,
        measure=measure,
        clean=clean,
        reason=reason,
        now=now,
        reason_required=True,
    )


def store_value(
    session: Session,
    *,
    actor: Actor,
    measure: SuccessMeasure,
    clean: CleanValue,
    reason: str | None = None,
    now: datetime | None = None,
    reason_required: bool = False,
) -> EnteredValue:
    """Insert or correct one validated value, with its audit rows (permission already checked).

    With ``reason_required`` a correction without a reason is refused (ValidationFailed): a
    person changing a figure a board may already have seen says why. A spreadsheet import gives
    its file name as the reason instead.
    """
    assert measure.id is not None
    now = now or clock.now()
    existing = session.exec(
        select(MeasureValue).where(
            MeasureValue.measure_id == measure.id, MeasureValue.period_end == clean.period_end
        )
    ).first()
    old: tuple[Any, ...] = (
        (existing.value, existing.note, existing.period_label, existing.source, existing.caveat)
        if existing
        else (None, None, None, None, None)
    )
    new = (clean.value, clean.note, clean.period_label, clean.source, clean.caveat)
    was_final = existing is not None and existing.status == FINAL
    result = EnteredValue(
        reference=measure.reference,
        period_end=clean.period_end,
        period_label=clean.period_label,
        value=clean.value,
        note=clean.note,
        corrected=existing is not None,
        changed=existing is None or not _same(old, new),
        old_value=old[0],
        old_note=old[1],
        reopened=was_final and (existing is None or not _same(old, new)),
    )
    if not result.changed:
        return result
    if existing is not None and reason_required and not clean_text(reason):
        shown = _shown(old[0], measure.unit) or "a note"
        raise ValidationFailed(
            {
                "reason": f"{clean.period_end:%d/%m/%Y} already has {shown}: "
                "say why you are correcting it"
            }
        )
    if existing is None:
        existing = MeasureValue(measure_id=measure.id, period_end=clean.period_end)
    existing.value, existing.note, existing.period_label, existing.source, existing.caveat = new
    existing.entered_by_id = actor.person_id
    existing.entered_at = now
    # A changed figure is nobody's signed-off figure: it waits for sign-off again.
    existing.status = PROVISIONAL
    existing.signed_off_by_id = None
    existing.signed_off_at = None
    session.add(existing)
    try:
        session.flush()
    except IntegrityError as exc:
        # Someone else stored this period between our read and our insert. The failed flush
        # expired every loaded object, so the message uses the reference captured before it.
        raise ConflictError(reference=result.reference, changed_by=None, changed_at=None) from exc
    suffix = f" for {clean.period_end.isoformat()}"
    record_changes(
        session,
        actor=actor,
        entity=AUDIT_ENTITY,
        entity_id=measure.id,
        entity_label=measure.reference,
        changes={
            "value" + suffix: (_shown(old[0], measure.unit), _shown(new[0], measure.unit)),
            "note" + suffix: old[1:2] + new[1:2],
            "period label" + suffix: old[2:3] + new[2:3],
            "source" + suffix: old[3:4] + new[3:4],
            "caveat" + suffix: old[4:5] + new[4:5],
            "status" + suffix: (FINAL, PROVISIONAL) if was_final else (None, None),
        },
        reason=_clean_reason(reason),
    )
    return result


def _same(old: tuple[Any, ...], new: tuple[Any, ...]) -> bool:
    if (old[0] is None) != (new[0] is None):
        return False
    if old[0] is not None and not math.isclose(old[0], new[0], rel_tol=1e-12, abs_tol=1e-12):
        return False
    return bool(old[1:] == new[1:])


def _shown(value: float | None, unit: str) -> str | None:
    return None if value is None else format_value(value, unit)


# --- the measure itself: targets, narrative rating, contributing actions -----------------------


def _conflict(session: Session, measure: SuccessMeasure) -> ConflictError:
    last = session.exec(
        select(AuditLog)
        .where(AuditLog.entity == AUDIT_ENTITY, AuditLog.entity_id == measure.id)
        .order_by(col(AuditLog.at).desc(), col(AuditLog.id).desc())
    ).first()
    return ConflictError(
        reference=measure.reference,
        changed_by=last.actor_label if last else None,
        changed_at=last.at if last else None,
    )


def _guarded_update(
    session: Session,
    *,
    actor: Actor,
    measure: SuccessMeasure,
    seen_version: int,
    values: dict[str, Any],
    reason: str | None = None,
) -> None:
    """UPDATE ... WHERE id = ? AND version = seen, then audit the fields that really changed."""
    changes = {k: (getattr(measure, k), v) for k, v in values.items() if getattr(measure, k) != v}
    if not changes:
        return
    result = session.exec(
        update(SuccessMeasure)
        .where(col(SuccessMeasure.id) == measure.id, col(SuccessMeasure.version) == seen_version)
        .values(**values, version=seen_version + 1)
    )
    if result.rowcount != 1:
        raise _conflict(session, measure)
    unit = values.get("unit", measure.unit)
    record_changes(
        session,
        actor=actor,
        entity=AUDIT_ENTITY,
        entity_id=measure.id,
        entity_label=measure.reference,
        changes={
            k.replace("_", " "): (_audit_text(k, old, unit), _audit_text(k, new, unit))
            for k, (old, new) in changes.items()
        },
        reason=reason,
    )
    session.flush()
    session.refresh(measure)


def _audit_text(field: str, value: Any, unit: str) -> Any:
    """Figures in the audit log as people read them (60%, 13,402), other values as they are."""
    if field in ("baseline_value", "target_value") and value is not None:
        return format_value(value, unit)
    if field == "tolerance_pct" and value is not None:
        return f"{format_number(value)}%"
    return value


def _check_fresh(session: Session, measure: SuccessMeasure, seen_version: int) -> None:
    if measure.version != seen_version:
        raise _conflict(session, measure)


@dataclass(frozen=True)
class TargetFields:
    """A measure's targets as the owner sets them (validated together, see ``validate_targets``)."""

    baseline_value: float | None
    baseline_date: date | None
    target_value: float | None
    target_date: date | None
    tolerance_pct: float | None
    direction: str
    unit: str
    rating_mode: str
    baseline_note: str | None


def _check_pair(
    errors: dict[str, str], name: str, value: float | None, when: date | None, unit: str
) -> None:
    if value is not None and (problem := check_value(value, unit)):
        errors[f"{name}_value"] = problem
    if value is not None and when is None:
        errors[f"{name}_date"] = f"give the date of the {name}"
    if value is None and when is not None:
        errors[f"{name}_value"] = f"a {name} date needs a {name} value"


def validate_targets(fields: TargetFields) -> dict[str, Any]:
    """The columns to store, or ValidationFailed naming every field at fault."""
    errors: dict[str, str] = {}
    unit, direction, mode = fields.unit, fields.direction, fields.rating_mode
    if unit not in {u.value for u in MeasureUnit}:
        errors["unit"] = f"{unit!r} is not a unit"
    if direction not in {d.value for d in Direction}:
        errors["direction"] = "choose higher or lower is better"
    if mode not in RATING_MODES:
        errors["rating_mode"] = "choose numeric (against target) or narrative judgement"
    elif mode == "numeric" and unit == MeasureUnit.NARRATIVE.value:
        errors["rating_mode"] = "a narrative measure is rated by judgement: choose a numeric unit"
    _check_pair(errors, "baseline", fields.baseline_value, fields.baseline_date, unit)
    _check_pair(errors, "target", fields.target_value, fields.target_date, unit)
    tolerance = fields.tolerance_pct
    if tolerance is None or not math.isfinite(tolerance) or not 0 <= tolerance <= 100:
        errors["tolerance_pct"] = "tolerance is a percentage between 0 and 100"
    b_date, t_date = fields.baseline_date, fields.target_date
    if b_date and t_date and t_date <= b_date:
        errors.setdefault("target_date", "the target date must be after the baseline date")
    baseline, target = fields.baseline_value, fields.target_value
    if baseline is not None and target is not None and not errors:
        wrong_way = target < baseline if direction == Direction.HIGHER.value else target > baseline
        if wrong_way:
            word = "above" if direction == Direction.HIGHER.value else "below"
            errors["target_value"] = (
                f"with '{direction} is better' the target should be {word} the baseline "
                f"({format_value(baseline, unit)})"
            )
    note = _clean_text_field(errors, "baseline_note", fields.baseline_note, TEXT_LIMIT)
    if errors:
        raise ValidationFailed(errors)
    return {
        "baseline_value": None if baseline is None else float(baseline),
        "baseline_date": b_date,
        "baseline_note": note,
        "target_value": None if target is None else float(target),
        "target_date": t_date,
        "tolerance_pct": float(tolerance or 0.0),
        "direction": direction,
        "unit": unit,
        "rating_mode": mode,
    }


def _check_values_fit_unit(session: Session, measure: SuccessMeasure, unit: str) -> None:
    if unit == measure.unit:
        return
    stored = session.exec(select(MeasureValue).where(MeasureValue.measure_id == measure.id))
    for row in stored.all():
        if problem := check_value(row.value, unit):
            shown = format_value(row.value, measure.unit)
            raise ValidationFailed(
                {
                    "unit": f"{measure.reference} has a value of {shown} for "
                    f"{row.period_end:%d %b %Y} that does not fit {unit_label(unit).lower()}: "
                    f"{problem}; correct the values first"
                }
            )


def set_targets(
    session: Session,
    *,
    actor: Actor,
    reference: str,
    seen_version: int,
    baseline_value: float | None,
    baseline_date: date | None,
    target_value: float | None,
    target_date: date | None,
    tolerance_pct: float | None,
    direction: str,
    unit: str | None = None,
    rating_mode: str | None = None,
    baseline_note: str | None = None,
    reason: str | None = None,
) -> SuccessMeasure:
    """Set a measure's baseline, target, tolerance and direction (and unit, rating mode).

    ``unit``, ``rating_mode`` and ``baseline_note`` left as None keep what is stored; an empty
    ``baseline_note`` clears it. Each changed field is audited.
    """
    measure = find_measure(session, reference)
    _require_owner_or_admin(actor, measure, Operation.EDIT_MEASURE)
    _check_fresh(session, measure, seen_version)
    fields = TargetFields(
        baseline_value=baseline_value,
        baseline_date=baseline_date,
        target_value=target_value,
        target_date=target_date,
        tolerance_pct=tolerance_pct,
        direction=(direction or "").strip().lower(),
        unit=(unit or measure.unit).strip().lower(),
        rating_mode=(rating_mode or measure.rating_mode).strip().lower(),
        baseline_note=measure.baseline_note if baseline_note is None else baseline_note,
    )
    values = validate_targets(fields)
    _check_values_fit_unit(session, measure, values["unit"])
    assert measure.id is not None
    problem = check_milestone_dates(
        list_milestones(session, measure.id),
        baseline_date=values["baseline_date"],
        target_date=values["target_date"],
    )
    if problem is not None:
        field = "baseline_date" if "baseline" in problem else "target_date"
        raise ValidationFailed({field: problem})
    _guarded_update(
        session,
        actor=actor,
        measure=measure,
        seen_version=seen_version,
        values=values,
        reason=_clean_reason(reason),
    )
    return measure


def set_narrative_rating(
    session: Session,
    *,
    actor: Actor,
    reference: str,
    seen_version: int,
    rag: str | None,
    commentary: str | None,
) -> SuccessMeasure:
    """Record the owner's judgement of a measure rated by narrative, with its commentary."""
    measure = find_measure(session, reference)
    _require_owner_or_admin(actor, measure, Operation.EDIT_MEASURE)
    _check_fresh(session, measure, seen_version)
    errors: dict[str, str] = {}
    code = (rag or "").strip().lower() or None
    if measure.rating_mode != "narrative":
        errors["rag"] = (
            f"{measure.reference} is rated against its target; switch it to narrative "
            "judgement in its targets first"
        )
    elif code not in {r.value for r in Rag}:
        errors["rag"] = "choose Blue, Green, Amber or Red"
    text = _clean_text_field(errors, "commentary", commentary, TEXT_LIMIT)
    if not text and "commentary" not in errors:
        errors["commentary"] = "a narrative judgement needs commentary explaining it"
    if errors:
        raise ValidationFailed(errors)
    _guarded_update(
        session,
        actor=actor,
        measure=measure,
        seen_version=seen_version,
        values={"narrative_rag": code, "narrative_commentary": text},
    )
    return measure


def link_actions(
    session: Session,
    *,
    actor: Actor,
    reference: str,
    seen_version: int,
    action_references: Sequence[str],
) -> tuple[str, ...]:
    """Set which actions contribute to a measure (administrators); returns the new set."""
    measure = find_measure(session, reference)
    require(
        actor,
        Operation.EDIT_MEASURE,
        what=f"{measure.reference} (only administrators change its contributing actions)",
    )
    _check_fresh(session, measure, seen_version)
    wanted = {r.strip().upper() for r in action_references if r and r.strip()}
    found = {
        a.reference: a.id or 0
        for a in session.exec(select(Action).where(col(Action.reference).in_(sorted(wanted))))
    }
    if missing := sorted(wanted - found.keys(), key=reference_sort_key):
        raise ValidationFailed({"actions": f"no such action: {', '.join(missing)}"})
    current = {
        a.reference: a.id or 0
        for a in session.exec(
            select(Action)
            .join(MeasureAction, col(MeasureAction.action_id) == col(Action.id))
            .where(MeasureAction.measure_id == measure.id)
        )
    }
    if set(current) == wanted:
        return tuple(sorted(wanted, key=reference_sort_key))
    assert measure.id is not None
    for ref in current.keys() - wanted:
        link = session.get(MeasureAction, (measure.id, current[ref]))
        session.delete(link)
    for ref in wanted - current.keys():
        session.add(MeasureAction(measure_id=measure.id, action_id=found[ref]))
    result = session.exec(
        update(SuccessMeasure)
        .where(col(SuccessMeasure.id) == measure.id, col(SuccessMeasure.version) == seen_version)
        .values(version=seen_version + 1)
    )
    if result.rowcount != 1:
        raise _conflict(session, measure)
    record_change(
        session,
        actor=actor,
        entity=AUDIT_ENTITY,
        entity_id=measure.id,
        entity_label=measure.reference,
        field="contributing actions",
        old=", ".join(sorted(current, key=reference_sort_key)) or None,
        new=", ".join(sorted(wanted, key=reference_sort_key)) or None,
    )
    session.flush()
    return tuple(sorted(wanted, key=reference_sort_key))

"""Milestones: dated points a measure should reach on its way from baseline to target.

Whoever may set a measure's targets (its owner, administrators) adds and removes milestones.
Each is checked before anything is written: a date strictly between the baseline date and the
target date (where those are set), one milestone per date, a value that fits the measure's unit.
``ValidationFailed`` names the field at fault (``due_date``, ``value``, ``label``). Every change
is audited under the measure. The rating rules (:mod:`tracker.rules.measures`) then judge values
against the piecewise trajectory through baseline, milestones and target.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from tracker.models import MeasureMilestone, MeasureUnit, SuccessMeasure
from tracker.permissions import Actor, Operation, require
from tracker.rules import clean_text
from tracker.rules.measures import check_value, format_value
from tracker.services.actions import ValidationFailed
from tracker.services.audit import record_change
from tracker.services.measures._summaries import (
    AUDIT_ENTITY,
    Milestone,
    find_measure,
    load_milestones,
)

MILESTONE_LABEL_LIMIT = 80


def list_milestones(session: Session, measure_id: int) -> tuple[Milestone, ...]:
    return load_milestones(session, [measure_id]).get(measure_id, ())


def check_milestone_dates(
    milestones: tuple[Milestone, ...] | list[Milestone],
    *,
    baseline_date: date | None,
    target_date: date | None,
) -> str | None:
    """Why the milestones do not lie strictly between baseline and target dates, or None."""
    for m in milestones:
        if baseline_date is not None and m.due_date <= baseline_date:
            return (
                f"the milestone of {m.due_date:%d %b %Y} would come on or before the baseline "
                f"date ({baseline_date:%d %b %Y}): move or remove it first"
            )
        if target_date is not None and m.due_date >= target_date:
            return (
                f"the milestone of {m.due_date:%d %b %Y} would come on or after the target "
                f"date ({target_date:%d %b %Y}): move or remove it first"
            )
    return None


def _require_target_setter(actor: Actor, measure: SuccessMeasure) -> None:
    require(
        actor,
        Operation.EDIT_MEASURE,
        is_owner=measure.owner_id is not None and measure.owner_id == actor.person_id,
        what=f"{measure.reference}'s milestones (only its owner or an administrator may)",
    )


def add_milestone(
    session: Session,
    *,
    actor: Actor,
    reference: str,
    due_date: date | None,
    value: float | None,
    label: str | None = None,
) -> Milestone:
    """Add a milestone to ``reference``; ValidationFailed names every field at fault."""
    measure = find_measure(session, reference)
    _require_target_setter(actor, measure)
    assert measure.id is not None
    errors: dict[str, str] = {}
    if measure.rating_mode == "narrative" or measure.unit == MeasureUnit.NARRATIVE.value:
        errors["value"] = (
            f"{measure.reference} is rated by narrative judgement: milestones need a numeric "
            "measure"
        )
    elif value is None:
        errors["value"] = "give the value expected by the milestone date"
    elif problem := check_value(value, measure.unit):
        errors["value"] = problem
    if due_date is None:
        errors["due_date"] = "give the milestone's date"
    else:
        if measure.baseline_date is not None and due_date <= measure.baseline_date:
            errors["due_date"] = (
                f"must be after the baseline date ({measure.baseline_date:%d %b %Y})"
            )
        elif measure.target_date is not None and due_date >= measure.target_date:
            errors["due_date"] = f"must be before the target date ({measure.target_date:%d %b %Y})"
        elif session.exec(
            select(MeasureMilestone).where(
                MeasureMilestone.measure_id == measure.id, MeasureMilestone.due_date == due_date
            )
        ).first():
            errors["due_date"] = (
                f"{measure.reference} already has a milestone on {due_date:%d %b %Y}: remove it "
                "first to change it"
            )
    try:
        clean_label = clean_text(label, max_length=MILESTONE_LABEL_LIMIT)
    except ValueError as exc:
        errors["label"] = str(exc)
    if errors:
        raise ValidationFailed(errors)
    assert due_date is not None and value is not None
    session.add(
        MeasureMilestone(
            measure_id=measure.id, due_date=due_date, value=float(value), label=clean_label
        )
    )
    record_change(
        session,
        actor=actor,
        entity=AUDIT_ENTITY,
        entity_id=measure.id,
        entity_label=measure.reference,
        field=f"milestone for {due_date.isoformat()}",
        old=None,
        new=format_value(value, measure.unit) + (f" ({clean_label})" if clean_label else ""),
    )
    session.flush()
    return Milestone(due_date, float(value), clean_label)


def remove_milestone(
    session: Session, *, actor: Actor, reference: str, due_date: date, reason: str | None = None
) -> Milestone:
    """Remove the milestone of ``reference`` on ``due_date`` (ValidationFailed when none)."""
    measure = find_measure(session, reference)
    _require_target_setter(actor, measure)
    row = session.exec(
        select(MeasureMilestone).where(
            MeasureMilestone.measure_id == measure.id, MeasureMilestone.due_date == due_date
        )
    ).first()
    if row is None:
        raise ValidationFailed(
            {"due_date": f"{measure.reference} has no milestone on {due_date:%d %b %Y}"}
        )
    removed = Milestone(row.due_date, row.value, row.label)
    session.delete(row)
    record_change(
        session,
        actor=actor,
        entity=AUDIT_ENTITY,
        entity_id=measure.id,
        entity_label=measure.reference,
        field=f"milestone for {due_date.isoformat()}",
        old=format_value(removed.value, measure.unit),
        new=None,
        reason=clean_text(reason),
    )
    session.flush()
    return removed

"""Recording updates on actions, and administering the actions themselves.

``record_update`` is the heart of the product: it validates what the owner typed (commentary
for Red and Amber, a path to green for Red, a closing note to complete, a reason to move the due
date), strips characters XML forbids, and writes the update, the action's new state and the
audit rows in one transaction. Concurrency is optimistic: the caller passes the version it
showed, the row is updated only ``WHERE version = seen``, and a stale save raises
``ConflictError`` naming who changed the action and when, having written nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from tracker import clock
from tracker.errors import Conflict, InvalidInput, NotFound
from tracker.formatting import format_days, format_moment
from tracker.governance import ImpactConfig
from tracker.models import Action, ActionStatus, ActionUpdate, Person, Rag, Workstream
from tracker.permissions import Actor, Operation, can, require
from tracker.rules import clean_text, days_overdue, rag_label, reference_sort_number, status_label
from tracker.services.audit import record_change, record_changes

TEXT_LIMIT = 10_000
# A revised due date further ahead than this is a typing slip (2099 for 2029), refused by name.
REVISED_DUE_YEARS = 10
TITLE_LIMIT = 1000
URL_LIMIT = 2000


class ActionNotFound(NotFound):
    pass


class ActionMismatch(InvalidInput):
    """A save named a different action from the one its form was drawn for; nothing written."""


class ValidationFailed(InvalidInput):
    """One message per form field at fault, so a page can show each next to its field."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        self.fields = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


class ConflictError(Conflict):
    """Someone saved the action after the caller loaded it; nothing was written."""

    def __init__(self, *, reference: str, changed_by: str | None, changed_at: datetime | None):
        self.reference = reference
        self.changed_by = changed_by
        self.changed_at = changed_at
        when = format_moment(changed_at) if changed_at else "just now"
        who = changed_by or "someone else"
        super().__init__(
            f"{reference} was changed by {who} at {when} after you opened it. "
            "Reload to see their change; what you typed is kept."
        )


@dataclass(frozen=True)
class UpdateForm:
    """What an owner submits."""

    rag: str | None
    status: str
    commentary: str | None = None
    path_to_green: str | None = None
    next_steps: str | None = None
    revised_due_date: date | None = None
    due_date_reason: str | None = None
    evidence_url: str | None = None
    rating_reason: str | None = None
    # Impact, apart from delivery: a key of governance.yaml's impact scale (or its words),
    # the evidence of impact in words, whose voices it reflects, and a summary for families.
    impact_rating: str | None = None
    impact_evidence: str | None = None
    impact_voices: tuple[str, ...] = ()
    public_summary: str | None = None


@dataclass(frozen=True)
class CleanUpdate:
    rag: str | None
    status: str
    commentary: str | None
    path_to_green: str | None
    next_steps: str | None
    revised_due_date: date | None
    due_date_reason: str | None
    evidence_url: str | None
    rating_reason: str | None = None
    impact_rating: str | None = None
    impact_evidence: str | None = None
    impact_voices: tuple[str, ...] = ()
    public_summary: str | None = None


def get_action(session: Session, reference: str) -> Action:
    action = session.exec(select(Action).where(Action.reference == reference.strip())).first()
    if action is None:
        raise ActionNotFound(f"No action with reference {reference!r}")
    return action


def is_workstream_lead(session: Session, actor: Actor, action: Action) -> bool:
    if action.workstream_id is None:
        return False
    workstream = session.get(Workstream, action.workstream_id)
    return workstream is not None and workstream.lead_id == actor.person_id


def may_act_on(session: Session, actor: Actor, action: Action, operation: Operation) -> bool:
    """``can`` with the actor's ownership of ``action`` (owner or its workstream's lead)."""
    return can(
        actor,
        operation,
        is_owner=action.owner_id == actor.person_id,
        is_workstream_lead=is_workstream_lead(session, actor, action),
    )


def require_on(session: Session, actor: Actor, action: Action, operation: Operation) -> None:
    """``require`` with the actor's ownership of ``action``; PermissionDenied names the action."""
    require(
        actor,
        operation,
        is_owner=action.owner_id == actor.person_id,
        is_workstream_lead=is_workstream_lead(session, actor, action),
        what=action.reference,
    )


def may_update(session: Session, actor: Actor, action: Action) -> bool:
    return may_act_on(session, actor, action, Operation.UPDATE_ACTION)


def validate_update(
    form: UpdateForm,
    *,
    current_due: date | None,
    start_date: date | None = None,
    today: date | None = None,
    impact: ImpactConfig | None = None,
) -> CleanUpdate:
    """Check an update as the business rules require; raise ValidationFailed listing all faults.

    ``impact`` is governance.yaml's impact scale (its defaults when not given): a rating or a
    voice not on it is refused naming the field.
    """
    errors: dict[str, str] = {}
    texts: dict[str, str | None] = {}
    names = (
        "commentary",
        "path_to_green",
        "next_steps",
        "due_date_reason",
        "rating_reason",
        "impact_evidence",
        "public_summary",
    )
    for name in names:
        try:
            texts[name] = clean_text(getattr(form, name), max_length=TEXT_LIMIT)
        except ValueError as exc:
            errors[name] = str(exc)
            texts[name] = None
    try:
        evidence = clean_text(form.evidence_url, max_length=URL_LIMIT)
    except ValueError as exc:
        errors["evidence_url"] = str(exc)
        evidence = None
    if evidence and not evidence.lower().startswith(("https://", "http://")):
        errors["evidence_url"] = "must be a web link starting https://"
    rag = (form.rag or "").strip().lower() or None
    status = (form.status or "").strip().lower()
    if rag is not None and rag not in {r.value for r in Rag}:
        errors["rag"] = f"{form.rag!r} is not a RAG rating (Blue, Green, Amber or Red)"
    if status not in {s.value for s in ActionStatus}:
        errors["status"] = f"{form.status!r} is not a status"
    if rag is None and status not in (ActionStatus.WITHDRAWN.value, ActionStatus.COMPLETE.value):
        errors.setdefault("rag", "choose a RAG rating")
    if rag in (Rag.RED.value, Rag.AMBER.value) and not texts["commentary"]:
        article = "an" if rag == Rag.AMBER.value else "a"
        errors.setdefault(
            "commentary", f"commentary is required for {article} {rag_label(rag)} rating"
        )
    if rag == Rag.RED.value and not texts["path_to_green"]:
        errors.setdefault("path_to_green", "a path to green is required for a Red rating")
    if status == ActionStatus.COMPLETE.value:
        if rag not in (None, Rag.BLUE.value):
            errors.setdefault("rag", "a completed action is rated Blue")
        if not texts["commentary"]:
            errors.setdefault("commentary", "completing an action needs a closing note")
    elif rag == Rag.BLUE.value:
        errors.setdefault("status", "Blue means complete: set the status to Complete")
    if status == ActionStatus.WITHDRAWN.value and not texts["commentary"]:
        errors.setdefault("commentary", "say why the action is withdrawn")
    revised = form.revised_due_date
    if revised is not None and revised == current_due:
        revised = None
    if revised is not None and not texts["due_date_reason"]:
        errors["due_date_reason"] = "moving the due date needs a reason"
    if revised is not None:
        problem = _revised_date_problem(revised, start_date=start_date, today=today)
        if problem:
            errors["revised_due_date"] = problem
    inconsistency = _green_while_overdue(rag, status, revised or current_due, today)
    if inconsistency and not texts["rating_reason"]:
        errors.setdefault(
            "rating_reason",
            f"this action is {inconsistency}: Green means on track, so choose another rating, "
            "or say here why Green is right",
        )
    impact_rating, voices = _clean_impact(form, impact or ImpactConfig(), errors)
    if errors:
        raise ValidationFailed(errors)
    if status == ActionStatus.WITHDRAWN.value:
        # A withdrawn action is no longer delivered, so it carries no rating.
        rag = None
    return CleanUpdate(
        rag=Rag.BLUE.value if status == ActionStatus.COMPLETE.value else rag,
        status=status,
        commentary=texts["commentary"],
        path_to_green=texts["path_to_green"],
        next_steps=texts["next_steps"],
        revised_due_date=revised,
        due_date_reason=texts["due_date_reason"] if revised else None,
        evidence_url=evidence,
        rating_reason=texts["rating_reason"] if inconsistency else None,
        impact_rating=impact_rating,
        impact_evidence=texts["impact_evidence"],
        impact_voices=voices,
        public_summary=texts["public_summary"],
    )


def _clean_impact(
    form: UpdateForm, scale: ImpactConfig, errors: dict[str, str]
) -> tuple[str | None, tuple[str, ...]]:
    """The impact rating's key and the voices' keys, in the scale's order; faults into
    ``errors`` by field. Words ("Early signs") are accepted as well as keys."""
    rating: str | None = None
    typed = (form.impact_rating or "").strip()
    if typed:
        found = scale.find_rating(typed)
        if found is None:
            words = ", ".join(r.label for r in scale.ratings)
            errors["impact_rating"] = f"{typed!r} is not an impact rating ({words})"
        else:
            rating = found.key
    chosen: set[str] = set()
    unknown: list[str] = []
    for value in form.impact_voices:
        text = (value or "").strip()
        if not text:
            continue
        voice = scale.find_voice(text)
        if voice is None:
            unknown.append(text)
        else:
            chosen.add(voice.key)
    if unknown:
        words = ", ".join(v.label for v in scale.voices)
        names = ", ".join(repr(u) for u in unknown)
        errors["impact_voices"] = f"{names} not a voice on the impact scale ({words})"
    return rating, tuple(v.key for v in scale.voices if v.key in chosen)


def _revised_date_problem(
    revised: date, *, start_date: date | None, today: date | None
) -> str | None:
    """Why a revised due date cannot be stored, or None: nothing typed is dropped silently."""
    if today is not None and revised < today:
        return "a revised due date cannot be in the past"
    if start_date is not None and revised < start_date:
        return "a revised due date cannot be before the action's start"
    if today is not None and revised > today.replace(year=today.year + REVISED_DUE_YEARS, day=28):
        return (
            f"a revised due date more than {REVISED_DUE_YEARS} years ahead is not plausible; "
            "check the year"
        )
    return None


def _green_while_overdue(
    rag: str | None, status: str, due: date | None, today: date | None
) -> str | None:
    """``154 days overdue`` when a Green rating contradicts the due date, else None."""
    if rag != Rag.GREEN.value or today is None:
        return None
    overdue = days_overdue(due_date=due, status=status, today=today)
    return f"{format_days(overdue)} overdue" if overdue else None


def _changed_by(session: Session, action: Action) -> str | None:
    if action.last_updated_by_id is None:
        return None
    person = session.get(Person, action.last_updated_by_id)
    return person.name if person else None


def _conflict(session: Session, action_id: int) -> ConflictError:
    session.expire_all()
    current = session.get(Action, action_id)
    assert current is not None
    return ConflictError(
        reference=current.reference,
        changed_by=_changed_by(session, current),
        changed_at=current.last_updated_at,
    )


def _guarded_update(
    session: Session, action: Action, seen_version: int, values: dict[str, Any]
) -> None:
    """UPDATE ... WHERE id = ? AND version = seen; ConflictError if another save came first."""
    assert action.id is not None
    result = session.exec(
        update(Action)
        .where(col(Action.id) == action.id, col(Action.version) == seen_version)
        .values(**values, version=seen_version + 1)
    )
    if result.rowcount != 1:
        raise _conflict(session, action.id)


def record_update(
    session: Session,
    *,
    actor: Actor,
    reference: str,
    seen_version: int,
    form: UpdateForm,
    source: str = "app",
    now: datetime | None = None,
    action_id: int | None = None,
    today: date | None = None,
    impact: ImpactConfig | None = None,
) -> ActionUpdate:
    """Validate and store an owner's update; one transaction, or nothing at all.

    ``action_id``, when given, is the action the form was drawn for: a save whose reference
    names another action is refused, so an update can only land on the action in its header.
    """
    action = get_action(session, reference)
    if action_id is not None and action.id != action_id:
        raise ActionMismatch(
            f"Nothing was saved: this form was opened for another action than {action.reference}."
            " Open the action again and re-enter the update."
        )
    require_on(session, actor, action, Operation.UPDATE_ACTION)
    withdrawing = (form.status or "").strip().lower() == ActionStatus.WITHDRAWN.value
    if withdrawing or action.status == ActionStatus.WITHDRAWN.value:
        # Taking an action out of the plan, or bringing it back, is the plan's keeper's call.
        require(actor, Operation.MANAGE_ACTIONS, what=action.reference)
    if action.version != seen_version:
        raise _conflict(session, action.id or 0)
    now = now or clock.now()
    # ``today`` is the app's day (pinned in demonstrations), so the rules agree with the page.
    clean = validate_update(
        form,
        current_due=action.due_date,
        start_date=action.start_date,
        today=today or now.date(),
        impact=impact,
    )
    values: dict[str, Any] = {
        "rag": clean.rag,
        "status": clean.status,
        "latest_commentary": clean.commentary,
        "path_to_green": clean.path_to_green,
        "next_steps": clean.next_steps,
        "last_updated_at": now,
        "last_updated_by_id": actor.person_id,
    }
    if clean.revised_due_date is not None:
        values["due_date"] = clean.revised_due_date
    before = {name: getattr(action, name) for name in values}
    _guarded_update(session, action, seen_version, values)
    entry = ActionUpdate(
        action_id=action.id or 0,
        rag=clean.rag,
        status=clean.status,
        commentary=clean.commentary,
        path_to_green=clean.path_to_green,
        next_steps=clean.next_steps,
        revised_due_date=clean.revised_due_date,
        due_date_reason=clean.due_date_reason,
        evidence_url=clean.evidence_url,
        rating_reason=clean.rating_reason,
        impact_rating=clean.impact_rating,
        impact_evidence=clean.impact_evidence,
        impact_voices=list(clean.impact_voices),
        public_summary=clean.public_summary,
        created_by_id=actor.person_id,
        created_at=now,
        source=source,
    )
    session.add(entry)
    audited = ("rag", "status", "due_date", "latest_commentary", "path_to_green", "next_steps")
    record_changes(
        session,
        actor=actor,
        entity="action",
        entity_id=action.id,
        entity_label=action.reference,
        changes={k: (before[k], values[k]) for k in audited if k in values},
        reason=clean.due_date_reason,
    )
    session.flush()
    _audit_impact(session, actor=actor, action=action, entry=entry, clean=clean)
    session.flush()
    session.refresh(action)
    return entry


def _audit_impact(
    session: Session, *, actor: Actor, action: Action, entry: ActionUpdate, clean: CleanUpdate
) -> None:
    """Audit the update's impact fields against the action's previous update (what the form
    carried forward), so the trail shows each change of rating, evidence, voices and summary."""
    previous = session.exec(
        select(ActionUpdate)
        .where(ActionUpdate.action_id == action.id, col(ActionUpdate.id) != entry.id)
        .order_by(col(ActionUpdate.created_at).desc(), col(ActionUpdate.id).desc())
        .limit(1)
    ).first()
    before: dict[str, Any] = {
        "impact_rating": previous.impact_rating if previous else None,
        "impact_evidence": previous.impact_evidence if previous else None,
        "impact_voices": ", ".join(previous.impact_voices) if previous else "",
        "public_summary": previous.public_summary if previous else None,
    }
    after: dict[str, Any] = {
        "impact_rating": clean.impact_rating,
        "impact_evidence": clean.impact_evidence,
        "impact_voices": ", ".join(clean.impact_voices),
        "public_summary": clean.public_summary,
    }
    changes = {k: (before[k] or None, after[k] or None) for k in after}
    record_changes(
        session,
        actor=actor,
        entity="action",
        entity_id=action.id,
        entity_label=action.reference,
        changes={k: v for k, v in changes.items() if v[0] != v[1]},
    )


# --- administration ------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionFields:
    """The fields an administrator sets when creating or editing an action."""

    reference: str
    title: str
    priority_id: int
    description: str | None = None
    workstream_id: int | None = None
    owner_id: int | None = None
    lead_organisation_id: int | None = None
    body_id: int | None = None
    start_date: date | None = None
    due_date: date | None = None
    # What will be different for children, young people and families when it is delivered.
    expected_impact: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _clean_fields(fields: ActionFields) -> dict[str, Any]:
    errors: dict[str, str] = {}
    reference = (fields.reference or "").strip().upper()
    if not reference:
        errors["reference"] = "a reference such as P2.3 is required"
    elif len(reference) > 20:
        errors["reference"] = "at most 20 characters"
    try:
        title = clean_text(fields.title, max_length=TITLE_LIMIT)
    except ValueError as exc:
        errors["title"] = str(exc)
        title = None
    if not title:
        errors.setdefault("title", "a title is required")
    try:
        description = clean_text(fields.description, max_length=TEXT_LIMIT)
    except ValueError as exc:
        errors["description"] = str(exc)
        description = None
    try:
        expected_impact = clean_text(fields.expected_impact, max_length=TEXT_LIMIT)
    except ValueError as exc:
        errors["expected_impact"] = str(exc)
        expected_impact = None
    if fields.start_date and fields.due_date and fields.due_date < fields.start_date:
        errors["due_date"] = "the due date is before the start date"
    if errors:
        raise ValidationFailed(errors)
    return {
        "reference": reference,
        "title": title,
        "description": description,
        "expected_impact": expected_impact,
        "priority_id": fields.priority_id,
        "workstream_id": fields.workstream_id,
        "owner_id": fields.owner_id,
        "lead_organisation_id": fields.lead_organisation_id,
        "body_id": fields.body_id,
        "start_date": fields.start_date,
        "due_date": fields.due_date,
    }


def create_action(session: Session, *, actor: Actor, fields: ActionFields) -> Action:
    require(actor, Operation.MANAGE_ACTIONS)
    values = _clean_fields(fields)
    exists = session.exec(select(Action.id).where(Action.reference == values["reference"])).first()
    if exists is not None:
        raise ValidationFailed({"reference": f"{values['reference']} already exists"})
    action = Action(
        **values,
        original_due_date=values["due_date"],
        sort_key=reference_sort_number(values["reference"]),
        source="manual",
    )
    session.add(action)
    session.flush()
    record_change(
        session,
        actor=actor,
        entity="action",
        entity_id=action.id,
        entity_label=action.reference,
        field="created",
        old=None,
        new=action.reference,
    )
    return action


def edit_action(
    session: Session,
    *,
    actor: Actor,
    reference: str,
    seen_version: int,
    fields: ActionFields,
    reason: str | None = None,
) -> Action:
    """Change an action's details (administrators); audited field by field."""
    require(actor, Operation.MANAGE_ACTIONS, what=reference)
    action = get_action(session, reference)
    values = _clean_fields(fields)
    if values["reference"] != action.reference:
        clash = session.exec(
            select(Action.id).where(Action.reference == values["reference"])
        ).first()
        if clash is not None:
            raise ValidationFailed({"reference": f"{values['reference']} already exists"})
    # Saving the form is the administrator vouching for every detail on it, seeded or not.
    values["planning_confirmed"] = True
    changes = {k: (getattr(action, k), v) for k, v in values.items() if getattr(action, k) != v}
    if not changes:
        return action
    _guarded_update(session, action, seen_version, values)
    record_changes(
        session,
        actor=actor,
        entity="action",
        entity_id=action.id,
        entity_label=values["reference"],
        changes=changes,
        reason=clean_text(reason),
    )
    session.flush()
    session.refresh(action)
    return action


def reassign_action(
    session: Session, *, actor: Actor, reference: str, seen_version: int, owner_id: int
) -> Action:
    require(actor, Operation.MANAGE_ACTIONS, what=reference)
    action = get_action(session, reference)
    new_owner = session.get(Person, owner_id)
    if new_owner is None or not new_owner.active:
        raise ValidationFailed({"owner": "choose an active person"})
    old_owner = session.get(Person, action.owner_id) if action.owner_id else None
    _guarded_update(session, action, seen_version, {"owner_id": owner_id})
    record_change(
        session,
        actor=actor,
        entity="action",
        entity_id=action.id,
        entity_label=action.reference,
        field="owner",
        old=old_owner.email if old_owner else None,
        new=new_owner.email,
    )
    session.flush()
    session.refresh(action)
    return action


def withdraw_action(
    session: Session, *, actor: Actor, reference: str, seen_version: int, reason: str
) -> ActionUpdate:
    """Withdraw an action (administrators): recorded as an update, so the reason is evidence."""
    require(actor, Operation.MANAGE_ACTIONS, what=reference)
    get_action(session, reference)  # a clear "no such action" before checking the reason
    if not clean_text(reason):
        raise ValidationFailed({"reason": "say why the action is withdrawn"})
    form = UpdateForm(rag=None, status=ActionStatus.WITHDRAWN.value, commentary=reason)
    return record_update(
        session, actor=actor, reference=reference, seen_version=seen_version, form=form
    )


def describe_update(entry: ActionUpdate) -> str:
    """One line for histories: 'Amber, In progress'."""
    return f"{rag_label(entry.rag)}, {status_label(entry.status)}"

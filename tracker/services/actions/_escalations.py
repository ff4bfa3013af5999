"""Escalating an action to the next board up, and that board closing the escalation.

An action's owner, its workstream lead, a board secretary or an administrator may escalate it
with a reason. It goes to the body above the one where it now sits: the body the action's
overseeing body reports to (``reports_to``) or, for a body with no reporting line, the next
board up the cascade of papers (action level, then workstream, then strategic). An action
already escalated sits with the board it was last escalated to, so escalating it again carries
it one step further up. Every escalation is recorded in the ``escalation`` table and audited on
the action; open ones are printed in the receiving board's papers under "Escalations" until that
board's secretary (or its chair, or an administrator) closes them with a decision.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from tracker import clock
from tracker.errors import Conflict, InvalidInput
from tracker.governance import GovernanceConfig
from tracker.models import Action, Escalation, GovernanceBody, Meeting, Person, Role
from tracker.permissions import Actor, Operation, PermissionDenied
from tracker.rules import clean_text
from tracker.services.actions._updates import TEXT_LIMIT, get_action, may_act_on, require_on
from tracker.services.audit import record_change
from tracker.services.outbox import NewMessage, enqueue_messages, make_dedupe_key

REASON_LIMIT = TEXT_LIMIT
AUDIT_FIELD = "escalation"
NOTIFY_RULE = "escalation_raised"
# Paper levels from the bottom of the cascade to the top.
CASCADE_LEVELS = ("action", "workstream", "strategic")


class EscalationError(InvalidInput):
    """An escalation cannot be raised or closed; the message says why (and, with ``field``, it
    is shown under that form field: ``reason`` or ``resolution``)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        if field is not None:
            self.fields = {field: message}


class EscalationTargetChanged(Conflict):
    """The body the action would go to is not the one the person was shown; nothing recorded."""


@dataclass(frozen=True)
class EscalationRow:
    """One escalation as screens and papers show it."""

    id: int
    reference: str
    action_title: str
    from_body: str | None
    to_body: str
    to_body_id: int
    reason: str
    raised_by: str | None
    raised_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None
    resolution: str | None

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


def _rows(session: Session, *conditions: Any) -> list[EscalationRow]:
    source, target = aliased(GovernanceBody), aliased(GovernanceBody)
    raiser, resolver = aliased(Person), aliased(Person)
    # Seven columns is past sqlmodel.select's typed overloads, so SQLAlchemy's select.
    query: Any = (
        sa_select(
            Escalation,
            col(Action.reference),
            col(Action.title),
            col(source.name),
            col(target.name),
            col(raiser.name),
            col(resolver.name),
        )
        .join(Action, col(Action.id) == col(Escalation.action_id))
        .join(target, col(target.id) == col(Escalation.to_body_id))
        .outerjoin(source, col(source.id) == col(Escalation.from_body_id))
        .outerjoin(raiser, col(raiser.id) == col(Escalation.raised_by_id))
        .outerjoin(resolver, col(resolver.id) == col(Escalation.resolved_by_id))
        .where(*conditions)
        .order_by(col(Escalation.raised_at), col(Escalation.id))
    )
    return [
        EscalationRow(
            id=e.id or 0,
            reference=reference,
            action_title=title,
            from_body=from_name,
            to_body=to_name,
            to_body_id=e.to_body_id,
            reason=e.reason,
            raised_by=raised_by,
            raised_at=e.raised_at,
            resolved_at=e.resolved_at,
            resolved_by=resolved_by,
            resolution=e.resolution,
        )
        for e, reference, title, from_name, to_name, raised_by, resolved_by in session.exec(query)
    ]


def list_action_escalations(session: Session, *, reference: str) -> list[EscalationRow]:
    """Every escalation of one action, oldest first."""
    action = get_action(session, reference)
    return _rows(session, col(Escalation.action_id) == action.id)


def list_open_escalations(
    session: Session, *, to_body_id: int, raised_before: datetime | None = None
) -> list[EscalationRow]:
    """The escalations a board has still to close (raised before a moment, if given)."""
    conditions = [
        col(Escalation.to_body_id) == to_body_id,
        col(Escalation.resolved_at).is_(None),
    ]
    if raised_before is not None:
        conditions.append(col(Escalation.raised_at) < raised_before)
    return _rows(session, *conditions)


def list_all_open_escalations(session: Session) -> list[EscalationRow]:
    """Every escalation not yet closed with a decision, oldest first (the overview's list)."""
    return _rows(session, col(Escalation.resolved_at).is_(None))


def _current_body(session: Session, action: Action) -> GovernanceBody | None:
    """Where the action sits now: the board it was last escalated to, else its own body."""
    latest = session.exec(
        select(Escalation.to_body_id)
        .where(Escalation.action_id == action.id, col(Escalation.resolved_at).is_(None))
        .order_by(col(Escalation.raised_at).desc(), col(Escalation.id).desc())
    ).first()
    body_id = latest if latest is not None else action.body_id
    return session.get(GovernanceBody, body_id) if body_id is not None else None


def _cascade(session: Session, governance: GovernanceConfig | None) -> list[GovernanceBody]:
    """The boards with papers, bottom of the cascade first."""
    if governance is None:
        return []
    levels = {b.key: b.paper.level for b in governance.bodies if b.paper is not None}
    rows = session.exec(
        select(GovernanceBody).where(
            col(GovernanceBody.key).in_(list(levels)), col(GovernanceBody.active)
        )
    ).all()
    return sorted(rows, key=lambda row: CASCADE_LEVELS.index(levels[row.key]))


def receives_escalations(session: Session, body: GovernanceBody) -> bool:
    """A body can take an escalation if it is active and meets or has a named secretary or
    chair: otherwise nobody would read it (a Cabinet with no calendar in governance.yaml)."""
    if not body.active:
        return False
    if body.secretary_id is not None or body.chair_id is not None:
        return True
    meets = session.exec(
        select(Meeting.id).where(Meeting.body_id == body.id, col(Meeting.cancelled).is_(False))
    ).first()
    return meets is not None


def _receiving_body_above(
    session: Session, current: GovernanceBody | None
) -> GovernanceBody | None:
    """The nearest body up the reporting line from ``current`` that can take an escalation."""
    seen: set[int] = set()
    body = current
    while body is not None and body.reports_to_id is not None and body.reports_to_id not in seen:
        seen.add(body.reports_to_id)
        body = session.get(GovernanceBody, body.reports_to_id)
        if body is not None and receives_escalations(session, body):
            return body
    return None


def find_escalation_target(
    session: Session, *, reference: str, governance: GovernanceConfig | None = None
) -> GovernanceBody:
    """The body an escalation of the action would go to now; EscalationError if none."""
    action = get_action(session, reference)
    current = _current_body(session, action)
    target = _receiving_body_above(session, current)
    if target is not None:
        return target
    cascade = _cascade(session, governance)
    keys = [row.key for row in cascade]
    if current is None and cascade:
        return cascade[0]
    if current is not None and current.key in keys and keys.index(current.key) + 1 < len(keys):
        return cascade[keys.index(current.key) + 1]
    where = f"the {current.name}" if current is not None else "its overseeing body"
    raise EscalationError(f"{action.reference} cannot be escalated: {where} has no board above it")


def may_escalate(session: Session, actor: Actor, action: Action) -> bool:
    return may_act_on(session, actor, action, Operation.ESCALATE_ACTION)


def escalate_action(
    session: Session,
    *,
    actor: Actor,
    reference: str,
    reason: str,
    governance: GovernanceConfig | None = None,
    now: datetime | None = None,
    expected_target: str | None = None,
) -> EscalationRow:
    """Escalate ``reference`` to the next board up with ``reason``; recorded and audited.

    ``expected_target`` is the body's name the form showed: if the action would now go to
    another body, nothing is recorded (EscalationTargetChanged), so an escalation never lands
    on a board the person did not choose."""
    action = get_action(session, reference)
    require_on(session, actor, action, Operation.ESCALATE_ACTION)
    try:
        text = clean_text(reason, max_length=REASON_LIMIT)
    except ValueError as exc:
        raise EscalationError(f"The reason {exc}", field="reason") from None
    if not text:
        raise EscalationError(
            "Say why the action is being escalated: the board will read it", field="reason"
        )
    current = _current_body(session, action)
    target = find_escalation_target(session, reference=reference, governance=governance)
    if expected_target is not None and target.name != expected_target:
        raise EscalationTargetChanged(
            f"{action.reference} now escalates to the {target.name}, not the {expected_target}: "
            "the governance structure changed. Your reason is kept: check it and send it again."
        )
    escalation = Escalation(
        action_id=action.id or 0,
        from_body_id=current.id if current is not None else None,
        to_body_id=target.id or 0,
        reason=text,
        raised_by_id=actor.person_id,
        raised_at=now or clock.now(),
    )
    session.add(escalation)
    record_change(
        session,
        actor=actor,
        entity="action",
        entity_id=action.id,
        entity_label=action.reference,
        field=AUDIT_FIELD,
        old=current.name if current is not None else None,
        new=f"escalated to {target.name}",
        reason=text,
    )
    session.flush()
    row = _rows(session, col(Escalation.id) == escalation.id)[0]
    _notify_receiving_body(session, target, row, now=escalation.raised_at)
    return row


def _notify_receiving_body(
    session: Session, body: GovernanceBody, row: EscalationRow, *, now: datetime
) -> None:
    """Queue an e-mail to the receiving body's secretary (else its chair) through the outbox."""
    person_id = body.secretary_id or body.chair_id
    person = session.get(Person, person_id) if person_id is not None else None
    if person is None or not person.active:
        return
    subject = f"{row.reference} escalated to the {body.name}"
    text = (
        f"Dear {person.name},\n\n{row.raised_by or 'Someone'} has escalated {row.reference} "
        f"({row.action_title}) to the {body.name}.\n\nReason: {row.reason}\n\n"
        "It will appear under Escalations in the board's papers until the board closes it "
        "with a decision on the action's Escalation tab."
    )
    paragraphs = "".join(f"<p>{html.escape(part)}</p>" for part in text.split("\n\n"))
    enqueue_messages(
        session,
        messages=[
            NewMessage(
                dedupe_key=make_dedupe_key(NOTIFY_RULE, str(row.id)),
                rule=NOTIFY_RULE,
                recipient_email=person.email,
                recipient_id=person.id,
                body_id=body.id,
                subject=subject,
                body_text=text,
                body_html=paragraphs,
            )
        ],
        now=now,
    )


def may_resolve(session: Session, actor: Actor, escalation: EscalationRow) -> bool:
    """The receiving board's secretary or chair, or an administrator, closes an escalation.

    A board with no secretary named in governance.yaml may have its escalations closed by
    anyone who holds the secretary role."""
    if not actor.active:
        return False
    if actor.has(Role.ADMINISTRATOR):
        return True
    body = session.get(GovernanceBody, escalation.to_body_id)
    if body is None:
        return False
    if actor.person_id in (body.secretary_id, body.chair_id):
        return True
    return body.secretary_id is None and actor.has(Role.SECRETARY)


def resolve_escalation(
    session: Session,
    *,
    actor: Actor,
    escalation_id: int,
    resolution: str,
    now: datetime | None = None,
) -> EscalationRow:
    """Close an open escalation with the board's decision; audited on the action."""
    found = _rows(session, col(Escalation.id) == escalation_id)
    if not found:
        raise EscalationError(f"There is no escalation number {escalation_id}")
    row = found[0]
    if not may_resolve(session, actor, row):
        raise PermissionDenied(
            f"{actor.name} may not close escalations to the {row.to_body}: "
            "its secretary, its chair or an administrator closes them"
        )
    if not row.is_open:
        raise EscalationError(f"The escalation of {row.reference} to the {row.to_body} is closed")
    try:
        text = clean_text(resolution, max_length=REASON_LIMIT)
    except ValueError as exc:
        raise EscalationError(f"The decision {exc}", field="resolution") from None
    if not text:
        raise EscalationError(
            "Record the board's decision to close the escalation", field="resolution"
        )
    escalation = session.get(Escalation, escalation_id)
    assert escalation is not None
    escalation.resolved_at = now or clock.now()
    escalation.resolved_by_id = actor.person_id
    escalation.resolution = text
    session.add(escalation)
    record_change(
        session,
        actor=actor,
        entity="action",
        entity_id=escalation.action_id,
        entity_label=row.reference,
        field=AUDIT_FIELD,
        old=f"escalated to {row.to_body}",
        new=f"closed by the {row.to_body}",
        reason=text,
    )
    session.flush()
    return _rows(session, col(Escalation.id) == escalation_id)[0]

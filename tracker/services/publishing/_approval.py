"""What waits to go public, and the acts that let it: approving a public summary or a "you
said, we did" entry, publishing a measure value, marking an action public under a plain title.

Every act checks permission here (not only on the page), refuses what changed since the person
looked at it, and is audited in the caller's transaction. Approval is by the role governance.yaml
names for that kind of item; where no approval is asked, a summary or entry goes out as soon as
it is written and marked public, and a measure value is published by whoever may enter values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker import clock
from tracker.errors import Conflict, InvalidInput, NotFound
from tracker.governance import ApprovalRule, GovernanceConfig
from tracker.models import Action, ActionUpdate, Feedback, MeasureValue, SuccessMeasure
from tracker.permissions import Actor, Operation, PermissionDenied, can, require
from tracker.rules import clean_text, reference_sort_key
from tracker.rules.measures import format_value
from tracker.services.audit import record_change, record_changes
from tracker.services.publishing._gather import month_year, publishing_config
from tracker.services.publishing._rules import (
    FINAL,
    is_summary_public,
    is_value_public,
    may_approve,
)

PUBLIC_TITLE_LIMIT = 1000
QUEUE_LIMIT = 200


class PublicTitleInvalid(InvalidInput):
    """The public title cannot be saved; ``fields`` names it and says why."""

    def __init__(self, problem: str) -> None:
        self.fields = {"public_title": problem}
        super().__init__(f"public title: {problem}")


@dataclass(frozen=True)
class PendingSummary:
    update_id: int
    reference: str
    action_published: bool
    written_on: date
    summary: str


@dataclass(frozen=True)
class PendingValue:
    value_id: int
    measure: str  # "M2.3"
    wording: str
    period: str
    shown: str


@dataclass(frozen=True)
class PendingFeedback:
    feedback_id: int
    reference: str
    said: str
    we_did: str | None
    version: int


@dataclass(frozen=True)
class ApprovalQueue:
    summaries: tuple[PendingSummary, ...]
    values: tuple[PendingValue, ...]
    feedback: tuple[PendingFeedback, ...]
    summary_rule: ApprovalRule
    value_rule: ApprovalRule
    feedback_rule: ApprovalRule

    @property
    def total(self) -> int:
        return len(self.summaries) + len(self.values) + len(self.feedback)


@dataclass(frozen=True)
class ActionPublication:
    reference: str
    title: str  # the plan's own wording (internal)
    public_title: str | None
    published: bool
    version: int


def describe_rule(rule: ApprovalRule) -> str:
    role = rule.role.value.replace("_", " ")
    return f"approved by the {role} role" if rule.required else "no approval needed"


def list_approval_queue(
    session: Session, actor: Actor, *, config: GovernanceConfig
) -> ApprovalQueue:
    """Everything waiting to go public: summaries and entries to approve, values to publish."""
    require(actor, Operation.PUBLISH_SITE, what="the publication queue")
    rules = publishing_config(config).approval
    return ApprovalQueue(
        summaries=_pending_summaries(session, rules.update_summaries),
        values=_pending_values(session),
        feedback=_pending_feedback(session, rules.feedback),
        summary_rule=rules.update_summaries,
        value_rule=rules.measure_values,
        feedback_rule=rules.feedback,
    )


def _pending_summaries(session: Session, rule: ApprovalRule) -> tuple[PendingSummary, ...]:
    if not rule.required:
        return ()
    rows = session.exec(
        select(ActionUpdate, Action.reference, Action.published)
        .join(Action, col(Action.id) == col(ActionUpdate.action_id))
        .where(col(ActionUpdate.public_summary).is_not(None))
        .order_by(col(ActionUpdate.created_at).desc(), col(ActionUpdate.id).desc())
    ).all()
    newest_public: set[int] = set()
    pending = []
    for update, reference, published in rows:
        if update.action_id in newest_public:
            continue  # older than a summary already public: it would never be shown
        if is_summary_public(update, rule):
            newest_public.add(update.action_id)
        elif (update.public_summary or "").strip():
            assert update.id is not None
            pending.append(
                PendingSummary(
                    update.id,
                    reference,
                    bool(published),
                    update.created_at.date(),
                    (update.public_summary or "").strip(),
                )
            )
    return tuple(pending[:QUEUE_LIMIT])


def _pending_values(session: Session) -> tuple[PendingValue, ...]:
    rows = session.exec(
        select(MeasureValue, SuccessMeasure)
        .join(SuccessMeasure, col(SuccessMeasure.id) == col(MeasureValue.measure_id))
        .where(col(MeasureValue.value).is_not(None))
        .order_by(col(MeasureValue.period_end).desc())
    ).all()
    latest_public: dict[int, date] = {}
    for value, _ in rows:
        if is_value_public(value) and value.measure_id not in latest_public:
            latest_public[value.measure_id] = value.period_end
    pending = [
        PendingValue(
            value.id or 0,
            measure.reference,
            measure.wording,
            value.period_label or month_year(value.period_end) or "",
            format_value(value.value, measure.unit),
        )
        for value, measure in rows
        if not value.published
        and value.status == FINAL
        and value.period_end > latest_public.get(value.measure_id, date.min)
    ]
    pending.sort(key=lambda p: (reference_sort_key(p.measure), p.period))
    return tuple(pending[:QUEUE_LIMIT])


def _pending_feedback(session: Session, rule: ApprovalRule) -> tuple[PendingFeedback, ...]:
    if not rule.required:
        return ()
    rows = session.exec(
        select(Feedback)
        .where(col(Feedback.published), col(Feedback.approved_at).is_(None))
        .order_by(col(Feedback.created_at))
    ).all()
    return tuple(
        PendingFeedback(e.id or 0, e.reference, e.said, e.we_did, e.version)
        for e in rows[:QUEUE_LIMIT]
    )


def _require_approver(actor: Actor, rule: ApprovalRule, what: str) -> None:
    if not may_approve(actor, rule):
        raise PermissionDenied(
            f"{actor.name} may not approve {what}: governance.yaml asks the "
            f"{rule.role.value.replace('_', ' ')} role to approve it",
            actor=actor,
            operation="approve_publication",
        )


def approve_summary(
    session: Session,
    actor: Actor,
    *,
    config: GovernanceConfig,
    update_id: int,
    seen_summary: str,
    now: datetime | None = None,
) -> None:
    """Approve one update's public summary, as the approver saw it."""
    rule = publishing_config(config).approval.update_summaries
    _require_approver(actor, rule, "a public summary")
    update = session.get(ActionUpdate, update_id)
    if update is None:
        raise NotFound(f"no update {update_id}")
    if (update.public_summary or "").strip() != seen_summary.strip():
        raise Conflict("the public summary changed since you read it: read it again")
    if update.public_approved_at is not None:
        return
    action = session.get(Action, update.action_id)
    moment = now or clock.now()
    record_changes(
        session,
        actor=actor,
        entity="action_update",
        entity_id=update.id,
        entity_label=None if action is None else f"{action.reference} public summary",
        changes={
            "public_approved_by_id": (None, actor.person_id),
            "public_approved_at": (None, moment),
        },
    )
    update.public_approved_by_id = actor.person_id
    update.public_approved_at = moment
    session.add(update)


def publish_measure_value(
    session: Session, actor: Actor, *, config: GovernanceConfig, value_id: int
) -> None:
    """Mark one measure value for the public site (approving it, where approval is asked)."""
    rule = publishing_config(config).approval.measure_values
    if rule.required:
        _require_approver(actor, rule, "a measure value")
    else:
        require(actor, Operation.ENTER_MEASURE_VALUE, what="measure values")
    value = session.get(MeasureValue, value_id)
    if value is None:
        raise NotFound(f"no measure value {value_id}")
    if value.value is None:
        raise InvalidInput("this period has no figure to publish")
    if value.status != FINAL:
        raise InvalidInput(
            "this figure is still provisional: its owner or performance lead signs it off "
            "before it goes on the public site"
        )
    if value.published:
        return
    measure = session.get(SuccessMeasure, value.measure_id)
    record_change(
        session,
        actor=actor,
        entity="measure_value",
        entity_id=value.id,
        entity_label=None if measure is None else f"{measure.reference} {value.period_end}",
        field="published",
        old=False,
        new=True,
    )
    value.published = True
    session.add(value)


def approve_feedback(
    session: Session,
    actor: Actor,
    *,
    config: GovernanceConfig,
    feedback_id: int,
    seen_version: int,
    now: datetime | None = None,
) -> None:
    """Approve one published "you said, we did" entry, as the approver saw it."""
    rule = publishing_config(config).approval.feedback
    _require_approver(actor, rule, "a 'you said, we did' entry")
    entry = session.get(Feedback, feedback_id)
    if entry is None:
        raise NotFound(f"no 'you said, we did' entry {feedback_id}")
    if not entry.published:
        raise InvalidInput(f"{entry.reference} is not marked for publication")
    moment = now or clock.now()
    done = session.execute(
        sa.update(Feedback)
        .where(col(Feedback.id) == feedback_id, col(Feedback.version) == seen_version)
        .values(approved_by_id=actor.person_id, approved_at=moment, version=seen_version + 1)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(f"{entry.reference} changed since you read it: read it again")
    record_changes(
        session,
        actor=actor,
        entity="feedback",
        entity_id=feedback_id,
        entity_label=entry.reference,
        changes={"approved_by_id": (None, actor.person_id), "approved_at": (None, moment)},
    )
    session.expire(entry)


def list_action_publication(session: Session, actor: Actor) -> tuple[ActionPublication, ...]:
    """Every action with its public title and whether it is published, in plan order."""
    require(actor, Operation.PUBLISH_SITE, what="the public site")
    rows = session.exec(select(Action)).all()
    return tuple(
        ActionPublication(a.reference, a.title, a.public_title, bool(a.published), a.version)
        for a in sorted(rows, key=lambda a: reference_sort_key(a.reference))
    )


def set_action_publication(
    session: Session,
    actor: Actor,
    *,
    reference: str,
    published: bool,
    public_title: str | None,
    seen_version: int,
) -> None:
    """Mark an action public (it needs a plain title) or take it off the site."""
    require(actor, Operation.PUBLISH_SITE, what="the public site")
    try:
        title = clean_text(public_title, max_length=PUBLIC_TITLE_LIMIT)
    except ValueError as exc:
        raise PublicTitleInvalid(str(exc)) from None
    if published and not title:
        raise PublicTitleInvalid("write the action in plain words before publishing it")
    action = session.exec(select(Action).where(Action.reference == reference)).first()
    if action is None:
        raise NotFound(f"no action {reference}")
    old = (bool(action.published), action.public_title)
    done = session.execute(
        sa.update(Action)
        .where(col(Action.id) == action.id, col(Action.version) == seen_version)
        .values(published=published, public_title=title, version=seen_version + 1)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(f"{reference} changed since you read it: read it again")
    record_changes(
        session,
        actor=actor,
        entity="action",
        entity_id=action.id,
        entity_label=reference,
        changes={"published": (old[0], published), "public_title": (old[1], title)},
    )
    session.expire(action)


def may_publish(actor: Actor) -> bool:
    return can(actor, Operation.PUBLISH_SITE)

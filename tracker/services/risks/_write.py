"""Adding, rescoring and closing risks, and their mitigations: validated whole, then written.

Every write checks the actor's permission first (administrators add risks; a risk's owner or an
administrator rescores it, adds or completes mitigations and closes it), then checks every field
of the form and refuses with all the problems at once (``RiskInvalid.fields`` names each field),
so nothing is half-written. Each change is audited on the risk; each scoring, the first one
included, is a ``RiskReview`` row with its commentary: the risk's evidence trail.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, select

from tracker.errors import Conflict, InvalidInput, NotFound
from tracker.governance import GovernanceConfig, RiskScaleConfig
from tracker.models import (
    Action,
    GovernanceBody,
    Person,
    Priority,
    Risk,
    RiskAction,
    RiskMitigation,
    RiskPriority,
    RiskReview,
    RiskStatus,
    utcnow,
)
from tracker.permissions import Actor, Operation, can, require
from tracker.rules import clean_text, too_long_message
from tracker.rules.risks import next_reference, next_review_after, scale_problem, score
from tracker.services.audit import record_changes

TITLE_LIMIT = 300
TEXT_LIMIT = 10_000
MITIGATION_LIMIT = 2_000
ENTITY = "risk"


class RiskInvalid(InvalidInput):
    """A risk form that cannot be saved; ``fields`` says what is wrong with each field."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.fields = dict(problems)
        super().__init__("; ".join(f"{name}: {text}" for name, text in problems.items()))


class RiskNotFound(NotFound):
    pass


class RiskClosed(Conflict):
    """The risk is closed: it can no longer be rescored or changed."""


@dataclass(frozen=True)
class NewRisk:
    """What a person gives to add a risk (text as typed; the service cleans and checks it)."""

    title: str
    owner_email: str
    likelihood: int | None
    impact: int | None
    description: str | None = None
    priorities: Sequence[int] = ()
    actions: Sequence[str] = ()
    body: str | None = None
    target_score: int | None = None
    review_days: int | None = None
    mitigations: Sequence[str] = ()
    commentary: str | None = None
    shareable: bool = False


@dataclass(frozen=True)
class Rescore:
    likelihood: int | None
    impact: int | None
    commentary: str
    expected_version: int | None = None


@dataclass
class _Problems:
    found: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, text: str | None) -> None:
        if text and name not in self.found:
            self.found[name] = text

    def raise_any(self) -> None:
        if self.found:
            raise RiskInvalid(self.found)


def _text(problems: _Problems, name: str, value: str | None, limit: int) -> str | None:
    if value is not None and len(value.strip()) > limit:
        problems.add(name, too_long_message(len(value.strip()), limit))
        return None
    return clean_text(value)


def get_risk(session: Session, reference: str) -> Risk:
    wanted = reference.strip().upper()
    risk = session.exec(select(Risk).where(Risk.reference == wanted)).first()
    if risk is None:
        raise RiskNotFound(
            f"No risk with reference {reference.strip()!r} (see `tracker risks list`)"
        )
    return risk


def may_score(actor: Actor, risk: Risk) -> bool:
    return can(actor, Operation.SCORE_RISK, is_owner=risk.owner_id == actor.person_id)


def _require_score(actor: Actor, risk: Risk) -> None:
    require(
        actor,
        Operation.SCORE_RISK,
        is_owner=risk.owner_id == actor.person_id,
        what=f"risk {risk.reference}",
    )


def _risk_to_change(
    session: Session,
    actor: Actor,
    *,
    reference: str | None = None,
    risk: Risk | None = None,
    closed: str | None = None,
) -> Risk:
    """The risk a writer changes, once the actor may change it; with ``closed`` (what the
    writer does, "be rescored"), a closed risk is refused with ``RiskClosed``."""
    if risk is None:
        assert reference is not None
        risk = get_risk(session, reference)
    _require_score(actor, risk)
    if closed is not None and risk.status == RiskStatus.CLOSED.value:
        reason = f" ({risk.closed_reason})" if risk.closed_reason else ""
        raise RiskClosed(f"{risk.reference} is closed{reason}; it cannot {closed}")
    return risk


def _audit(
    session: Session,
    actor: Actor,
    risk: Risk,
    changes: dict[str, tuple[object, object]],
    *,
    reason: str | None = None,
) -> None:
    """Audit ``changes`` (field -> (old, new)) on ``risk`` and flush the writer's rows."""
    record_changes(
        session,
        actor=actor,
        entity=ENTITY,
        entity_id=risk.id,
        entity_label=risk.reference,
        changes=changes,
        reason=reason,
    )
    session.flush()


def add_risk(
    session: Session,
    *,
    actor: Actor,
    form: NewRisk,
    governance: GovernanceConfig,
    today: date,
    now: datetime | None = None,
) -> Risk:
    """Add a risk (and its first scoring, links and mitigations) or refuse it whole.

    With no board named, the risk is overseen by the body overseeing the first action it
    threatens, else by the board whose paper is at strategic level (the Improvement Board).
    """
    require(actor, Operation.MANAGE_RISKS, what="risks")
    scale = governance.risks
    problems = _Problems()
    title = _text(problems, "title", form.title, TITLE_LIMIT)
    if title is None and "title" not in problems.found:
        problems.add("title", "a title is required")
    description = _text(problems, "description", form.description, TEXT_LIMIT)
    commentary = _text(problems, "commentary", form.commentary, TEXT_LIMIT)
    problems.add("likelihood", scale_problem(form.likelihood, words=scale.likelihood))
    problems.add("impact", scale_problem(form.impact, words=scale.impact))
    if form.target_score is not None and not 1 <= form.target_score <= 25:
        problems.add("target_score", f"the target score must be 1 to 25, not {form.target_score}")
    review_days = form.review_days or scale.default_review_days
    if not 1 <= review_days <= 366:
        problems.add("review_days", f"review every 1 to 366 days, not {review_days}")

    owner = session.exec(
        select(Person).where(Person.email == form.owner_email.strip().lower())
    ).first()
    if owner is None:
        problems.add("owner", f"no person with e-mail {form.owner_email.strip()!r}")
    elif not owner.active:
        problems.add("owner", f"{owner.name} is inactive and cannot own a risk")

    priorities = _priorities(session, problems, form.priorities)
    actions = _actions(session, problems, form.actions)
    strategic = next(
        (b.key for b in governance.bodies if b.paper and b.paper.level == "strategic"), None
    )
    body = _body(session, problems, form.body or None, actions, default_key=strategic)
    mitigations = []
    for i, text in enumerate(form.mitigations, start=1):
        cleaned = _text(problems, "mitigation", text, MITIGATION_LIMIT)
        if cleaned:
            mitigations.append(cleaned)
        elif "mitigation" not in problems.found:
            problems.add("mitigation", f"mitigation {i} is empty")
    problems.raise_any()
    assert title is not None and owner is not None and owner.id is not None
    assert form.likelihood is not None and form.impact is not None

    references = session.exec(select(Risk.reference)).all()
    risk = Risk(
        reference=next_reference(references),
        title=title,
        description=description,
        owner_id=owner.id,
        body_id=body.id if body else None,
        inherent_likelihood=form.likelihood,
        inherent_impact=form.impact,
        likelihood=form.likelihood,
        impact=form.impact,
        target_score=form.target_score,
        review_days=review_days,
        next_review=next_review_after(today, review_days),
        shareable=form.shareable,
        sort_key=len(references) + 1,
        created_at=now or utcnow(),
    )
    session.add(risk)
    session.flush()
    assert risk.id is not None
    for priority in priorities:
        session.add(RiskPriority(risk_id=risk.id, priority_id=priority.id or 0))
    for action in actions:
        session.add(RiskAction(risk_id=risk.id, action_id=action.id or 0))
    for text in mitigations:
        session.add(RiskMitigation(risk_id=risk.id, description=text, owner_id=owner.id))
    session.add(
        RiskReview(
            risk_id=risk.id,
            likelihood=form.likelihood,
            impact=form.impact,
            commentary=commentary or "First assessment.",
            created_by_id=actor.person_id,
            created_at=now or utcnow(),
        )
    )
    _audit(
        session,
        actor,
        risk,
        {
            "created": (None, title),
            "owner": (None, owner.email),
            "score": (None, score(form.likelihood, form.impact)),
            "actions": (None, ", ".join(a.reference for a in actions) or None),
            "priorities": (None, ", ".join(str(p.number) for p in priorities) or None),
            "body": (None, body.name if body else None),
        },
    )
    return risk


def _priorities(session: Session, problems: _Problems, numbers: Sequence[int]) -> list[Priority]:
    found: list[Priority] = []
    for number in dict.fromkeys(numbers):
        priority = session.exec(select(Priority).where(Priority.number == number)).first()
        if priority is None:
            known = ", ".join(str(n) for n in session.exec(select(Priority.number)).all())
            problems.add("priority", f"there is no priority {number} (the priorities are {known})")
        else:
            found.append(priority)
    return found


def _actions(session: Session, problems: _Problems, references: Sequence[str]) -> list[Action]:
    found: list[Action] = []
    for reference in dict.fromkeys(r.strip().upper() for r in references if r.strip()):
        action = session.exec(select(Action).where(Action.reference == reference)).first()
        if action is None:
            problems.add("action", f"there is no action {reference}")
        else:
            found.append(action)
    return found


def _body(
    session: Session,
    problems: _Problems,
    name: str | None,
    actions: Sequence[Action],
    *,
    default_key: str | None,
) -> GovernanceBody | None:
    """The board named, else the body overseeing the first action threatened, else the
    default (the strategic board), else the top of the reporting lines."""
    if name and name.strip():
        wanted = name.strip().casefold()
        for body in session.exec(select(GovernanceBody).where(col(GovernanceBody.active))).all():
            if wanted in {n.casefold() for n in (body.key, body.name, body.short_name or "") if n}:
                return body
        problems.add("body", f"there is no governance body {name.strip()!r}")
        return None
    for action in actions:
        if action.body_id is not None:
            return session.get(GovernanceBody, action.body_id)
    if default_key:
        found = session.exec(
            select(GovernanceBody).where(GovernanceBody.key == default_key)
        ).first()
        if found is not None:
            return found
    return session.exec(
        select(GovernanceBody)
        .where(col(GovernanceBody.reports_to_id).is_(None), col(GovernanceBody.active))
        .order_by(col(GovernanceBody.sort_order))
    ).first()


def score_risk(
    session: Session,
    *,
    actor: Actor,
    reference: str,
    form: Rescore,
    scale: RiskScaleConfig,
    today: date,
    now: datetime | None = None,
) -> Risk:
    """Record a new scoring with its commentary; the next review moves on from today."""
    risk = _risk_to_change(session, actor, reference=reference, closed="be rescored")
    if form.expected_version is not None and form.expected_version != risk.version:
        raise Conflict(
            f"{risk.reference} was changed by someone else since you opened it; reload to see "
            "the latest score"
        )
    problems = _Problems()
    problems.add("likelihood", scale_problem(form.likelihood, words=scale.likelihood))
    problems.add("impact", scale_problem(form.impact, words=scale.impact))
    commentary = _text(problems, "commentary", form.commentary, TEXT_LIMIT)
    if commentary is None and "commentary" not in problems.found:
        problems.add("commentary", "say why the score is what it is (the evidence for it)")
    problems.raise_any()
    assert form.likelihood is not None and form.impact is not None and commentary is not None
    old_score = score(risk.likelihood, risk.impact)
    session.add(
        RiskReview(
            risk_id=risk.id or 0,
            likelihood=form.likelihood,
            impact=form.impact,
            commentary=commentary,
            created_by_id=actor.person_id,
            created_at=now or utcnow(),
        )
    )
    old_review = risk.next_review
    risk.likelihood, risk.impact = form.likelihood, form.impact
    risk.next_review = next_review_after(today, risk.review_days)
    risk.version += 1
    session.add(risk)
    _audit(
        session,
        actor,
        risk,
        {
            "score": (old_score, score(form.likelihood, form.impact)),
            "next_review": (old_review, risk.next_review),
        },
        reason=commentary,
    )
    return risk


def close_risk(session: Session, *, actor: Actor, reference: str, reason: str) -> Risk:
    risk = _risk_to_change(session, actor, reference=reference, closed="be closed again")
    problems = _Problems()
    cleaned = _text(problems, "reason", reason, TEXT_LIMIT)
    if cleaned is None and "reason" not in problems.found:
        problems.add("reason", "say why the risk is closed")
    problems.raise_any()
    risk.status, risk.closed_reason = RiskStatus.CLOSED.value, cleaned
    risk.version += 1
    session.add(risk)
    _audit(
        session,
        actor,
        risk,
        {"status": (RiskStatus.OPEN.value, RiskStatus.CLOSED.value)},
        reason=cleaned,
    )
    return risk


def add_mitigation(
    session: Session,
    *,
    actor: Actor,
    reference: str,
    description: str,
    owner_email: str | None = None,
    due: date | None = None,
) -> RiskMitigation:
    risk = _risk_to_change(session, actor, reference=reference, closed="take new mitigations")
    problems = _Problems()
    text = _text(problems, "mitigation", description, MITIGATION_LIMIT)
    if text is None and "mitigation" not in problems.found:
        problems.add("mitigation", "describe what is being done")
    owner_id: int | None = risk.owner_id
    if owner_email and owner_email.strip():
        owner = session.exec(
            select(Person).where(Person.email == owner_email.strip().lower())
        ).first()
        if owner is None or not owner.active:
            problems.add(
                "mitigation_owner", f"no active person with e-mail {owner_email.strip()!r}"
            )
        else:
            owner_id = owner.id
    problems.raise_any()
    assert text is not None
    mitigation = RiskMitigation(
        risk_id=risk.id or 0, description=text, owner_id=owner_id, due_date=due
    )
    session.add(mitigation)
    _audit(session, actor, risk, {"mitigation": (None, text)})
    return mitigation


def set_mitigation_done(
    session: Session, *, actor: Actor, mitigation_id: int, done: bool
) -> RiskMitigation:
    mitigation = session.get(RiskMitigation, mitigation_id)
    if mitigation is None:
        raise RiskNotFound(f"No mitigation {mitigation_id}")
    risk = session.get(Risk, mitigation.risk_id)
    assert risk is not None
    _risk_to_change(session, actor, risk=risk)
    if mitigation.done == done:
        return mitigation
    mitigation.done = done
    session.add(mitigation)
    text = mitigation.description
    _audit(session, actor, risk, {"mitigation_done": (None, text) if done else (text, None)})
    return mitigation

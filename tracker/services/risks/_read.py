"""The risk register as screens, papers and the command line read it: plain frozen rows.

``list_risks`` is the one query: every risk the actor may see (partners only the shareable
ones) with its owner, board, links, current band and whether its review is overdue;
``risk_detail`` adds the scoring history and the mitigations; ``score_at`` is a risk's score as
it stood at a moment (for movement since the last paper).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

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
    Role,
)
from tracker.permissions import Actor, Operation, can, require
from tracker.rules import priority_label, reference_sort_key
from tracker.rules.risks import band_for, is_review_overdue, score
from tracker.services.risks._write import get_risk, may_score


@dataclass(frozen=True)
class RiskRow:
    id: int
    reference: str
    title: str
    description: str
    owner: str
    owner_email: str
    body: str
    body_id: int | None
    likelihood: int
    impact: int
    score: int
    band: str
    band_colour: str
    inherent_score: int
    target_score: int | None
    next_review: date
    review_overdue: bool
    status: str
    closed_reason: str
    shareable: bool
    priorities: tuple[int, ...]
    actions: tuple[str, ...]
    version: int

    @property
    def is_open(self) -> bool:
        return self.status == RiskStatus.OPEN.value


@dataclass(frozen=True)
class RiskReviewRow:
    likelihood: int
    impact: int
    score: int
    band: str
    commentary: str
    by: str
    at: datetime


@dataclass(frozen=True)
class MitigationRow:
    id: int
    description: str
    owner: str
    due_date: date | None
    done: bool


@dataclass(frozen=True)
class RiskDetail:
    risk: RiskRow
    reviews: tuple[RiskReviewRow, ...]  # newest first
    mitigations: tuple[MitigationRow, ...]
    may_score: bool


@dataclass(frozen=True)
class RiskFilter:
    status: str | None = RiskStatus.OPEN.value  # None: open and closed
    band: str | None = None
    owner_email: str | None = None
    body_name: str | None = None  # the overseeing body, by name
    action_reference: str | None = None
    review_overdue_only: bool = False
    review_due_by: date | None = None  # only risks whose next review is on or before this day


def _sees_all(actor: Actor) -> bool:
    return actor.roles != frozenset({Role.PARTNER.value})


def list_risks(
    session: Session,
    *,
    actor: Actor,
    scale: RiskScaleConfig,
    today: date,
    where: RiskFilter = RiskFilter(),
) -> list[RiskRow]:
    """The risks ``actor`` may see that match ``where``, highest current score first."""
    require(actor, Operation.VIEW_RISKS, what="the risk register")
    query = select(Risk)
    if where.status:
        query = query.where(Risk.status == where.status)
    if not _sees_all(actor):
        query = query.where(col(Risk.shareable))
    risks = list(session.exec(query).all())
    rows = _rows(session, risks, scale, today)
    if where.band:
        rows = [r for r in rows if r.band == where.band]
    if where.body_name:
        rows = [r for r in rows if r.body == where.body_name]
    if where.owner_email:
        rows = [r for r in rows if r.owner_email == where.owner_email.strip().lower()]
    if where.action_reference:
        wanted = where.action_reference.strip().upper()
        rows = [r for r in rows if wanted in r.actions]
    if where.review_overdue_only:
        rows = [r for r in rows if r.review_overdue]
    if where.review_due_by is not None:
        due_by = where.review_due_by
        rows = [r for r in rows if r.is_open and r.next_review <= due_by]
    return sorted(rows, key=lambda r: (-r.score, reference_sort_key(r.reference)))


@dataclass(frozen=True)
class _PersonName:
    name: str
    email: str


def _people(session: Session, ids: Iterable[int | None]) -> dict[int, _PersonName]:
    """The names and e-mails of just the people ``ids`` names (never the whole table)."""
    wanted = sorted({i for i in ids if i is not None})
    found: dict[int, _PersonName] = {}
    for start in range(0, len(wanted), 500):
        for pid, name, email in session.exec(
            select(Person.id, Person.name, Person.email).where(
                col(Person.id).in_(wanted[start : start + 500])
            )
        ).all():
            found[pid or 0] = _PersonName(name, email)
    return found


def _name(people: dict[int, _PersonName], person_id: int | None, default: str = "") -> str:
    person = None if person_id is None else people.get(person_id)
    return person.name if person else default


def _rows(
    session: Session, risks: Iterable[Risk], scale: RiskScaleConfig, today: date
) -> list[RiskRow]:
    risks = list(risks)
    ids = [r.id for r in risks if r.id is not None]
    if not ids:
        return []
    people = _people(session, (r.owner_id for r in risks))
    body_ids = sorted({r.body_id for r in risks if r.body_id is not None})
    bodies = dict(
        session.exec(
            select(GovernanceBody.id, GovernanceBody.name).where(
                col(GovernanceBody.id).in_(body_ids)
            )
        ).all()
    )
    priorities: dict[int, list[int]] = defaultdict(list)
    for risk_id, number in session.exec(
        select(RiskPriority.risk_id, Priority.number)
        .join(Priority, col(Priority.id) == RiskPriority.priority_id)
        .where(col(RiskPriority.risk_id).in_(ids))
    ).all():
        priorities[risk_id].append(number)
    actions: dict[int, list[str]] = defaultdict(list)
    for risk_id, reference in session.exec(
        select(RiskAction.risk_id, Action.reference)
        .join(Action, col(Action.id) == RiskAction.action_id)
        .where(col(RiskAction.risk_id).in_(ids))
    ).all():
        actions[risk_id].append(reference)
    rows = []
    for risk in risks:
        assert risk.id is not None
        owner = people.get(risk.owner_id)
        current = score(risk.likelihood, risk.impact)
        band = band_for(current, scale.bands)
        rows.append(
            RiskRow(
                id=risk.id,
                reference=risk.reference,
                title=risk.title,
                description=risk.description or "",
                owner=owner.name if owner else "",
                owner_email=owner.email if owner else "",
                body=bodies.get(risk.body_id, "") if risk.body_id else "",
                body_id=risk.body_id,
                likelihood=risk.likelihood,
                impact=risk.impact,
                score=current,
                band=band.name,
                band_colour=band.colour,
                inherent_score=score(risk.inherent_likelihood, risk.inherent_impact),
                target_score=risk.target_score,
                next_review=risk.next_review,
                review_overdue=is_review_overdue(
                    status=risk.status, next_review=risk.next_review, today=today
                ),
                status=risk.status,
                closed_reason=risk.closed_reason or "",
                shareable=risk.shareable,
                priorities=tuple(sorted(priorities[risk.id])),
                actions=tuple(sorted(actions[risk.id], key=reference_sort_key)),
                version=risk.version,
            )
        )
    return rows


def risk_detail(
    session: Session, *, actor: Actor, reference: str, scale: RiskScaleConfig, today: date
) -> RiskDetail:
    require(actor, Operation.VIEW_RISKS, what="the risk register")
    risk = get_risk(session, reference)
    if not risk.shareable and not _sees_all(actor):
        require(actor, Operation.MANAGE_RISKS, what=f"risk {risk.reference}")
    (row,) = _rows(session, [risk], scale, today)
    review_rows = session.exec(
        select(RiskReview)
        .where(RiskReview.risk_id == risk.id)
        .order_by(col(RiskReview.created_at).desc(), col(RiskReview.id).desc())
    ).all()
    mitigation_rows = session.exec(
        select(RiskMitigation)
        .where(RiskMitigation.risk_id == risk.id)
        .order_by(col(RiskMitigation.id))
    ).all()
    people = _people(
        session,
        [r.created_by_id for r in review_rows] + [m.owner_id for m in mitigation_rows],
    )
    reviews = tuple(
        RiskReviewRow(
            likelihood=r.likelihood,
            impact=r.impact,
            score=score(r.likelihood, r.impact),
            band=band_for(score(r.likelihood, r.impact), scale.bands).name,
            commentary=r.commentary,
            by=_name(people, r.created_by_id, "an operator"),
            at=r.created_at,
        )
        for r in review_rows
    )
    mitigations = tuple(
        MitigationRow(
            id=m.id or 0,
            description=m.description,
            owner=_name(people, m.owner_id),
            due_date=m.due_date,
            done=m.done,
        )
        for m in mitigation_rows
    )
    return RiskDetail(row, reviews, mitigations, may_score(actor, risk))


def open_mitigations(session: Session, risk_ids: Iterable[int]) -> dict[int, list[MitigationRow]]:
    """Each risk's mitigations not yet done, oldest first (for papers)."""
    ids = list(risk_ids)
    if not ids:
        return {}
    mitigations = session.exec(
        select(RiskMitigation)
        .where(col(RiskMitigation.risk_id).in_(ids), col(RiskMitigation.done).is_(False))
        .order_by(col(RiskMitigation.id))
    ).all()
    people = _people(session, (m.owner_id for m in mitigations))
    found: dict[int, list[MitigationRow]] = defaultdict(list)
    for m in mitigations:
        found[m.risk_id].append(
            MitigationRow(
                id=m.id or 0,
                description=m.description,
                owner=_name(people, m.owner_id),
                due_date=m.due_date,
                done=m.done,
            )
        )
    return found


def scores_at(
    session: Session, risk_ids: Iterable[int], moment: datetime
) -> dict[int, tuple[int, int]]:
    """Each risk's (likelihood, impact) as it stood at ``moment`` (its latest scoring before
    then); a risk first scored later is absent."""
    ids = list(risk_ids)
    if not ids:
        return {}
    found: dict[int, tuple[int, int]] = {}
    for review in session.exec(
        select(RiskReview)
        .where(col(RiskReview.risk_id).in_(ids), col(RiskReview.created_at) <= moment)
        .order_by(col(RiskReview.created_at), col(RiskReview.id))
    ).all():
        found[review.risk_id] = (review.likelihood, review.impact)
    return found


def risks_overseen(
    session: Session,
    *,
    body_ids: Collection[int] | None,
    scale: RiskScaleConfig,
    today: date,
) -> list[RiskRow]:
    """The open risks overseen by any of ``body_ids`` (every open risk when None), highest
    score first: what a board's paper reports, whoever generates it."""
    query = select(Risk).where(Risk.status == RiskStatus.OPEN.value)
    if body_ids is not None:
        query = query.where(col(Risk.body_id).in_(list(body_ids)))
    rows = _rows(session, session.exec(query).all(), scale, today)
    return sorted(rows, key=lambda r: (-r.score, reference_sort_key(r.reference)))


@dataclass(frozen=True)
class RiskChoices:
    """What the risk forms offer: active people by e-mail, priorities, actions and bodies."""

    people: tuple[tuple[str, str], ...]  # (e-mail, "Name <e-mail>")
    priorities: tuple[tuple[int, str], ...]  # (number, "Priority 2: ...")
    actions: tuple[tuple[str, str], ...]  # (reference, "P2.3 title")
    bodies: tuple[str, ...]  # names


@dataclass(frozen=True)
class RisksPage:
    """Everything the Risks page shows, read in one session."""

    rows: tuple[RiskRow, ...]
    detail: RiskDetail | None
    choices: RiskChoices | None  # None when the actor may not add risks
    may_add: bool


def risk_choices(session: Session) -> RiskChoices:
    people = session.exec(
        select(Person.email, Person.name).where(col(Person.active)).order_by(col(Person.name))
    ).all()
    priorities = session.exec(
        select(Priority.number, Priority.title, Priority.short_title).order_by(col(Priority.number))
    ).all()
    actions = session.exec(select(Action.reference, Action.title)).all()
    bodies = session.exec(
        select(GovernanceBody.name)
        .where(col(GovernanceBody.active))
        .order_by(col(GovernanceBody.sort_order))
    ).all()
    return RiskChoices(
        people=tuple((email, f"{name} <{email}>") for email, name in people),
        priorities=tuple(
            (number, priority_label(number, title, short)) for number, title, short in priorities
        ),
        actions=tuple(
            (ref, f"{ref} {title}")
            for ref, title in sorted(actions, key=lambda a: reference_sort_key(a[0]))
        ),
        bodies=tuple(bodies),
    )


def load_risks_page(
    session: Session,
    *,
    actor: Actor,
    governance: GovernanceConfig,
    today: date,
    where: RiskFilter,
    reference: str | None,
) -> RisksPage:
    """The Risks page's view: the filtered register, the open risk's detail, the form choices."""
    scale = governance.risks
    rows = tuple(list_risks(session, actor=actor, scale=scale, today=today, where=where))
    detail = None
    if reference:
        detail = risk_detail(session, actor=actor, reference=reference, scale=scale, today=today)
    may_add = can(actor, Operation.MANAGE_RISKS)
    return RisksPage(rows, detail, risk_choices(session) if may_add else None, may_add)

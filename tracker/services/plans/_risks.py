"""The risk register in the plan workbook: its "Risks" sheet exported, and imported back.

:func:`risk_sheet_rows` lays every risk out in :data:`tracker.spreadsheets.risks.RISK_COLUMNS`.
:func:`plan_risk_import` checks each row of a read sheet against the database and governance's
scale (owner, priorities, actions and board must exist; likelihood and impact on the scale; a
closed risk is not rescored; a closed risk needs its reason) and says, field by field, what
would change; :func:`write_risk_import` writes the plans in the caller's transaction. A row with
a reference the tracker knows updates that risk; a row with no reference, or a new ``R``
number, adds one. A changed current score is a rescoring, kept in the risk's history with the
commentary "imported from FILE"; every other change is audited with that reason. A blank cell
keeps what is stored, and mitigations are matched by their text (new ones are added, none is
removed), so importing an export changes nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from sqlmodel import Session, col, select

from tracker.governance import RiskScaleConfig
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
)
from tracker.permissions import Actor
from tracker.rules import reference_sort_key
from tracker.rules.risks import next_reference, next_review_after, scale_problem, score
from tracker.services.audit import record_changes
from tracker.spreadsheets import RowError
from tracker.spreadsheets.risks import (
    RISK_SHEET,
    MitigationCell,
    RiskSheet,
    RiskSheetRow,
    mitigation_text,
)

RiskOutcome = Literal["create", "update", "unchanged"]
_REFERENCE = re.compile(r"R\d{1,6}")
TITLE_LIMIT = 300


@dataclass(frozen=True)
class RiskChange:
    field: str  # the column, as the sheet names it
    old: str | None
    new: str | None


@dataclass(frozen=True)
class PlannedRisk:
    """What the import does with one row of the Risks sheet."""

    row: int
    reference: str
    title: str
    outcome: RiskOutcome
    changes: tuple[RiskChange, ...] = ()
    rescored: bool = False  # the current score changes: a scoring in the risk's history


@dataclass
class _Plan:
    sheet_row: RiskSheetRow
    reference: str
    risk: Risk | None
    owner: Person | None = None
    priorities: list[Priority] | None = None
    actions: list[Action] | None = None
    body: GovernanceBody | None = None
    changes: list[RiskChange] = field(default_factory=list)
    new_mitigations: list[tuple[MitigationCell, int | None]] = field(default_factory=list)
    changed_mitigations: list[tuple[RiskMitigation, MitigationCell, int | None]] = field(
        default_factory=list
    )
    rescored: bool = False  # the current likelihood or impact changes

    def __post_init__(self) -> None:
        row, risk = self.sheet_row, self.risk
        if risk is not None:
            new = (row.likelihood or risk.likelihood, row.impact or risk.impact)
            self.rescored = new != (risk.likelihood, risk.impact)

    def planned(self) -> PlannedRisk:
        title = self.sheet_row.title or (self.risk.title if self.risk else "")
        if self.risk is None:
            outcome: RiskOutcome = "create"
        elif self.changes:
            outcome = "update"
        else:
            outcome = "unchanged"
        return PlannedRisk(
            self.sheet_row.row, self.reference, title, outcome, tuple(self.changes), self.rescored
        )


@dataclass(frozen=True)
class RiskImport:
    plans: tuple[_Plan, ...]
    problems: tuple[RowError, ...]

    @property
    def planned(self) -> tuple[PlannedRisk, ...]:
        return tuple(plan.planned() for plan in self.plans)


# --- export ----------------------------------------------------------------------------------


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def risk_sheet_rows(session: Session) -> list[tuple[object, ...]]:
    """Every risk, open and closed, in reference order, in the Risks sheet's columns."""
    risks = sorted(session.exec(select(Risk)).all(), key=lambda r: reference_sort_key(r.reference))
    people = {p.id: p.email for p in session.exec(select(Person)).all()}
    bodies = {b.id: b.name for b in session.exec(select(GovernanceBody)).all()}
    priorities: dict[int, list[int]] = defaultdict(list)
    for risk_id, number in session.exec(
        select(RiskPriority.risk_id, Priority.number).join(
            Priority, col(Priority.id) == RiskPriority.priority_id
        )
    ).all():
        priorities[risk_id].append(number)
    actions: dict[int, list[str]] = defaultdict(list)
    for risk_id, reference in session.exec(
        select(RiskAction.risk_id, Action.reference).join(
            Action, col(Action.id) == RiskAction.action_id
        )
    ).all():
        actions[risk_id].append(reference)
    mitigations: dict[int, list[str]] = defaultdict(list)
    for m in session.exec(select(RiskMitigation).order_by(col(RiskMitigation.id))).all():
        cell = MitigationCell(m.description, people.get(m.owner_id), m.due_date, m.done)
        mitigations[m.risk_id].append(mitigation_text(cell))
    rows: list[tuple[object, ...]] = []
    for risk in risks:
        rid = risk.id or 0
        rows.append(
            (
                risk.reference,
                risk.title,
                risk.description,
                people.get(risk.owner_id),
                ", ".join(str(n) for n in sorted(priorities[rid])),
                ", ".join(sorted(actions[rid], key=reference_sort_key)),
                bodies.get(risk.body_id) if risk.body_id else None,
                risk.inherent_likelihood,
                risk.inherent_impact,
                score(risk.inherent_likelihood, risk.inherent_impact),
                risk.likelihood,
                risk.impact,
                score(risk.likelihood, risk.impact),
                risk.target_score,
                risk.review_days,
                risk.next_review,
                risk.status.capitalize(),
                risk.closed_reason,
                _yes_no(risk.shareable),
                "\n".join(mitigations[rid]),
            )
        )
    return rows


# --- import: checking ------------------------------------------------------------------------


class _Lookups:
    def __init__(self, session: Session) -> None:
        self.people = {p.email.lower(): p for p in session.exec(select(Person)).all()}
        self.priorities = {p.number: p for p in session.exec(select(Priority)).all()}
        self.actions = {a.reference.upper(): a for a in session.exec(select(Action)).all()}
        self.bodies = list(
            session.exec(select(GovernanceBody).where(col(GovernanceBody.active))).all()
        )
        self.risks = {r.reference.upper(): r for r in session.exec(select(Risk)).all()}
        self.mitigations: dict[int, list[RiskMitigation]] = defaultdict(list)
        for m in session.exec(select(RiskMitigation).order_by(col(RiskMitigation.id))).all():
            self.mitigations[m.risk_id].append(m)
        self.links_p: dict[int, set[int]] = defaultdict(set)
        for risk_id, number in session.exec(
            select(RiskPriority.risk_id, Priority.number).join(
                Priority, col(Priority.id) == RiskPriority.priority_id
            )
        ).all():
            self.links_p[risk_id].add(number)
        self.links_a: dict[int, set[str]] = defaultdict(set)
        for risk_id, reference in session.exec(
            select(RiskAction.risk_id, Action.reference).join(
                Action, col(Action.id) == RiskAction.action_id
            )
        ).all():
            self.links_a[risk_id].add(reference)
        self.email_of = {p.id: p.email for p in self.people.values()}

    def body(self, name: str) -> GovernanceBody | None:
        wanted = name.strip().casefold()
        for body in self.bodies:
            if wanted in {n.casefold() for n in (body.key, body.name, body.short_name or "") if n}:
                return body
        return None


class _Checker:
    def __init__(self, row: RiskSheetRow, problems: list[RowError]) -> None:
        self.row = row
        self.problems = problems

    def fail(self, column: str, value: object, message: str) -> None:
        shown = None if value is None else str(value)
        self.problems.append(RowError(self.row.row, column, shown, message, RISK_SHEET))


def _check_scale(check: _Checker, scale: RiskScaleConfig) -> None:
    row = check.row
    for column, value, words in (
        ("Inherent Likelihood", row.inherent_likelihood, scale.likelihood),
        ("Inherent Impact", row.inherent_impact, scale.impact),
        ("Likelihood", row.likelihood, scale.likelihood),
        ("Impact", row.impact, scale.impact),
    ):
        if value is not None and (problem := scale_problem(value, words=words)):
            check.fail(column, value, problem)
    if row.target_score is not None and not 1 <= row.target_score <= 25:
        check.fail("Target Score", row.target_score, "the target score must be 1 to 25")
    if row.review_days is not None and not 1 <= row.review_days <= 366:
        check.fail("Review Every (days)", row.review_days, "review every 1 to 366 days")
    if row.title is not None and len(row.title) > TITLE_LIMIT:
        check.fail("Title", row.title[:40] + "…", f"at most {TITLE_LIMIT} characters")


def _check_names(check: _Checker, plan: _Plan, lookups: _Lookups) -> None:
    row = check.row
    if row.owner_email is not None:
        owner = lookups.people.get(row.owner_email)
        if owner is None:
            check.fail("Owner Email", row.owner_email, "no person with this e-mail")
        elif not owner.active:
            check.fail("Owner Email", row.owner_email, f"{owner.name} is inactive")
        else:
            plan.owner = owner
    if row.priorities is not None:
        plan.priorities = []
        for number in row.priorities:
            if number in lookups.priorities:
                plan.priorities.append(lookups.priorities[number])
            else:
                known = ", ".join(str(n) for n in sorted(lookups.priorities))
                check.fail("Priorities", number, f"there is no priority {number} ({known})")
    if row.actions is not None:
        plan.actions = []
        for reference in row.actions:
            if reference in lookups.actions:
                plan.actions.append(lookups.actions[reference])
            else:
                check.fail("Actions", reference, f"there is no action {reference}")
    if row.board is not None:
        plan.body = lookups.body(row.board)
        if plan.body is None:
            check.fail("Board", row.board, "no governance body of this name")


def _check_status(check: _Checker, risk: Risk | None, rescored: bool) -> None:
    row = check.row
    was = risk.status if risk else RiskStatus.OPEN.value
    status = row.status or was
    if status == RiskStatus.CLOSED.value and not (
        row.closed_reason or (risk and risk.closed_reason)
    ):
        check.fail("Closed Reason", None, "say why the risk is closed")
    if rescored and was == RiskStatus.CLOSED.value:
        check.fail(
            "Likelihood",
            row.likelihood,
            f"{risk.reference if risk else ''} is closed; it cannot be rescored",
        )


def _text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, bool):
        return _yes_no(value)
    return str(value)


def _diff(plan: _Plan, lookups: _Lookups) -> None:
    """The field-by-field changes a row makes to its risk (every given field, for a new one)."""
    row, risk = plan.sheet_row, plan.risk
    new_priorities = None if plan.priorities is None else sorted(p.number for p in plan.priorities)
    new_actions = (
        None
        if plan.actions is None
        else sorted((a.reference for a in plan.actions), key=reference_sort_key)
    )
    rid = risk.id if risk and risk.id else 0
    old = {
        "Title": risk.title if risk else None,
        "Description": risk.description if risk else None,
        "Owner Email": lookups.email_of.get(risk.owner_id) if risk else None,
        "Priorities": ", ".join(str(n) for n in sorted(lookups.links_p[rid])) if risk else None,
        "Actions": ", ".join(sorted(lookups.links_a[rid], key=reference_sort_key))
        if risk
        else None,
        "Board": next((b.name for b in lookups.bodies if b.id == risk.body_id), None)
        if risk and risk.body_id
        else None,
        "Inherent Likelihood": risk.inherent_likelihood if risk else None,
        "Inherent Impact": risk.inherent_impact if risk else None,
        "Likelihood": risk.likelihood if risk else None,
        "Impact": risk.impact if risk else None,
        "Target Score": risk.target_score if risk else None,
        "Review Every (days)": risk.review_days if risk else None,
        "Next Review": risk.next_review if risk else None,
        "Status": risk.status if risk else None,
        "Closed Reason": risk.closed_reason if risk else None,
        "Shareable": risk.shareable if risk else None,
    }
    new = {
        "Title": row.title,
        "Description": row.description,
        "Owner Email": plan.owner.email if plan.owner else None,
        "Priorities": None if new_priorities is None else ", ".join(map(str, new_priorities)),
        "Actions": None if new_actions is None else ", ".join(new_actions),
        "Board": plan.body.name if plan.body else None,
        "Inherent Likelihood": row.inherent_likelihood,
        "Inherent Impact": row.inherent_impact,
        "Likelihood": row.likelihood,
        "Impact": row.impact,
        "Target Score": row.target_score,
        "Review Every (days)": row.review_days,
        "Next Review": row.next_review,
        "Status": row.status,
        "Closed Reason": row.closed_reason,
        "Shareable": row.shareable,
    }
    for column, value in new.items():
        if value is not None and _text(value) != _text(old[column]):
            plan.changes.append(RiskChange(column, _text(old[column]), _text(value)))
    _diff_mitigations(plan, lookups, rid)


def _diff_mitigations(plan: _Plan, lookups: _Lookups, rid: int) -> None:
    cells = plan.sheet_row.mitigations
    if cells is None:
        return
    stored = {" ".join(m.description.split()).casefold(): m for m in lookups.mitigations[rid]}
    for cell in cells:
        owner = lookups.people.get(cell.owner_email) if cell.owner_email else None
        owner_id = owner.id if owner else None
        current = stored.get(" ".join(cell.description.split()).casefold())
        if current is None:
            plan.new_mitigations.append((cell, owner_id))
            plan.changes.append(RiskChange("Mitigations", None, mitigation_text(cell)))
            continue
        seen = MitigationCell(
            current.description,
            lookups.email_of.get(current.owner_id) if current.owner_id else None,
            current.due_date,
            current.done,
        )
        wanted = MitigationCell(
            current.description,
            cell.owner_email or seen.owner_email,
            cell.due_date or seen.due_date,
            cell.done,
        )
        if wanted != seen:
            plan.changed_mitigations.append((current, wanted, owner_id or current.owner_id))
            plan.changes.append(
                RiskChange("Mitigations", mitigation_text(seen), mitigation_text(wanted))
            )


def _check_mitigation_owners(check: _Checker, lookups: _Lookups) -> None:
    for cell in check.row.mitigations or ():
        if cell.owner_email and cell.owner_email not in lookups.people:
            check.fail("Mitigations", cell.owner_email, "no person with this e-mail")
        if len(cell.description) > 2000:
            check.fail("Mitigations", cell.description[:40] + "…", "at most 2000 characters")


def plan_risk_import(session: Session, *, sheet: RiskSheet, scale: RiskScaleConfig) -> RiskImport:
    """Check every row of the Risks sheet; what each would create or change, and every problem."""
    lookups = _Lookups(session)
    problems: list[RowError] = list(sheet.errors)
    failed_rows = {e.row for e in sheet.errors}
    taken = list(lookups.risks)
    seen: dict[str, int] = {}
    plans: list[_Plan] = []
    for row in sheet.rows:
        check = _Checker(row, problems)
        reference = row.reference
        risk = lookups.risks.get(reference) if reference else None
        if reference and risk is None and not _REFERENCE.fullmatch(reference):
            check.fail("Ref", reference, "a risk reference is R and a number, such as R12")
        if reference is None:
            reference = next_reference([*taken, *seen])
        if reference in seen:
            check.fail("Ref", reference, f"the same risk is on row {seen[reference]} too")
        seen.setdefault(reference, row.row)
        if risk is None:
            for column, value in (
                ("Title", row.title),
                ("Owner Email", row.owner_email),
                ("Likelihood", row.likelihood),
                ("Impact", row.impact),
            ):
                if value is None and row.row not in failed_rows:
                    check.fail(column, None, "required for a new risk")
        plan = _Plan(row, reference, risk)
        _check_scale(check, scale)
        _check_names(check, plan, lookups)
        _check_mitigation_owners(check, lookups)
        _check_status(check, risk, plan.rescored)
        _diff(plan, lookups)
        plans.append(plan)
    problems.sort(key=lambda p: p.row)
    return RiskImport(tuple(plans), tuple(problems))


# --- import: writing -------------------------------------------------------------------------


def write_risk_import(
    session: Session,
    *,
    actor: Actor,
    plans: Sequence[_Plan],
    reason: str,
    today: date,
    now: datetime,
    skip_rows: frozenset[int] = frozenset(),
) -> None:
    """Write the checked ``plans`` (all of them; rows in ``skip_rows`` left out)."""
    for plan in plans:
        if plan.sheet_row.row in skip_rows:
            continue
        if plan.risk is None:
            _create(session, actor, plan, reason=reason, today=today, now=now)
        elif plan.changes:
            _update(session, actor, plan, plan.risk, reason=reason, today=today, now=now)
    session.flush()


def _create(
    session: Session, actor: Actor, plan: _Plan, *, reason: str, today: date, now: datetime
) -> None:
    row = plan.sheet_row
    assert plan.owner is not None and plan.owner.id is not None
    assert row.title is not None and row.likelihood is not None and row.impact is not None
    review_days = row.review_days or 30
    risk = Risk(
        reference=plan.reference,
        title=row.title,
        description=row.description,
        owner_id=plan.owner.id,
        body_id=plan.body.id if plan.body else None,
        inherent_likelihood=row.inherent_likelihood or row.likelihood,
        inherent_impact=row.inherent_impact or row.impact,
        likelihood=row.likelihood,
        impact=row.impact,
        target_score=row.target_score,
        review_days=review_days,
        next_review=row.next_review or next_review_after(today, review_days),
        status=row.status or RiskStatus.OPEN.value,
        closed_reason=row.closed_reason,
        shareable=bool(row.shareable),
        sort_key=reference_sort_key(plan.reference)[0],
        created_at=now,
    )
    session.add(risk)
    session.flush()
    assert risk.id is not None
    for priority in plan.priorities or ():
        session.add(RiskPriority(risk_id=risk.id, priority_id=priority.id or 0))
    for action in plan.actions or ():
        session.add(RiskAction(risk_id=risk.id, action_id=action.id or 0))
    for cell, owner_id in plan.new_mitigations:
        session.add(_mitigation(risk.id, cell, owner_id or plan.owner.id, now))
    if (risk.inherent_likelihood, risk.inherent_impact) != (risk.likelihood, risk.impact):
        session.add(
            _review(
                risk.id,
                risk.inherent_likelihood,
                risk.inherent_impact,
                f"First assessment ({reason}).",
                actor,
                now,
            )
        )
    session.add(_review(risk.id, risk.likelihood, risk.impact, reason, actor, now))
    _audit(session, actor, risk, plan, reason)


def _update(
    session: Session,
    actor: Actor,
    plan: _Plan,
    risk: Risk,
    *,
    reason: str,
    today: date,
    now: datetime,
) -> None:
    row = plan.sheet_row
    rescored = plan.rescored
    for name in ("title", "description", "target_score", "review_days", "closed_reason"):
        value = getattr(row, name)
        if value is not None:
            setattr(risk, name, value)
    for name in ("inherent_likelihood", "inherent_impact", "likelihood", "impact", "status"):
        value = getattr(row, name)
        if value is not None:
            setattr(risk, name, value)
    if row.shareable is not None:
        risk.shareable = row.shareable
    if plan.owner is not None and plan.owner.id is not None:
        risk.owner_id = plan.owner.id
    if plan.body is not None:
        risk.body_id = plan.body.id
    if row.next_review is not None:
        risk.next_review = row.next_review
    elif rescored:
        risk.next_review = next_review_after(today, risk.review_days)
    assert risk.id is not None
    if rescored:
        session.add(_review(risk.id, risk.likelihood, risk.impact, reason, actor, now))
    if plan.priorities is not None:
        _relink(session, RiskPriority, risk.id, "priority_id", [p.id for p in plan.priorities])
    if plan.actions is not None:
        _relink(session, RiskAction, risk.id, "action_id", [a.id for a in plan.actions])
    for cell, owner_id in plan.new_mitigations:
        session.add(_mitigation(risk.id, cell, owner_id or risk.owner_id, now))
    for mitigation, wanted, owner_id in plan.changed_mitigations:
        mitigation.owner_id, mitigation.due_date = owner_id, wanted.due_date
        mitigation.done = wanted.done
        session.add(mitigation)
    risk.version += 1
    session.add(risk)
    _audit(session, actor, risk, plan, reason)


def _relink(
    session: Session,
    model: type[RiskPriority] | type[RiskAction],
    risk_id: int,
    column: str,
    ids: Sequence[int | None],
) -> None:
    for link in session.exec(select(model).where(model.risk_id == risk_id)).all():
        session.delete(link)
    session.flush()
    for other in dict.fromkeys(i for i in ids if i is not None):
        session.add(model(risk_id=risk_id, **{column: other}))


def _mitigation(
    risk_id: int, cell: MitigationCell, owner_id: int | None, now: datetime
) -> RiskMitigation:
    return RiskMitigation(
        risk_id=risk_id,
        description=cell.description,
        owner_id=owner_id,
        due_date=cell.due_date,
        done=cell.done,
        created_at=now,
    )


def _review(
    risk_id: int, likelihood: int, impact: int, commentary: str, actor: Actor, now: datetime
) -> RiskReview:
    return RiskReview(
        risk_id=risk_id,
        likelihood=likelihood,
        impact=impact,
        commentary=commentary,
        created_by_id=actor.person_id,
        created_at=now,
    )


def _audit(session: Session, actor: Actor, risk: Risk, plan: _Plan, reason: str) -> None:
    changes: dict[str, tuple[object, object]] = {}
    if plan.risk is None:
        changes["created"] = (None, risk.title)
    for change in plan.changes:
        key = change.field.lower().replace(" ", "_")
        if key in changes:  # several mitigations: one audit row each
            key = f"{key}_{len(changes)}"
        changes[key] = (change.old, change.new)
    record_changes(
        session,
        actor=actor,
        entity="risk",
        entity_id=risk.id,
        entity_label=risk.reference,
        changes=changes,
        reason=reason,
    )

"""The packaged Lancashire strategy (``tracker/data/strategy.yaml``) -> the database.

Seeding inserts what is missing and never overwrites what users have changed: a priority,
action or measure that already exists (matched by number or reference) is left exactly as it is.
Running it twice changes nothing. Owners in the data file are role titles with example.org
addresses; an owner not yet known as a person is created from the governance file's people or,
failing that, from the address itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, select

from tracker.models import (
    Action,
    ActionStatus,
    GovernanceBody,
    MeasureAction,
    Organisation,
    Person,
    Priority,
    SuccessMeasure,
    Workstream,
)
from tracker.permissions import Actor
from tracker.rules import (
    reference_sort_key as reference_sort_key,  # older imports; use tracker.rules
)
from tracker.rules import reference_sort_number
from tracker.services.audit import record_change
from tracker.strategy import load_strategy as load_strategy  # older imports; use tracker.strategy

ACTOR_LABEL = "seed"
# Seeding is the operator's doing (``tracker init``), audited as "seed".
SEED_ACTOR = Actor.for_operator(ACTOR_LABEL)


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str) -> None:
        self.created[kind] = self.created.get(kind, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created)


def seed_strategy(session: Session) -> SeedReport:
    """Insert the strategy's priorities, actions and measures that are not there yet."""
    data = load_strategy()
    report = SeedReport()
    lookups = _Lookups.build(session)
    for item in data["priorities"]:
        priority = _seed_priority(session, item, report)
        for action_item in item.get("actions", []):
            _seed_action(session, priority, action_item, lookups, report)
        session.flush()
        for measure_item in item.get("measures", []):
            _seed_measure(session, priority, measure_item, lookups, report)
    session.flush()
    return report


@dataclass
class _Lookups:
    workstreams: dict[str, Workstream]
    bodies: dict[str, GovernanceBody]
    organisations: dict[str, Organisation]
    people: dict[str, Person]

    @classmethod
    def build(cls, session: Session) -> _Lookups:
        orgs: dict[str, Organisation] = {}
        for org in session.exec(select(Organisation)).all():
            for name in (org.name, org.short_name, *org.aliases):
                if name:
                    orgs[name.casefold()] = org
        return cls(
            workstreams={w.key: w for w in session.exec(select(Workstream)).all()},
            bodies={b.key: b for b in session.exec(select(GovernanceBody)).all()},
            organisations=orgs,
            people={p.email: p for p in session.exec(select(Person)).all()},
        )

    def person(
        self, session: Session, email: str | None, org: Organisation | None
    ) -> Person | None:
        if not email:
            return None
        email = email.lower()
        if email not in self.people:
            person = Person(
                name=email.split("@")[0].replace(".", " ").title(),
                email=email,
                organisation_id=org.id if org else None,
            )
            session.add(person)
            session.flush()
            self.people[email] = person
        return self.people[email]


def _seed_priority(session: Session, item: dict[str, Any], report: SeedReport) -> Priority:
    number = int(item["number"])
    row = session.exec(select(Priority).where(Priority.number == number)).first()
    if row is None:
        row = Priority(
            number=number,
            title=item["title"],
            short_title=item.get("short_title"),
            ambition=item.get("ambition"),
        )
        session.add(row)
        session.flush()
        report.count("priority")
    return row


def _seed_action(
    session: Session,
    priority: Priority,
    item: dict[str, Any],
    lookups: _Lookups,
    report: SeedReport,
) -> None:
    reference = item["ref"]
    if session.exec(select(Action.id).where(Action.reference == reference)).first() is not None:
        return
    org = lookups.organisations.get(str(item.get("lead_organisation", "")).casefold())
    owner = lookups.person(session, item.get("owner"), org)
    workstream = lookups.workstreams.get(item.get("workstream", ""))
    body = lookups.bodies.get(item.get("body", ""))
    due = _date(item.get("due"))
    assert priority.id is not None
    action = Action(
        reference=reference,
        title=item["title"],
        description=item.get("description"),
        priority_id=priority.id,
        workstream_id=workstream.id if workstream else None,
        owner_id=owner.id if owner else None,
        lead_organisation_id=org.id if org else None,
        body_id=body.id if body else None,
        start_date=_date(item.get("start")),
        due_date=due,
        original_due_date=due,
        status=ActionStatus.NOT_STARTED.value,
        sort_key=reference_sort_number(reference),
        source="seed",
        # The strategy does not say who, which organisation or when: the seed's guesses stay
        # "to confirm" until an administrator confirms, edits or imports them.
        planning_confirmed=False,
    )
    session.add(action)
    session.flush()
    record_change(
        session,
        actor=SEED_ACTOR,
        entity="action",
        entity_id=action.id,
        entity_label=reference,
        field="created",
        old=None,
        new=reference,
    )
    report.count("action")


def _seed_measure(
    session: Session,
    priority: Priority,
    item: dict[str, Any],
    lookups: _Lookups,
    report: SeedReport,
) -> None:
    reference = item["ref"]
    exists = session.exec(
        select(SuccessMeasure.id).where(SuccessMeasure.reference == reference)
    ).first()
    if exists is not None:
        return
    baseline = item.get("baseline") or {}
    unit = item.get("unit", "narrative")
    owner = lookups.person(session, item.get("owner"), None)
    assert priority.id is not None
    measure = SuccessMeasure(
        reference=reference,
        priority_id=priority.id,
        wording=item["wording"],
        unit=unit,
        direction=item.get("direction", "higher"),
        frequency=item.get("frequency"),
        data_source=item.get("data_source"),
        owner_id=owner.id if owner else None,
        baseline_value=baseline.get("value"),
        baseline_date=_date(baseline.get("date")),
        baseline_note=baseline.get("note"),
        rating_mode="narrative" if unit in ("narrative",) else "numeric",
    )
    session.add(measure)
    session.flush()
    assert measure.id is not None
    for ref in item.get("contributing_actions", []):
        action_id = session.exec(select(Action.id).where(Action.reference == ref)).first()
        if action_id is not None:
            session.add(MeasureAction(measure_id=measure.id, action_id=action_id))
    report.count("measure")


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))

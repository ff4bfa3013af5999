"""Write a validated ``GovernanceConfig`` into the database, idempotently.

Organisations are matched by name (or short name), people by e-mail, bodies and workstreams by
their stable ``key``: loading the same file twice changes nothing, and renaming a body in the
file renames its row. Entries removed from the file are marked inactive, never deleted, because
actions, updates and papers refer to them. Every change is audited as made by the file.
People: the file owns the existence, name, job title, organisation and roles of each person it
lists (a role removed from the file is removed); the app owns whether a person is active and
everyone it created. So a deactivation made in the app survives every load, a person removed
from the file becomes inactive (and app-owned), and the file reactivates only whom it
deactivated itself (``active: false``, or removal).
Meetings are materialised from each board's calendar with their paper deadlines and update
windows; meetings no longer in the calendar are marked cancelled (papers may refer to them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from tracker.governance import GovernanceConfig
from tracker.models import (
    GovernanceBody,
    Meeting,
    Organisation,
    Person,
    PersonRole,
    Workstream,
)
from tracker.permissions import Actor
from tracker.services.audit import record_change

ACTOR_LABEL = "governance.yaml"
# Loading the file is the operator's doing (``tracker init``), audited under the file's name.
GOVERNANCE_FILE_ACTOR = Actor.for_operator(ACTOR_LABEL)


@dataclass
class SyncReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, *, created: bool) -> None:
        target = self.created if created else self.updated
        target[kind] = target.get(kind, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _apply(
    session: Session,
    report: SyncReport,
    row: Any,
    entity: str,
    label: str,
    values: dict[str, Any],
    *,
    created: bool,
) -> None:
    """Set ``values`` on ``row``, auditing each field that really changes."""
    changed = False
    for name, new in values.items():
        old = getattr(row, name)
        if old != new:
            if not created:
                record_change(
                    session,
                    actor=GOVERNANCE_FILE_ACTOR,
                    entity=entity,
                    entity_id=row.id,
                    entity_label=label,
                    field=name,
                    old=old,
                    new=new,
                )
            setattr(row, name, new)
            changed = True
    if created:
        session.add(row)
        session.flush()
        record_change(
            session,
            actor=GOVERNANCE_FILE_ACTOR,
            entity=entity,
            entity_id=row.id,
            entity_label=label,
            field="created",
            old=None,
            new=label,
        )
        report.count(entity, created=True)
    elif changed:
        session.add(row)
        report.count(entity, created=False)


def sync_governance(session: Session, config: GovernanceConfig) -> SyncReport:
    """Make the database match ``config`` (in the caller's transaction)."""
    report = SyncReport()
    orgs = _sync_organisations(session, config, report)
    people = _sync_people(session, config, orgs, report)
    bodies = _sync_bodies(session, config, orgs, people, report)
    _sync_workstreams(session, config, bodies, people, report)
    _sync_meetings(session, config, bodies, report)
    session.flush()
    return report


def _sync_organisations(
    session: Session, config: GovernanceConfig, report: SyncReport
) -> dict[str, Organisation]:
    existing = list(session.exec(select(Organisation)).all())
    by_name = {o.name.casefold(): o for o in existing}
    by_short = {o.short_name.casefold(): o for o in existing if o.short_name}
    result: dict[str, Organisation] = {}
    for item in config.organisations:
        row = by_name.get(item.name.casefold()) or (
            by_short.get(item.short_name.casefold()) if item.short_name else None
        )
        created = row is None
        row = row or Organisation(name=item.name)
        values = {
            "name": item.name,
            "short_name": item.short_name,
            "kind": item.kind,
            "aliases": list(item.aliases),
            "active": True,
        }
        _apply(session, report, row, "organisation", item.name, values, created=created)
        result[item.name] = row
    return result


def _org_id(config: GovernanceConfig, orgs: dict[str, Organisation], ref: str | None) -> int | None:
    if ref is None:
        return None
    found = config.find_organisation(ref)
    return orgs[found.name].id if found else None


def _sync_people(
    session: Session,
    config: GovernanceConfig,
    orgs: dict[str, Organisation],
    report: SyncReport,
) -> dict[str, Person]:
    """The file owns the existence, details and roles of the people it lists; the app owns
    who is active (the file only deactivates, and reactivates only whom it deactivated)."""
    existing = {p.email: p for p in session.exec(select(Person)).all()}
    result: dict[str, Person] = {}
    for item in config.people:
        email = str(item.email).lower()
        row = existing.get(email)
        created = row is None
        row = row or Person(name=item.name, email=email)
        values: dict[str, Any] = {
            "name": item.name,
            "job_title": item.job_title or row.job_title,
            "organisation_id": _org_id(config, orgs, item.organisation),
            "in_governance_file": True,
        }
        if created:
            values["active"] = item.active
            values["deactivated_by"] = None if item.active else ACTOR_LABEL
        elif not item.active and row.active:
            values.update(active=False, deactivated_by=ACTOR_LABEL)
        elif item.active and not row.active and row.deactivated_by == ACTOR_LABEL:
            values.update(active=True, deactivated_by=None)
        _apply(session, report, row, "person", email, values, created=created)
        assert row.id is not None
        _sync_roles(session, row, {r.value for r in item.roles}, report)
        result[email] = row
    listed = set(result)
    for email, row in existing.items():
        if row.in_governance_file and email not in listed:
            # A leaver: kept (their history is evidence), made inactive, left to the app.
            values = {"in_governance_file": False}
            if row.active:
                values.update(active=False, deactivated_by=ACTOR_LABEL)
            _apply(session, report, row, "person", email, values, created=False)
    return result


def _audit_role(
    session: Session, person: Person, field: str, old: str | None, new: str | None
) -> None:
    record_change(
        session,
        actor=GOVERNANCE_FILE_ACTOR,
        entity="person",
        entity_id=person.id,
        entity_label=person.email,
        field=field,
        old=old,
        new=new,
    )


def _sync_roles(session: Session, person: Person, wanted: set[str], report: SyncReport) -> None:
    """Make a listed person's roles exactly the file's: add the new, remove the dropped."""
    assert person.id is not None
    held = list(session.exec(select(PersonRole).where(PersonRole.person_id == person.id)).all())
    for row in held:
        if row.role not in wanted:
            session.delete(row)
            _audit_role(session, person, "role removed", row.role, None)
            report.count("role", created=False)
    for role in sorted(wanted - {r.role for r in held}):
        session.add(PersonRole(person_id=person.id, role=role))
        _audit_role(session, person, "role added", None, role)
        report.count("role", created=True)


def _sync_bodies(
    session: Session,
    config: GovernanceConfig,
    orgs: dict[str, Organisation],
    people: dict[str, Person],
    report: SyncReport,
) -> dict[str, GovernanceBody]:
    existing = {b.key: b for b in session.exec(select(GovernanceBody)).all()}
    result: dict[str, GovernanceBody] = {}
    # First pass without reporting lines, so every body has an id to point at.
    for order, item in enumerate(config.bodies):
        row = existing.get(item.key)
        created = row is None
        row = row or GovernanceBody(key=item.key, name=item.name, tier=item.tier.value)
        values = {
            "name": item.name,
            "short_name": item.short_name,
            "tier": item.tier.value,
            "organisation_id": _org_id(config, orgs, item.organisation),
            "secretary_id": _person_id(people, item.secretary),
            "chair_id": _person_id(people, item.chair),
            "description": item.description,
            "paper_deadline_working_days": item.paper_deadline_working_days
            if item.calendar
            else None,
            "update_window_working_days": item.update_window_working_days
            if item.calendar
            else None,
            "sort_order": order,
            "active": True,
        }
        _apply(session, report, row, "governance_body", item.name, values, created=created)
        result[item.key] = row
    for item in config.bodies:
        target = config.find_body(item.reports_to) if item.reports_to else None
        row = result[item.key]
        reports_to_id = result[target.key].id if target else None
        if item.key not in existing:
            # Just created: its reporting line is part of its creation, not a later change.
            row.reports_to_id = reports_to_id
            session.add(row)
            continue
        values = {"reports_to_id": reports_to_id}
        _apply(session, report, row, "governance_body", item.name, values, created=False)
    for key, row in existing.items():
        if key not in result and row.active:
            _apply(
                session, report, row, "governance_body", row.name, {"active": False}, created=False
            )
    return result


def _person_id(people: dict[str, Person], email: object | None) -> int | None:
    if email is None:
        return None
    person = people.get(str(email).lower())
    return person.id if person else None


def _sync_workstreams(
    session: Session,
    config: GovernanceConfig,
    bodies: dict[str, GovernanceBody],
    people: dict[str, Person],
    report: SyncReport,
) -> None:
    existing = {w.key: w for w in session.exec(select(Workstream)).all()}
    seen = set()
    for order, item in enumerate(config.workstreams):
        row = existing.get(item.key)
        created = row is None
        row = row or Workstream(key=item.key, name=item.name)
        target = config.find_body(item.reports_to) if item.reports_to else None
        values = {
            "name": item.name,
            "lead_role": item.lead_role,
            "lead_id": _person_id(people, item.lead),
            "reports_to_id": bodies[target.key].id if target else None,
            "sort_order": order,
            "active": True,
        }
        _apply(session, report, row, "workstream", item.name, values, created=created)
        seen.add(item.key)
    for key, row in existing.items():
        if key not in seen and row.active:
            _apply(session, report, row, "workstream", row.name, {"active": False}, created=False)


def _sync_meetings(
    session: Session,
    config: GovernanceConfig,
    bodies: dict[str, GovernanceBody],
    report: SyncReport,
) -> None:
    for item in config.bodies:
        body = bodies[item.key]
        cycles = {c.meeting: c for c in config.meeting_cycles(item)}
        existing = {
            m.meeting_date: m
            for m in session.exec(select(Meeting).where(Meeting.body_id == body.id)).all()
        }
        for day, cycle in cycles.items():
            row = existing.get(day)
            created = row is None
            assert body.id is not None
            row = row or Meeting(body_id=body.id, meeting_date=day)
            values = {
                "paper_deadline": cycle.paper_deadline,
                "window_opens": cycle.window_opens,
                "cancelled": False,
            }
            label = f"{item.name} {day.isoformat()}"
            _apply(session, report, row, "meeting", label, values, created=created)
        for day, row in existing.items():
            if day not in cycles and not row.cancelled:
                label = f"{item.name} {day.isoformat()}"
                _apply(session, report, row, "meeting", label, {"cancelled": True}, created=False)

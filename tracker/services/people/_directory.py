"""People, their roles and the ``Actor`` the other services check permissions against.

Roles are read from the database on every call, so removing a role takes effect on the next
page load. E-mail addresses are stored lower-cased, which makes them unique regardless of case.
Who owns what (see ``governance_sync``): governance.yaml owns the roles of the people it lists,
so ``set_roles`` refuses them; the app owns who is active, for everyone. Operators at the
command line (``tracker people``) change active status without a signed-in actor: having the
database URL is their authority, and the audit log names them as the operator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func
from sqlmodel import Session, select

from tracker.errors import InvalidInput, NotFound
from tracker.models import Action, Organisation, Person, PersonRole, Role, Workstream
from tracker.permissions import Actor, Operation, require
from tracker.rules import clean_text
from tracker.services.audit import record_change


class PersonError(InvalidInput):
    """A person record that cannot be saved; ``field`` names the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.fields = {field: message}
        super().__init__(f"{field}: {message}")


class UnknownPerson(NotFound):
    pass


def normalise_email(value: str) -> str:
    """The address lower-cased and checked, or PersonError('email', ...)."""
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise PersonError("email", str(exc)) from None


def _checked_text(field: str, value: str | None) -> str | None:
    """Cleaned text that fits its column (200 characters), or PersonError naming ``field``."""
    try:
        return clean_text(value, max_length=200)
    except ValueError as exc:
        raise PersonError(field, str(exc)) from None


def build_actor(session: Session, person: Person) -> Actor:
    """The permissions view of ``person``, read fresh from the database."""
    assert person.id is not None
    roles = frozenset(
        session.exec(select(PersonRole.role).where(PersonRole.person_id == person.id)).all()
    )
    owns = session.exec(select(Action.id).where(Action.owner_id == person.id).limit(1)).first()
    leads = session.exec(
        select(Workstream.id).where(Workstream.lead_id == person.id).limit(1)
    ).first()
    return Actor(
        person_id=person.id,
        email=person.email,
        name=person.name,
        roles=roles,
        active=person.active,
        owns_actions=owns is not None,
        leads_workstreams=leads is not None,
    )


def find_person_by_email(session: Session, email: str) -> Person | None:
    return session.exec(select(Person).where(Person.email == email.strip().lower())).first()


def actor_for_email(session: Session, email: str) -> Actor:
    person = find_person_by_email(session, email)
    if person is None:
        raise UnknownPerson(email)
    return build_actor(session, person)


def actor_by_id(session: Session, person_id: int | None) -> Actor:
    """The person with this id, read afresh; an actor without one (an operator) is no person."""
    person = None if person_id is None else session.get(Person, person_id)
    if person is None:
        raise UnknownPerson(str(person_id))
    return build_actor(session, person)


def resolve_dev_user(session: Session, identity: str) -> Person | None:
    """A person named by e-mail, or the first active holder of a role name."""
    if "@" in identity:
        return find_person_by_email(session, identity)
    role = identity.strip().lower().replace(" ", "_").replace("-", "_")
    return session.exec(
        select(Person)
        .join(PersonRole, PersonRole.person_id == Person.id)  # type: ignore[arg-type]
        .where(PersonRole.role == role, Person.active)
        .order_by(Person.id)  # type: ignore[arg-type]
    ).first()


@dataclass(frozen=True)
class PersonRow:
    id: int
    name: str
    email: str
    job_title: str | None
    organisation: str | None
    roles: tuple[str, ...]
    active: bool
    last_seen_at: datetime | None
    in_governance_file: bool = False
    deactivated_by: str | None = None
    bound: bool = False  # signed in once: tied to an Entra tenant and object id

    @property
    def source(self) -> str:
        return "governance.yaml" if self.in_governance_file else "app"


def list_people(session: Session, *, include_inactive: bool = True) -> list[PersonRow]:
    roles: dict[int, list[str]] = {}
    for person_id, role in session.exec(select(PersonRole.person_id, PersonRole.role)).all():
        roles.setdefault(person_id, []).append(role)
    orgs = {o.id: o.short_name or o.name for o in session.exec(select(Organisation)).all()}
    query = select(Person).order_by(func.lower(Person.name))
    if not include_inactive:
        query = query.where(Person.active)
    return [
        PersonRow(
            id=p.id or 0,
            name=p.name,
            email=p.email,
            job_title=p.job_title,
            organisation=orgs.get(p.organisation_id),
            roles=tuple(sorted(roles.get(p.id or 0, []))),
            active=p.active,
            last_seen_at=p.last_seen_at,
            in_governance_file=p.in_governance_file,
            deactivated_by=p.deactivated_by,
            bound=p.entra_object_id is not None,
        )
        for p in session.exec(query).all()
    ]


def add_person(
    session: Session,
    *,
    actor: Actor,
    name: str,
    email: str,
    organisation_id: int | None = None,
    job_title: str | None = None,
    roles: frozenset[str] = frozenset(),
) -> Person:
    require(actor, Operation.MANAGE_PEOPLE)
    clean_name = _checked_text("name", name)
    if not clean_name:
        raise PersonError("name", "a name is required")
    address = normalise_email(email)
    if find_person_by_email(session, address) is not None:
        raise PersonError("email", f"{address} already belongs to someone")
    _check_roles(roles)
    person = Person(
        name=clean_name,
        email=address,
        organisation_id=organisation_id,
        job_title=_checked_text("job_title", job_title),
    )
    session.add(person)
    session.flush()
    assert person.id is not None
    record_change(
        session,
        actor=actor,
        entity="person",
        entity_id=person.id,
        entity_label=address,
        field="created",
        old=None,
        new=address,
    )
    for role in sorted(roles):
        session.add(PersonRole(person_id=person.id, role=role))
        record_change(
            session,
            actor=actor,
            entity="person",
            entity_id=person.id,
            entity_label=address,
            field="role added",
            old=None,
            new=role,
        )
    return person


def _check_roles(roles: frozenset[str]) -> None:
    known = {r.value for r in Role}
    unknown = sorted(roles - known)
    if unknown:
        raise PersonError("roles", f"unknown role(s): {', '.join(unknown)}")


def set_roles(session: Session, *, actor: Actor, person_id: int, roles: frozenset[str]) -> None:
    """Replace a person's roles, auditing each one added or removed."""
    require(actor, Operation.MANAGE_PEOPLE)
    _check_roles(roles)
    person = session.get(Person, person_id)
    if person is None:
        raise UnknownPerson(str(person_id))
    if person.in_governance_file:
        raise PersonError(
            "roles",
            f"governance.yaml sets the roles of {person.email}: change them there and run "
            "`tracker init`, or deactivate the person here",
        )
    if person_id == actor.person_id and Role.ADMINISTRATOR.value not in roles:
        raise PersonError("roles", "you cannot remove your own administrator role")
    # A list: table models are not hashable.
    held = list(session.exec(select(PersonRole).where(PersonRole.person_id == person_id)).all())
    held_names = {r.role for r in held}
    for row in held:
        if row.role not in roles:
            session.delete(row)
            record_change(
                session,
                actor=actor,
                entity="person",
                entity_id=person_id,
                entity_label=person.email,
                field="role removed",
                old=row.role,
                new=None,
            )
    for role in sorted(roles - held_names):
        session.add(PersonRole(person_id=person_id, role=role))
        record_change(
            session,
            actor=actor,
            entity="person",
            entity_id=person_id,
            entity_label=person.email,
            field="role added",
            old=None,
            new=role,
        )


def set_active(session: Session, *, actor: Actor, person_id: int, active: bool) -> None:
    """Deactivate (or reactivate) a person; they keep their history but can no longer sign in."""
    require(actor, Operation.MANAGE_PEOPLE)
    person = session.get(Person, person_id)
    if person is None:
        raise UnknownPerson(str(person_id))
    if person_id == actor.person_id and not active:
        raise PersonError("active", "you cannot deactivate yourself")
    _change_active(session, person, active, actor=actor)


def set_active_as_operator(session: Session, *, email: str, active: bool, operator: Actor) -> bool:
    """``tracker people activate/deactivate`` (by e-mail): True if the person's status changed.

    ``operator`` is normally ``Actor.for_operator(...)``; anyone else needs to manage people.
    """
    require(operator, Operation.MANAGE_PEOPLE)
    person = find_person_by_email(session, email)
    if person is None:
        raise UnknownPerson(email)
    changed = person.active != active
    _change_active(session, person, active, actor=operator)
    return changed


def _change_active(session: Session, person: Person, active: bool, *, actor: Actor) -> None:
    assert person.id is not None
    record_change(
        session,
        actor=actor,
        entity="person",
        entity_id=person.id,
        entity_label=person.email,
        field="active",
        old=person.active,
        new=active,
    )
    if person.active != active:
        # Marked as the app's decision: loading governance.yaml never undoes it.
        person.deactivated_by = None if active else "app"
    person.active = active
    session.add(person)

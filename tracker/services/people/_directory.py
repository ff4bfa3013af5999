"""People, their roles and the ``Actor`` the other services check permissions against.

Roles are read from the database on every call, so removing a role takes effect on the next
page load. E-mail addresses are stored lower-cased, which makes them unique regardless of case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

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


def actor_by_id(session: Session, person_id: int) -> Actor:
    person = session.get(Person, person_id)
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


def match_signed_in_user(
    session: Session, *, email: str | None, object_id: str | None
) -> Person | None:
    """The person an Entra ID sign-in belongs to: by object id once seen, else by e-mail.

    The first successful match stores the object id, so a later change of e-mail address in
    Entra still finds the same person.
    """
    person = None
    if object_id:
        person = session.exec(select(Person).where(Person.entra_object_id == object_id)).first()
    if person is None and email:
        person = find_person_by_email(session, email)
        if person is not None and object_id and person.entra_object_id is None:
            person.entra_object_id = object_id
    if person is not None:
        person.last_seen_at = datetime.now(UTC)
        session.add(person)
    return person


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
    clean_name = clean_text(name, max_length=200)
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
        job_title=clean_text(job_title, max_length=200),
    )
    session.add(person)
    session.flush()
    assert person.id is not None
    record_change(
        session,
        actor=_person(session, actor),
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
            actor=_person(session, actor),
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


def _person(session: Session, actor: Actor) -> Person | None:
    return session.get(Person, actor.person_id)


def set_roles(session: Session, *, actor: Actor, person_id: int, roles: frozenset[str]) -> None:
    """Replace a person's roles, auditing each one added or removed."""
    require(actor, Operation.MANAGE_PEOPLE)
    _check_roles(roles)
    person = session.get(Person, person_id)
    if person is None:
        raise UnknownPerson(str(person_id))
    if person_id == actor.person_id and Role.ADMINISTRATOR.value not in roles:
        raise PersonError("roles", "you cannot remove your own administrator role")
    # A list: table models are not hashable.
    held = list(session.exec(select(PersonRole).where(PersonRole.person_id == person_id)).all())
    held_names = {r.role for r in held}
    me = _person(session, actor)
    for row in held:
        if row.role not in roles:
            session.delete(row)
            record_change(
                session,
                actor=me,
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
            actor=me,
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
    record_change(
        session,
        actor=_person(session, actor),
        entity="person",
        entity_id=person_id,
        entity_label=person.email,
        field="active",
        old=person.active,
        new=active,
    )
    person.active = active
    session.add(person)

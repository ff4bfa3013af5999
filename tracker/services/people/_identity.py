"""Who an Entra ID sign-in is: a person bound to one (tenant id, object id) pair, and nothing else.

Only the configured tenant is accepted (``TRACKER_ENTRA_TENANT_ID``, or the tenant in the
tenant-specific ``server_metadata_url`` of ``secrets.toml``). A person not yet bound is matched
once by the token's ``email`` claim (case-insensitively; ``preferred_username`` never matches,
since a tenant's users may set it) and bound to the token's ``tid`` and ``oid``; from then on
only that pair signs in as them. An account whose e-mail belongs to a person bound to another
object id, or that an administrator unbound from that person, is refused. Every sign-in,
refusal, binding and unbinding is audited. ``bound_actor`` is what each rerun of the app asks:
the person bound to this pair, with roles and active status read afresh.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlparse

from sqlmodel import Session, col, select

from tracker import clock
from tracker.models import AuditLog, Person
from tracker.permissions import Actor, Operation, require
from tracker.services.audit import record_change, record_event
from tracker.services.people._directory import UnknownPerson, build_actor, find_person_by_email

_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_ALL_ZERO = "00000000-0000-0000-0000-000000000000"
ENTRA_HOSTS = frozenset({"login.microsoftonline.com"})
NOT_REGISTERED = "this account is not registered with the tracker"
OTHER_TENANT = "this account does not belong to the partnership's Microsoft Entra tenant"
INCOMPLETE = "the sign-in did not say which account this is (no tenant or object id)"
TAKEN = "the e-mail address belongs to a person already tied to another Microsoft account"
UNBOUND = "this account was unbound from that person by an administrator"
INACTIVE = "this account has been deactivated"


@dataclass(frozen=True)
class EntraIdentity:
    """The claims of a validated ID token that matter here."""

    tenant_id: str | None
    object_id: str | None
    email: str | None  # the ``email`` claim only
    name: str | None = None

    @property
    def label(self) -> str:
        return self.email or self.name or self.object_id or "an unknown account"

    @property
    def binding(self) -> str:
        return f"{self.tenant_id}/{self.object_id}"


@dataclass(frozen=True)
class SignInOutcome:
    person_id: int | None
    refusal: str | None = None


def tenant_from_metadata_url(url: str | None) -> str | None:
    """The tenant id in a tenant-specific Entra metadata URL, else None (common, zeros...)."""
    if not url:
        return None
    parsed = urlparse(url)
    parts = [p for p in parsed.path.split("/") if p]
    if parsed.hostname not in ENTRA_HOSTS or not parts:
        return None
    tenant = parts[0].lower()
    return tenant if _GUID.match(tenant) and tenant != _ALL_ZERO else None


def configured_tenant(*, setting: str | None, metadata_url: str | None) -> str | None:
    """The one tenant whose accounts may sign in: the setting, else the metadata URL's."""
    if setting and setting.strip():
        return setting.strip().lower()
    return tenant_from_metadata_url(metadata_url)


def _refuse(
    session: Session, identity: EntraIdentity, reason: str, *, person: Person | None = None
) -> SignInOutcome:
    record_event(
        session,
        actor=Actor.unrecognised(identity.label),
        entity="person" if person else "sign-in",
        entity_id=person.id if person else None,
        entity_label=person.email if person else identity.label,
        field="sign-in refused",
        detail=f"{reason} (account {identity.binding})",
    )
    return SignInOutcome(person_id=None, refusal=reason)


def _signed_in(session: Session, person: Person, identity: EntraIdentity) -> SignInOutcome:
    person.last_seen_at = clock.now()
    session.add(person)
    record_event(
        session,
        actor=build_actor(session, person),
        entity="person",
        entity_id=person.id,
        entity_label=person.email,
        field="signed in",
        detail=f"account {identity.binding}",
    )
    return SignInOutcome(person_id=person.id)


def _was_unbound(session: Session, person: Person, identity: EntraIdentity) -> bool:
    return (
        session.exec(
            select(AuditLog.id).where(
                AuditLog.entity == "person",
                AuditLog.entity_id == person.id,
                AuditLog.field == "identity unbound",
                AuditLog.old == identity.binding,
            )
        ).first()
        is not None
    )


def _bound_person(session: Session, identity: EntraIdentity) -> Person | None:
    return session.exec(
        select(Person).where(
            col(Person.entra_tenant_id) == identity.tenant_id,
            col(Person.entra_object_id) == identity.object_id,
        )
    ).first()


def sign_in(session: Session, *, identity: EntraIdentity, tenant_id: str) -> SignInOutcome:
    """Match a fresh sign-in to a person (binding them at the first), auditing the outcome."""
    if not identity.tenant_id or not identity.object_id:
        return _refuse(session, identity, INCOMPLETE)
    if identity.tenant_id.lower() != tenant_id.lower():
        return _refuse(session, identity, OTHER_TENANT)
    person = _bound_person(session, identity)
    if person is not None:
        if not person.active:
            return _refuse(session, identity, INACTIVE, person=person)
        return _signed_in(session, person, identity)
    taken = session.exec(select(Person).where(col(Person.entra_object_id) == identity.object_id))
    person = find_person_by_email(session, identity.email) if identity.email else None
    if person is None or taken.first() is not None:
        return _refuse(session, identity, NOT_REGISTERED)
    if person.entra_object_id is not None:
        return _refuse(session, identity, TAKEN, person=person)
    if _was_unbound(session, person, identity):
        return _refuse(session, identity, UNBOUND, person=person)
    if not person.active:
        # A leaver's mailbox may now be someone else's: never bind an inactive person.
        return _refuse(session, identity, INACTIVE, person=person)
    person.entra_tenant_id, person.entra_object_id = identity.tenant_id, identity.object_id
    record_change(
        session,
        actor=build_actor(session, person),
        entity="person",
        entity_id=person.id,
        entity_label=person.email,
        field="identity bound",
        old=None,
        new=identity.binding,
        reason="first sign-in, matched by e-mail",
    )
    return _signed_in(session, person, identity)


def bound_actor(session: Session, *, identity: EntraIdentity, tenant_id: str) -> Actor | None:
    """The person bound to this identity, read afresh (roles, active), or None."""
    if not identity.tenant_id or identity.tenant_id.lower() != tenant_id.lower():
        return None
    if not identity.object_id:
        return None
    person = _bound_person(session, identity)
    return build_actor(session, person) if person is not None else None


def unbind_identity(session: Session, *, actor: Actor, person_id: int) -> None:
    """Untie a person from their Microsoft account (their mailbox went to someone else).

    The next account to sign in with their e-mail is bound instead, except the one unbound.
    """
    require(actor, Operation.MANAGE_PEOPLE)
    person = session.get(Person, person_id)
    if person is None:
        raise UnknownPerson(str(person_id))
    if person.entra_object_id is None:
        return
    old = f"{person.entra_tenant_id}/{person.entra_object_id}"
    person.entra_tenant_id = person.entra_object_id = None
    session.add(person)
    record_change(
        session,
        actor=actor,
        entity="person",
        entity_id=person.id,
        entity_label=person.email,
        field="identity unbound",
        old=old,
        new=None,
    )

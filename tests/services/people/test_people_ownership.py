"""One source of truth for people, on both engines: governance.yaml owns the people it lists and
their roles, the app owns who is active; loading the file never undoes the app's decision."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from tests.conftest import GOVERNANCE_FILE
from tests.factories import ADMIN, EXECUTIVE, actor
from tracker.db import session_scope
from tracker.models import AuditLog, Person, PersonRole
from tracker.permissions import Actor
from tracker.seed import seed_strategy
from tracker.services.audit._chain import verify_audit_chain
from tracker.services.operations import initialise_database
from tracker.services.people import PersonError, set_active, set_roles
from tracker.services.people._directory import set_active_as_operator

CO_CHAIR = "cochair@example-lpcf.org.uk"
DCO = "dco@example.nhs.uk"
DCO_BLOCK = """  - name: Designated Clinical Officer
    email: dco@example.nhs.uk
    organisation: LSC ICB
    roles: [action_owner]
"""


def _governance_copy(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    text = GOVERNANCE_FILE.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "governance.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _person(engine: Engine, email: str) -> Person:
    with session_scope(engine) as session:
        return session.exec(select(Person).where(Person.email == email)).one()


def _roles(engine: Engine, email: str) -> set[str]:
    person_id = _person(engine, email).id
    with session_scope(engine) as session:
        return set(session.exec(select(PersonRole.role).where(PersonRole.person_id == person_id)))


def _audit(engine: Engine, email: str) -> list[tuple[str, str, str | None]]:
    person_id = _person(engine, email).id
    with session_scope(engine) as session:
        rows = session.exec(
            select(AuditLog)
            .where(AuditLog.entity == "person", AuditLog.entity_id == person_id)
            .order_by(col(AuditLog.id))
        ).all()
        return [(a.actor_label, a.field, a.new) for a in rows]


def _deactivate_in_app(engine: Engine, email: str) -> None:
    with session_scope(engine, write=True) as session:
        set_active(
            session, actor=actor(session, ADMIN), person_id=_person(engine, email).id, active=False
        )


@pytest.mark.parametrize(
    "deactivate",
    [
        _deactivate_in_app,
        lambda engine, email: _operator(engine, email, active=False),
    ],
    ids=["people page", "tracker people deactivate"],
)
def test_a_deactivation_in_the_app_survives_loading_the_file(engine: Engine, deactivate) -> None:
    deactivate(engine, EXECUTIVE)
    initialise_database(engine, governance_file=GOVERNANCE_FILE, seed=seed_strategy)
    initialise_database(engine, governance_file=GOVERNANCE_FILE, seed=seed_strategy)
    person = _person(engine, EXECUTIVE)
    assert (person.active, person.deactivated_by) == (False, "app")


def _operator(engine: Engine, email: str, *, active: bool) -> None:
    with session_scope(engine, write=True) as session:
        set_active_as_operator(
            session, email=email, active=active, operator=Actor.for_operator("operator alice")
        )


def test_a_person_removed_from_the_file_becomes_inactive_with_history_kept(
    engine: Engine, tmp_path: Path
) -> None:
    before = _audit(engine, DCO)
    initialise_database(engine, governance_file=_governance_copy(tmp_path, (DCO_BLOCK, "")))
    person = _person(engine, DCO)
    assert (person.active, person.in_governance_file) == (False, False)
    assert _audit(engine, DCO)[: len(before)] == before
    assert ("governance.yaml", "active", "False") in _audit(engine, DCO)
    assert _roles(engine, DCO) == {"action_owner"}  # kept as they were, for the record
    # Put back in the file: the file undoes its own deactivation.
    initialise_database(engine, governance_file=GOVERNANCE_FILE, seed=seed_strategy)
    assert _person(engine, DCO).active is True
    with session_scope(engine) as session:
        assert verify_audit_chain(session).ok


def test_the_file_never_reactivates_whom_the_app_deactivated(
    engine: Engine, tmp_path: Path
) -> None:
    _deactivate_in_app(engine, DCO)
    initialise_database(engine, governance_file=_governance_copy(tmp_path, (DCO_BLOCK, "")))
    initialise_database(engine, governance_file=GOVERNANCE_FILE, seed=seed_strategy)
    assert _person(engine, DCO).active is False


def test_a_role_removed_from_the_file_is_removed(engine: Engine, tmp_path: Path) -> None:
    assert _roles(engine, CO_CHAIR) == {"action_owner", "partner"}
    changed = _governance_copy(
        tmp_path,
        (
            "email: cochair@example-lpcf.org.uk\n    organisation: LPCF\n"
            "    roles: [action_owner, partner]",
            "email: cochair@example-lpcf.org.uk\n    organisation: LPCF\n    roles: [partner]",
        ),
    )
    initialise_database(engine, governance_file=changed, seed=seed_strategy)
    assert _roles(engine, CO_CHAIR) == {"partner"}
    assert ("governance.yaml", "role removed", None) in _audit(engine, CO_CHAIR)


def test_the_app_cannot_change_the_roles_the_file_sets(engine: Engine) -> None:
    executive_id = _person(engine, EXECUTIVE).id
    with (
        pytest.raises(PersonError, match=r"governance\.yaml sets the roles"),
        session_scope(engine, write=True) as session,
    ):
        set_roles(
            session,
            actor=actor(session, ADMIN),
            person_id=executive_id,
            roles=frozenset({"partner"}),
        )
    assert _roles(engine, EXECUTIVE) == {"executive"}


def test_operator_changes_are_audited_as_the_operator(engine: Engine) -> None:
    _operator(engine, EXECUTIVE, active=False)
    _operator(engine, EXECUTIVE, active=True)
    trail = _audit(engine, EXECUTIVE)
    assert trail[-2:] == [
        ("operator alice", "active", "False"),
        ("operator alice", "active", "True"),
    ]

"""E-mail addresses and names at and past their limits, everywhere a person can be created.

An address may be 254 characters (RFC 5321), its domain 253: the longest legal address must be
stored on both engines (the People page, a plan import and governance.yaml alike), and anything
longer must be a validation error naming the field, never a database error half-way through.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from tests.conftest import GOVERNANCE_FILE
from tests.factories import ADMIN, actor
from tests.importer.conftest import run_import
from tests.spreadsheets.workbooks import build_xlsx
from tracker.db import session_scope
from tracker.governance import GovernanceError, load_governance
from tracker.models import AuditLog, Person
from tracker.services.governance import sync_governance
from tracker.services.people import PersonError, add_person


def address(length: int) -> str:
    """A syntactically valid address of exactly ``length`` characters."""
    local = "a" * 64
    labels: list[str] = []
    remaining = length - len(local) - 1 - len(".org")
    while remaining > 0:
        size = min(60, remaining)
        if remaining - size == 1:  # a label cannot be empty: leave room for "x." next time
            size -= 2
        labels.append("b" * size)
        remaining -= size + 1
    result = f"{local}@{'.'.join(labels)}.org"
    assert len(result) == length, len(result)
    return result


def _add(engine: Engine, email: str, name: str = "Long Address") -> None:
    with session_scope(engine, write=True) as session:
        add_person(session, actor=actor(session, ADMIN), name=name, email=email)


@pytest.mark.parametrize("length", [247, 254])
def test_the_longest_legal_addresses_are_stored_and_audited(engine: Engine, length: int) -> None:
    email = address(length)
    _add(engine, email)
    with session_scope(engine) as session:
        person = session.exec(select(Person).where(Person.email == email)).one()
        labels = session.exec(
            select(AuditLog.entity_label).where(
                AuditLog.entity == "person", AuditLog.entity_id == person.id
            )
        ).all()
    assert labels and set(labels) == {email}


@pytest.mark.parametrize("length", [255, 320])
def test_a_longer_address_is_refused_naming_the_field(engine: Engine, length: int) -> None:
    with pytest.raises(PersonError) as refused:
        _add(engine, address(length))
    assert refused.value.field == "email"
    assert "too long" in str(refused.value)


def test_a_name_longer_than_the_column_is_refused_naming_the_field(engine: Engine) -> None:
    with pytest.raises(PersonError) as refused:
        _add(engine, "long.name@example.org", name="N" * 201)
    assert refused.value.field == "name"


def test_an_import_creates_an_owner_with_a_254_character_address(engine: Engine) -> None:
    email = address(254)
    sheet = build_xlsx(
        [
            ("Ref", "Action", "Lead Officer", "Lead Officer Email"),
            ("P2.20", "Publish the local offer review", "Long Address", email),
        ]
    )
    report = run_import(engine, sheet, commit=True)
    assert report.committed, report.problems
    with session_scope(engine) as session:
        assert session.exec(select(Person).where(Person.email == email)).one()


def test_an_import_with_a_255_character_address_names_the_cell(engine: Engine) -> None:
    sheet = build_xlsx(
        [
            ("Ref", "Action", "Lead Officer", "Lead Officer Email"),
            ("P2.20", "Publish the local offer review", "Long Address", address(255)),
        ]
    )
    report = run_import(engine, sheet, commit=True)
    assert not report.committed
    (problem,) = report.problems
    assert "Lead Officer Email" in str(problem)
    assert "too long" in str(problem)


def _governance_with_person(tmp_path: Path, email: str) -> Path:
    text = GOVERNANCE_FILE.read_text(encoding="utf-8")
    person = f"  - name: Long Address\n    email: {email}\n    roles: [action_owner]\n"
    assert "\npeople:\n" in text
    path = tmp_path / "governance.yaml"
    path.write_text(text.replace("\npeople:\n", f"\npeople:\n{person}", 1), encoding="utf-8")
    return path


def test_governance_yaml_loads_a_person_with_a_254_character_address(
    engine: Engine, tmp_path: Path
) -> None:
    email = address(254)
    config = load_governance(_governance_with_person(tmp_path, email))
    with session_scope(engine, write=True) as session:
        sync_governance(session, config)
    with session_scope(engine) as session:
        assert session.exec(select(Person).where(Person.email == email)).one()


def test_governance_yaml_with_a_255_character_address_names_the_key(tmp_path: Path) -> None:
    with pytest.raises(GovernanceError) as refused:
        load_governance(_governance_with_person(tmp_path, address(255)))
    (problem,) = refused.value.problems
    assert problem.startswith("people[0].email:")
    assert "too long" in problem


def test_governance_yaml_with_a_name_too_long_for_the_database_names_the_key(
    tmp_path: Path,
) -> None:
    path = _governance_with_person(tmp_path, "long.name@example.org")
    path.write_text(path.read_text().replace("name: Long Address", f"name: {'N' * 201}", 1))
    with pytest.raises(GovernanceError) as refused:
        load_governance(path)
    (problem,) = refused.value.problems
    assert problem.startswith("people[0].name:")

"""People and roles: adding, role changes, deactivation and unbinding, audited; their effect at
once; and the latest check of the audit trail."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlmodel import select

from tests.factories import ADMIN, EXECUTIVE, actor
from tests.ui.conftest import OpenApp, page_path
from tests.ui.support import button, element_after, errors, no_exception, titles
from tracker.db import session_scope
from tracker.models import AuditLog, Person, PersonRole
from tracker.services.audit import ChainReport, verify_audit_chain
from tracker.services.operations import record_chain_check
from tracker.services.people import add_person, set_active, set_roles
from tracker.services.people._identity import EntraIdentity, sign_in


def _person(db: Engine, email: str) -> Person:
    with session_scope(db) as session:
        return session.exec(select(Person).where(Person.email == email)).one()


def _roles(db: Engine, person_id: int) -> set[str]:
    with session_scope(db) as session:
        return set(
            session.exec(select(PersonRole.role).where(PersonRole.person_id == person_id)).all()
        )


def test_people_are_listed_with_roles_and_status(open_app: OpenApp) -> None:
    at = open_app(ADMIN, page="people")
    no_exception(at)
    people = at.dataframe[0].value
    assert len(people) == 22
    pmo = people[people["E-mail"] == ADMIN].iloc[0]
    assert pmo["Roles"] == "administrator" and pmo["Status"] == "Active"


def test_administrator_adds_a_person(open_app: OpenApp, db: Engine) -> None:
    at = open_app(ADMIN, page="people")
    at.text_input(key="people.add.name").input("Head of Virtual School")
    at.text_input(key="people.add.email").input("Virtual.School@Example.org")
    at.multiselect(key="people.add.roles").set_value(["action_owner"])
    button(at, "Add person").click().run()
    no_exception(at)
    assert any("Added Head of Virtual School" in s.value for s in at.success)
    person = _person(db, "virtual.school@example.org")
    assert _roles(db, person.id) == {"action_owner"}
    with session_scope(db) as session:
        audited = session.exec(
            select(AuditLog.field).where(
                AuditLog.entity_id == person.id, AuditLog.entity == "person"
            )
        ).all()
    assert {"created", "role added"} <= set(audited)


def test_a_taken_email_is_reported_next_to_the_field(open_app: OpenApp) -> None:
    at = open_app(ADMIN, page="people")
    at.text_input(key="people.add.name").input("Someone Else")
    at.text_input(key="people.add.email").input(EXECUTIVE.upper())
    button(at, "Add person").click().run()
    message = element_after(at, "E-mail address")
    assert "already belongs to someone" in message.value
    # What was typed stays for correcting.
    assert at.text_input(key="people.add.name").value == "Someone Else"


def test_a_missing_name_is_reported_next_to_the_field(open_app: OpenApp) -> None:
    at = open_app(ADMIN, page="people")
    at.text_input(key="people.add.email").input("new.person@example.org")
    button(at, "Add person").click().run()
    assert "a name is required" in element_after(at, "Full name").value


DEPUTY = "deputy.pmo@example.org"


def _add_deputy(db: Engine, roles: frozenset[str] = frozenset({"administrator"})) -> Person:
    """A person created in the app (not listed in governance.yaml), so the app owns their roles."""
    with session_scope(db, write=True) as session:
        add_person(
            session, actor=actor(session, ADMIN), name="Deputy PMO", email=DEPUTY, roles=roles
        )
    return _person(db, DEPUTY)


def test_administrator_changes_roles_and_deactivates(open_app: OpenApp, db: Engine) -> None:
    deputy = _add_deputy(db, frozenset({"executive"}))
    at = open_app(ADMIN, page="people")
    at.selectbox(key="people.manage.person").set_value(deputy.id).run()
    at.multiselect(key=f"people.roles.{deputy.id}.value").set_value(["executive", "secretary"])
    button(at, "Save roles").click().run()
    no_exception(at)
    assert _roles(db, deputy.id) == {"executive", "secretary"}

    button(at, f"Deactivate {deputy.name}").click().run()
    no_exception(at)
    assert _person(db, DEPUTY).active is False
    assert button(at, f"Reactivate {deputy.name}")


def test_roles_from_governance_yaml_are_shown_not_edited(open_app: OpenApp, db: Engine) -> None:
    executive = _person(db, EXECUTIVE)
    at = open_app(ADMIN, page="people")
    at.selectbox(key="people.manage.person").set_value(executive.id).run()
    no_exception(at)
    assert not [m for m in at.multiselect if m.key == f"people.roles.{executive.id}.value"]
    assert any("governance.yaml sets the roles" in c.value for c in at.caption)
    assert button(at, f"Deactivate {executive.name}")
    people = at.dataframe[0].value
    assert people[people["E-mail"] == EXECUTIVE].iloc[0]["Roles set by"] == "governance.yaml"


def test_an_administrator_cannot_remove_their_own_admin_role(open_app: OpenApp, db: Engine) -> None:
    me = _add_deputy(db)
    at = open_app(DEPUTY, page="people")
    at.selectbox(key="people.manage.person").set_value(me.id).run()
    at.multiselect(key=f"people.roles.{me.id}.value").set_value(["executive"])
    button(at, "Save roles").click().run()
    message = element_after(at, key=f"people.roles.{me.id}.value")
    assert "cannot remove your own administrator role" in message.value
    assert _roles(db, me.id) == {"administrator"}


def test_administrator_unbinds_a_microsoft_account(open_app: OpenApp, db: Engine) -> None:
    executive = _person(db, EXECUTIVE)
    with session_scope(db, write=True) as session:
        sign_in(
            session,
            identity=EntraIdentity(tenant_id="t-1", object_id="oid-exec", email=EXECUTIVE),
            tenant_id="t-1",
        )
    at = open_app(ADMIN, page="people")
    at.selectbox(key="people.manage.person").set_value(executive.id).run()
    button(at, f"Unbind {executive.name}'s Microsoft account").click().run()
    no_exception(at)
    assert any("Unbound" in s.value for s in at.success)
    assert _person(db, EXECUTIVE).entra_object_id is None
    with session_scope(db) as session:
        unbound = session.exec(
            select(AuditLog).where(
                AuditLog.entity_id == executive.id, AuditLog.field == "identity unbound"
            )
        ).one()
    assert (unbound.actor_label, unbound.old) == (ADMIN, "t-1/oid-exec")


def test_the_latest_audit_trail_check_is_shown(open_app: OpenApp, db: Engine) -> None:
    at = open_app(ADMIN, page="people")
    assert any("not been verified yet" in i.value for i in at.info)
    now = datetime.now(UTC)
    with session_scope(db, write=True) as session:
        record_chain_check(session, verify_audit_chain(session), started_at=now, finished_at=now)
    at.run()
    assert any("intact" in c.value and "every hash matches" in c.value for c in at.caption)
    with session_scope(db, write=True) as session:
        broken = ChainReport(rows=4, first_bad_id=5, problem="its content does not match")
        record_chain_check(session, broken, started_at=now, finished_at=now)
    at.run()
    assert any("broken at row 5" in e for e in errors(at))


def test_removing_a_role_takes_effect_on_the_next_click(open_app: OpenApp, db: Engine) -> None:
    _add_deputy(db)
    at = open_app(DEPUTY, page="people")
    assert titles(at) == ["People and roles"]
    deputy = _person(db, "deputy.pmo@example.org")
    with session_scope(db, write=True) as session:
        set_roles(
            session, actor=actor(session, ADMIN), person_id=deputy.id, roles=frozenset({"partner"})
        )
    at.run()
    no_exception(at)
    assert titles(at) != ["People and roles"]
    try:
        at.switch_page(page_path("admin/people.py"))
    except ValueError:
        pass
    else:
        raise AssertionError("the People page is still registered after the role was removed")


def test_a_deactivated_person_is_refused_at_once(open_app: OpenApp, db: Engine) -> None:
    at = open_app(EXECUTIVE)
    assert titles(at) == ["Executive overview"]
    with session_scope(db, write=True) as session:
        set_active(
            session, actor=actor(session, ADMIN), person_id=_person(db, EXECUTIVE).id, active=False
        )
    at.run()
    no_exception(at)
    assert titles(at) == ["No access"]
    assert not at.dataframe and not at.metric

"""People and roles: adding, role changes and deactivation, audited; and their effect at once."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import select

from tests.factories import ADMIN, EXECUTIVE, actor
from tests.ui.conftest import OpenApp, page_path
from tests.ui.support import button, element_after, no_exception, titles
from tracker.db import session_scope
from tracker.models import AuditLog, Person, PersonRole
from tracker.services.people import add_person, set_active, set_roles


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


def test_administrator_changes_roles_and_deactivates(open_app: OpenApp, db: Engine) -> None:
    executive = _person(db, EXECUTIVE)
    at = open_app(ADMIN, page="people")
    at.selectbox(key="people.manage.person").set_value(executive.id).run()
    at.multiselect(key=f"people.roles.{executive.id}.value").set_value(["executive", "secretary"])
    button(at, "Save roles").click().run()
    no_exception(at)
    assert _roles(db, executive.id) == {"executive", "secretary"}

    button(at, f"Deactivate {executive.name}").click().run()
    no_exception(at)
    assert _person(db, EXECUTIVE).active is False
    assert button(at, f"Reactivate {executive.name}")


def test_an_administrator_cannot_remove_their_own_admin_role(open_app: OpenApp, db: Engine) -> None:
    me = _person(db, ADMIN)
    at = open_app(ADMIN, page="people")
    at.selectbox(key="people.manage.person").set_value(me.id).run()
    at.multiselect(key=f"people.roles.{me.id}.value").set_value(["executive"])
    button(at, "Save roles").click().run()
    message = element_after(at, key=f"people.roles.{me.id}.value")
    assert "cannot remove your own administrator role" in message.value
    assert _roles(db, me.id) == {"administrator"}


def test_removing_a_role_takes_effect_on_the_next_click(open_app: OpenApp, db: Engine) -> None:
    with session_scope(db, write=True) as session:
        add_person(
            session,
            actor=actor(session, ADMIN),
            name="Deputy PMO",
            email="deputy.pmo@example.org",
            roles=frozenset({"administrator"}),
        )
    at = open_app("deputy.pmo@example.org", page="people")
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
        at.switch_page(page_path("people.py"))
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

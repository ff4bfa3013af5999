"""The People page reports an over-long name or e-mail address next to its field.

Before, a 201-character name raised out of the page and a long address only failed in the
database (on PostgreSQL); now each is a message under the field, and what was typed stays.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from tests.factories import ADMIN
from tests.services.people.test_person_limits import address
from tests.ui.conftest import OpenApp
from tests.ui.support import button, element_after, no_exception
from tracker.db import session_scope
from tracker.models import Person


def _submit(open_app: OpenApp, name: str, email: str) -> AppTest:
    at = open_app(ADMIN, page="people")
    at.text_input(key="people.add.name").input(name)
    at.text_input(key="people.add.email").input(email)
    button(at, "Add person").click().run()
    no_exception(at)
    return at


def test_a_name_too_long_is_reported_next_to_the_field(open_app: OpenApp) -> None:
    at = _submit(open_app, "N" * 201, "long.name@example.org")
    assert "the limit is 200" in element_after(at, "Full name").value
    assert at.text_input(key="people.add.name").value == "N" * 201


def test_an_address_too_long_is_reported_next_to_the_field(open_app: OpenApp) -> None:
    at = _submit(open_app, "Long Address", address(255))
    assert "too long" in element_after(at, "E-mail address").value


def test_the_longest_legal_address_is_added(open_app: OpenApp, db: Engine) -> None:
    email = address(254)
    _submit(open_app, "Long Address", email)
    with session_scope(db) as session:
        assert session.exec(select(Person).where(Person.email == email)).one().name == (
            "Long Address"
        )

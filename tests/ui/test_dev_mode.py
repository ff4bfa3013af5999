"""Developer mode keeps acting as the person chosen: across pages, drill-downs and a reload."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import select

from tests.factories import EXECUTIVE
from tests.ui.conftest import APP, TIMEOUT, OpenApp, page_path
from tests.ui.support import no_exception, warnings
from tracker.db import session_scope
from tracker.models import Person


def _acting_as(at) -> str:
    banner = next(w for w in warnings(at) if w.startswith("Developer mode: acting as"))
    return banner.removeprefix("Developer mode: acting as ").split(" (")[0]


def _person_id(db: Engine, email: str) -> int:
    with session_scope(db) as session:
        person = session.exec(select(Person).where(Person.email == email)).one()
        assert person.id is not None
        return person.id


def test_the_acting_person_is_kept_across_pages_and_in_the_address(
    open_app: OpenApp, db: Engine
) -> None:
    at = open_app(EXECUTIVE)
    no_exception(at)
    name = _acting_as(at)
    assert name != "SEND PMO"  # not the administrator the picker falls back to
    assert at.query_params["as"] == str(_person_id(db, EXECUTIVE))
    at.switch_page(page_path("register.py")).run()
    no_exception(at)
    assert _acting_as(at) == name
    at.switch_page(page_path("overview.py")).run()
    assert _acting_as(at) == name


def test_a_reload_keeps_the_person_named_in_the_address(
    app_env: str, db: Engine, monkeypatch
) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.delenv("TRACKER_DEV_USER", raising=False)  # the fallback would be the admin
    executive_id = _person_id(db, EXECUTIVE)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["as"] = str(executive_id)
    at.run()
    no_exception(at)
    assert at.selectbox(key="tracker.dev_person_id").value == executive_id

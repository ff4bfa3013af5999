"""The administrator's setup checklist and the demonstration banner, through the real app."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, text
from sqlmodel import select

from tests.ui.conftest import OpenApp
from tracker.db import session_scope
from tracker.models import OutboxMessage
from tracker.services.operations._site import mark_demo
from tracker.ui.setup_state import DEMO_BANNER


def _texts(at: object) -> str:
    parts = [m.value for m in at.markdown] + [i.value for i in at.info]  # type: ignore[attr-defined]
    parts += [c.value for c in at.caption]  # type: ignore[attr-defined]
    return "\n".join(str(p) for p in parts).replace("\\", "")


def test_a_fresh_install_lands_the_administrator_on_the_checklist(
    open_app: OpenApp, db: Engine
) -> None:
    with db.begin() as conn:
        conn.execute(text("UPDATE action SET planning_confirmed = false"))
    at = open_app("administrator")
    assert at.title[0].value == "Setup checklist"
    shown = _texts(at)
    assert "0 of 42 actions have confirmed owners" in shown
    assert "Developer sign-in is on" in shown
    assert not any(i.value == DEMO_BANNER for i in at.info)
    at.button(key="setup.confirm-all").click().run()
    assert "42 of 42 actions have confirmed owners" in _texts(at)


def test_send_me_a_test_email_queues_it_and_the_checklist_says_so(
    open_app: OpenApp, db: Engine
) -> None:
    at = open_app("administrator", page="setup")
    at.button(key="setup.test-mail").click().run()
    with session_scope(db) as session:
        queued = session.exec(select(OutboxMessage).where(OutboxMessage.rule == "setup_test")).all()
    assert [m.recipient_email for m in queued] == ["send.pmo@example.org"]
    assert "The test e-mail is queued" in _texts(at)


def test_a_demonstration_shows_its_banner_and_administrators_land_on_the_overview(
    open_app: OpenApp, db: Engine
) -> None:
    with session_scope(db, write=True) as session:
        mark_demo(session, seed=1, built_on=date(2026, 10, 1))
    at = open_app("administrator")
    assert at.title[0].value == "Executive overview"
    assert any(i.value == DEMO_BANNER for i in at.info)
    owner = open_app("head.of.send@example.org", page="register")
    assert any(i.value == DEMO_BANNER for i in owner.info)


def test_the_register_and_action_page_say_an_unconfirmed_due_date_is_to_confirm(
    open_app: OpenApp, db: Engine
) -> None:
    with db.begin() as conn:
        conn.execute(text("UPDATE action SET planning_confirmed = (reference = 'P1.1')"))
    at = open_app("executive", page="register")
    table = at.dataframe(key="reg.table").value
    flags = dict(zip(table["Ref"], table["Flags"], strict=True))
    assert flags["P1.2"].startswith("Due date to confirm")
    assert "to confirm" not in flags["P1.1"]
    page = open_app("executive", page="register", action="P1.2")
    assert "to confirm" in _texts(page)

"""The action register: filters, the action page per role, and administrators' changes."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine
from sqlmodel import col, select

from tests.factories import ADMIN, EXECUTIVE, HEAD_OF_SEND, PARTNER, add_update
from tests.ui.conftest import OpenApp, page_path
from tests.ui.support import button, errors, no_exception, shown, titles
from tracker.db import session_scope
from tracker.models import Action, AuditLog, Person
from tracker.services.actions import get_action


def _refs(at) -> list[str]:
    return list(at.dataframe(key="reg.table").value["Ref"])


def test_register_lists_every_action_fifty_to_a_page(open_app: OpenApp) -> None:
    at = open_app(EXECUTIVE, page="register")
    no_exception(at)
    refs = _refs(at)
    assert len(refs) == 42
    assert refs[:3] == ["P1.1", "P1.2", "P1.3"]
    assert shown(at, "42 actions match")
    table = at.dataframe(key="reg.table").value
    assert set(table["RAG"]) == {"Not rated"}  # the word is in the cell, not just a colour


def test_filters_narrow_the_register(open_app: OpenApp, db: Engine) -> None:
    add_update(db, "P2.3", rag="red", commentary="Recruitment stalled.")
    add_update(db, "P3.1", rag="amber", commentary="Recruitment of two posts slipping.")
    at = open_app(EXECUTIVE, page="register")
    at.selectbox(key="reg.rag").set_value("red").run()
    assert _refs(at) == ["P2.3"]
    at.selectbox(key="reg.rag").set_value(None)
    at.text_input(key="reg.search").input("recruitment").run()
    assert _refs(at) == ["P2.3", "P3.1"]
    at.text_input(key="reg.search").input("")
    at.selectbox(key="reg.priority").set_value(5).run()
    assert _refs(at) and all(r.startswith("P5.") for r in _refs(at))
    at.selectbox(key="reg.priority").set_value(None)
    at.toggle(key="reg.overdue").set_value(True).run()
    overdue = _refs(at)
    assert overdue and "P5.12" not in overdue
    assert all(
        flag.startswith("Overdue by") for flag in at.dataframe(key="reg.table").value["Flags"]
    )


def test_no_match_says_so(open_app: OpenApp) -> None:
    at = open_app(EXECUTIVE, page="register")
    at.text_input(key="reg.search").input("no such words anywhere").run()
    assert shown(at, "0 actions match")
    assert any("No action matches" in i.value for i in at.info)


def test_open_an_action_by_reference(open_app: OpenApp) -> None:
    at = open_app(PARTNER, page="register")
    at.text_input(key="reg.open_reference").input("p2.3")
    button(at, "Open").click().run()
    no_exception(at)
    assert at.query_params["action"] == "P2.3"
    assert at.subheader[0].value.startswith("P2.3:")


def test_action_page_shows_history_and_audit_to_staff(open_app: OpenApp, db: Engine) -> None:
    add_update(db, "P2.3", rag="amber", commentary="First update.")
    add_update(db, "P2.3", rag="red", commentary="Second update.", path_to_green="Plan B.")
    at = open_app(EXECUTIVE, page="register", action="P2.3")
    no_exception(at)
    assert [t.label for t in at.tabs] == [
        "History",
        "Evidence (0)",
        "Escalation",
        "Risks (0)",
        "Audit trail",
    ]
    history = at.dataframe[0].value
    assert list(history["Commentary"]) == ["Second update.", "First update."]
    assert list(history["RAG"]) == ["Red", "Amber"]
    audit = at.dataframe[1].value
    assert {"RAG rating", "commentary"} <= set(audit["Field"])
    assert "Red" in at.markdown[0].value or shown(at, "Red")


def test_partner_reads_the_action_page_without_audit_or_forms(open_app: OpenApp) -> None:
    at = open_app(PARTNER, page="register", action="P2.3")
    no_exception(at)
    labels = [t.label for t in at.tabs]
    assert "Audit trail" not in labels and "Administration" not in labels
    assert "Record an update" not in labels
    assert not at.radio


def test_owner_updates_from_the_action_page(open_app: OpenApp, db: Engine) -> None:
    at = open_app(HEAD_OF_SEND, page="action", action="P2.3")
    assert at.tabs[0].label == "Record an update"
    at.radio(key="upd.P2.3.rag").set_value("green")
    at.text_area(key="upd.P2.3.commentary").input("Posts filled.")
    at.text_input(key="upd.P2.3.rating_reason").input("All posts filled; closure due next month.")
    button(at, "Save update").click().run()
    no_exception(at)
    with session_scope(db) as session:
        assert get_action(session, "P2.3").rag == "green"


def test_unknown_reference_says_so(open_app: OpenApp) -> None:
    at = open_app(EXECUTIVE, page="register", action="P9.99")
    no_exception(at)
    assert any("No action P9.99 exists" in e for e in errors(at))


def test_administrator_creates_an_action(open_app: OpenApp, db: Engine) -> None:
    at = open_app(ADMIN, page="register")
    at.text_input(key="admin.create.reference").input("p2.13")
    at.text_input(key="admin.create.title").input("Publish the EHCP quality framework.")
    at.selectbox(key="admin.create.priority").set_value(2)
    at.date_input(key="admin.create.due").set_value(date(2027, 6, 30))
    button(at, "Create action").click().run()
    no_exception(at)
    assert at.query_params["action"] == "P2.13"
    assert at.subheader[0].value.startswith("P2.13:")
    with session_scope(db) as session:
        action = get_action(session, "P2.13")
        assert action.due_date == date(2027, 6, 30)


def test_create_reports_a_duplicate_reference(open_app: OpenApp) -> None:
    at = open_app(ADMIN, page="register")
    at.text_input(key="admin.create.reference").input("P2.3")
    at.text_input(key="admin.create.title").input("Duplicate.")
    button(at, "Create action").click().run()
    assert any("Reference: P2.3 already exists" in e for e in errors(at))


def test_administrator_edits_reassigns_and_withdraws(open_app: OpenApp, db: Engine) -> None:
    at = open_app(ADMIN, page="action", action="P1.4")
    at.text_input(key="admin.P1.4.edit.title").input("Provide early help and support (revised).")
    at.text_input(key="admin.P1.4.edit.reason").input("Board agreed new wording.")
    button(at, "Save changes").click().run()
    no_exception(at)
    with session_scope(db) as session:
        assert get_action(session, "P1.4").title == "Provide early help and support (revised)."
        workforce = session.exec(
            select(Person).where(Person.email == "workforce.lead@example.org")
        ).one()

    at.selectbox(key="admin.P1.4.owner").set_value(workforce.id)
    button(at, "Reassign").click().run()
    no_exception(at)
    with session_scope(db) as session:
        assert get_action(session, "P1.4").owner_id == workforce.id

    at.text_area(key="admin.P1.4.withdraw.reason").input("Merged into P1.1.")
    button(at, "Withdraw action").click().run()
    no_exception(at)
    with session_scope(db) as session:
        action = get_action(session, "P1.4")
        assert action.status == "withdrawn"
        fields = set(
            session.exec(
                select(AuditLog.field).where(
                    AuditLog.entity == "action", col(AuditLog.entity_id) == action.id
                )
            ).all()
        )
    assert {"title", "owner", "status"} <= fields


def test_administrators_stale_edit_is_refused_and_named(open_app: OpenApp, db: Engine) -> None:
    at = open_app(ADMIN, page="action", action="P2.3")
    at.text_input(key="admin.P2.3.edit.title").input("A title typed over a stale copy.")
    add_update(db, "P2.3", rag="amber", commentary="Owner saved meanwhile.")
    button(at, "Save changes").click().run()
    no_exception(at)
    assert any("changed by Head of SEND Service" in e for e in errors(at))
    with session_scope(db) as session:
        assert get_action(session, "P2.3").title != "A title typed over a stale copy."
    assert at.text_input(key="admin.P2.3.edit.title").value == "A title typed over a stale copy."


def test_non_administrators_get_no_create_form(open_app: OpenApp) -> None:
    at = open_app(HEAD_OF_SEND, page="register")
    assert "admin.create.reference" not in [t.key for t in at.text_input]
    assert not [e for e in at.expander if e.label == "Add an action"]


def test_register_order_most_overdue_first(open_app: OpenApp, db: Engine) -> None:
    at = open_app(EXECUTIVE, page="register")
    at.selectbox(key="reg.order").set_value("overdue").run()
    table = at.dataframe(key="reg.table").value
    with session_scope(db) as session:
        first = get_action(session, table["Ref"][0])
        due_dates = [d for d in session.exec(select(Action.due_date)).all() if d is not None]
    assert first.due_date == min(due_dates)


def test_selecting_a_row_opens_its_page(open_app: OpenApp) -> None:
    at = open_app(EXECUTIVE, page="register")
    at.session_state["reg.table"] = {"selection": {"rows": [2], "columns": [], "cells": []}}
    at.run()
    no_exception(at)
    assert at.query_params["action"] == "P1.3"
    assert at.subheader[0].value.startswith("P1.3:")
    assert titles(at) == []  # the action's own page, not the register list


def test_back_to_the_register_from_an_action_page(open_app: OpenApp) -> None:
    at = open_app(EXECUTIVE, page="action", action="P1.3")
    button(at, "Back to the register").click().run()
    no_exception(at)
    assert "action" not in at.query_params
    assert titles(at) == ["Action register"]


def test_the_menus_action_register_goes_back_to_the_list(open_app: OpenApp) -> None:
    at = open_app(EXECUTIVE, page="action", action="P1.3")
    assert at.subheader[0].value.startswith("P1.3:")
    at.query_params.clear()  # the menu's link is /register, with no query string
    at.switch_page(page_path("register.py")).run()
    no_exception(at)
    assert titles(at) == ["Action register"]
    assert at.dataframe(key="reg.table") is not None


def test_an_old_register_link_to_an_action_opens_its_page(open_app: OpenApp) -> None:
    at = open_app(PARTNER, page="register", action="p2.3")
    no_exception(at)
    assert titles(at) == []
    assert at.subheader[0].value.startswith("P2.3:")
    assert at.query_params["action"] == "P2.3"


def test_the_action_page_without_a_reference_shows_the_register(open_app: OpenApp) -> None:
    at = open_app(PARTNER, page="action")
    no_exception(at)
    assert titles(at) == ["Action register"]


def test_register_downloads_for_those_who_may_export(open_app: OpenApp) -> None:
    executive = open_app(EXECUTIVE, page="register")
    assert any(b.label.startswith("Register (.xlsx)") for b in executive.get("download_button"))
    partner = open_app(PARTNER, page="register")
    assert not partner.get("download_button")


def test_one_update_is_counted_in_the_singular(open_app: OpenApp, db: Engine) -> None:
    add_update(db, "P2.3", rag="amber", commentary="Only update.")
    at = open_app(EXECUTIVE, page="register", action="P2.3")
    no_exception(at)
    assert shown(at, "1 update, newest first.")
    assert not shown(at, "1 updates")


def test_every_date_field_on_an_action_page_accepts_any_plausible_year(
    open_app: OpenApp,
) -> None:
    # Streamlit's default (ten years either side of today) silently ignores a typed 1990 or
    # 2099; the service, not the widget, refuses an implausible date, by name.
    at = open_app(ADMIN, page="action", action="P2.3")
    no_exception(at)
    fields = list(at.date_input)
    assert len(fields) >= 3  # revised due date, start date, due date
    for field in fields:
        assert (field.min, field.max) == (date(1900, 1, 1), date(2199, 12, 31)), field.label

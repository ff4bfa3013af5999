"""My actions: the list, the deep link, saving an update, validation and stale-save messages."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine
from sqlmodel import col, select

from tests.factories import ADMIN, HEAD_OF_SEND, add_update
from tests.ui.conftest import OpenApp
from tests.ui.support import button, element_after, errors, no_exception, shown, warnings
from tracker.db import session_scope
from tracker.models import Action, ActionUpdate, Person
from tracker.rules import reference_sort_key
from tracker.services.actions import get_action

PRINCIPAL_EP = "principal.ep@example.org"  # owns P2.4, in the EHCP workstream Head of SEND leads


def _field(name: str, ref: str) -> str:
    return f"upd.{ref}.{name}"


def _updates(db: Engine, ref: str) -> list[ActionUpdate]:
    with session_scope(db) as session:
        action = get_action(session, ref)
        return list(
            session.exec(
                select(ActionUpdate)
                .where(ActionUpdate.action_id == action.id)
                .order_by(col(ActionUpdate.id))
            ).all()
        )


def _person_id(db: Engine, email: str) -> int:
    with session_scope(db) as session:
        person = session.exec(select(Person).where(Person.email == email)).one()
        assert person.id is not None
        return person.id


def test_lead_sees_own_and_workstream_actions_overdue_first(open_app: OpenApp) -> None:
    at = open_app(HEAD_OF_SEND)
    no_exception(at)
    options = at.selectbox(key="my_actions.choice").options
    references = [option.split(" · ")[0] for option in options]
    assert {"P2.3", "P3.6", "P2.4", "P2.8", "P5.1"} <= set(references)
    # The picker is in reference order (a typed reference finds itself first); the most
    # urgent action, P2.4 (longest overdue), is the one opened.
    assert references == sorted(references, key=reference_sort_key)
    assert at.selectbox(key="my_actions.choice").value.startswith("P2.4")
    table_refs = list(at.dataframe(key="my_actions.table").value["Ref"])
    assert table_refs[0] == "P2.4"
    assert shown(at, "workstreams you lead: EHCP Improvement")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Your actions"] == str(len(options))


def test_owner_without_workstream_sees_only_their_actions(open_app: OpenApp) -> None:
    at = open_app(PRINCIPAL_EP)
    no_exception(at)
    assert [o.split(" · ")[0] for o in at.selectbox(key="my_actions.choice").options] == ["P2.4"]


def test_deep_link_opens_that_actions_form(open_app: OpenApp) -> None:
    at = open_app(HEAD_OF_SEND, action="P5.1")
    no_exception(at)
    assert at.selectbox(key="my_actions.choice").value.startswith("P5.1")
    assert at.subheader[0].value.startswith("P5.1:")
    assert at.radio(key=_field("rag", "P5.1")) is not None
    assert at.query_params["action"] == "P5.1"


def test_last_update_is_carried_forward(open_app: OpenApp, db: Engine) -> None:
    add_update(db, "P2.3", rag="amber", commentary="Two posts vacant.", by=HEAD_OF_SEND)
    at = open_app(HEAD_OF_SEND, action="P2.3")
    assert at.radio(key=_field("rag", "P2.3")).value == "amber"
    assert at.text_area(key=_field("commentary", "P2.3")).value == "Two posts vacant."
    assert at.selectbox(key=_field("status", "P2.3")).value == "in_progress"


def test_lead_records_an_update_on_a_workstream_action(open_app: OpenApp, db: Engine) -> None:
    at = open_app(HEAD_OF_SEND, action="P2.4")
    at.radio(key=_field("rag", "P2.4")).set_value("red")
    at.selectbox(key=_field("status", "P2.4")).set_value("in_progress")
    at.text_area(key=_field("commentary", "P2.4")).input("Audit tool contract not signed.")
    at.text_area(key=_field("path_to_green", "P2.4")).input("Sign by 30 October; interim audits.")
    at.text_input(key=_field("evidence_url", "P2.4")).input("https://example.org/minutes")
    button(at, "Save update").click().run()
    no_exception(at)
    assert not errors(at)
    assert any("Saved the update on P2.4" in s.value for s in at.success)
    (update,) = _updates(db, "P2.4")
    assert (update.rag, update.status) == ("red", "in_progress")
    assert update.commentary == "Audit tool contract not signed."
    assert update.path_to_green == "Sign by 30 October; interim audits."
    assert update.evidence_url == "https://example.org/minutes"
    assert update.created_by_id == _person_id(db, HEAD_OF_SEND)
    with session_scope(db) as session:
        assert get_action(session, "P2.4").rag == "red"
    # The form now shows the saved state as the base of the next update.
    assert at.radio(key=_field("rag", "P2.4")).value == "red"


def test_validation_messages_appear_under_their_fields(open_app: OpenApp, db: Engine) -> None:
    at = open_app(HEAD_OF_SEND, action="P2.4")
    at.radio(key=_field("rag", "P2.4")).set_value("red")
    at.date_input(key=_field("revised_due_date", "P2.4")).set_value(date(2027, 3, 31))
    button(at, "Save update").click().run()
    no_exception(at)
    assert any("Nothing was saved" in e for e in errors(at))
    under_commentary = element_after(at, "Commentary")
    assert under_commentary.type == "alert" or under_commentary in at.error
    assert "commentary is required for a Red rating" in under_commentary.value
    assert "path to green is required" in element_after(at, "Path to green").value
    assert "needs a reason" in element_after(at, "Reason for the new due date").value
    assert _updates(db, "P2.4") == []
    # What was typed is still there to correct.
    assert at.radio(key=_field("rag", "P2.4")).value == "red"
    assert at.date_input(key=_field("revised_due_date", "P2.4")).value == date(2027, 3, 31)


def test_stale_save_names_who_changed_it_and_reload_keeps_typing(
    open_app: OpenApp, db: Engine
) -> None:
    at = open_app(HEAD_OF_SEND, action="P2.3")
    at.radio(key=_field("rag", "P2.3")).set_value("amber")
    at.text_area(key=_field("commentary", "P2.3")).input("My view: recruitment slipping.")
    # Someone else saves the same action while this form is open.
    add_update(db, "P2.3", rag="green", commentary="Administrator's correction.", by=ADMIN)
    button(at, "Save update").click().run()
    no_exception(at)
    message = " ".join(errors(at))
    assert "Not saved" in message
    assert "changed by SEND Programme Management Office" in message
    assert at.text_area(key=_field("commentary", "P2.3")).value == "My view: recruitment slipping."
    assert [u.commentary for u in _updates(db, "P2.3")] == ["Administrator's correction."]

    button(at, "Reload latest").click().run()
    no_exception(at)
    assert shown(at, "Administrator's correction")  # their update, shown to compare
    assert at.text_area(key=_field("commentary", "P2.3")).value == "My view: recruitment slipping."
    assert at.radio(key=_field("rag", "P2.3")).value == "amber"

    button(at, "Save update").click().run()
    no_exception(at)
    assert not errors(at)
    assert [u.commentary for u in _updates(db, "P2.3")] == [
        "Administrator's correction.",
        "My view: recruitment slipping.",
    ]


def test_a_link_to_someone_elses_action_is_refused(open_app: OpenApp) -> None:
    at = open_app(PRINCIPAL_EP, page="my-actions", action="P1.1")
    no_exception(at)
    assert any("P1.1 is not one of your actions" in w for w in warnings(at))
    # Their own list is still there, and P1.1 has no form.
    assert at.selectbox(key="my_actions.choice").value.startswith("P2.4")
    assert "upd.P1.1.rag" not in [r.key for r in at.radio]


def test_an_administrator_can_open_any_action_from_a_link(open_app: OpenApp) -> None:
    at = open_app(ADMIN, page="my-actions", action="P1.1")
    no_exception(at)
    assert any("not on your list" in i.value for i in at.info)
    assert at.radio(key=_field("rag", "P1.1")) is not None


def test_saved_update_records_who_for_the_audit(open_app: OpenApp, db: Engine) -> None:
    at = open_app(PRINCIPAL_EP, action="P2.4")
    at.radio(key=_field("rag", "P2.4")).set_value("amber")
    at.text_area(key=_field("commentary", "P2.4")).input("Slipping; cover agreed.")
    button(at, "Save update").click().run()
    no_exception(at)
    with session_scope(db) as session:
        action = get_action(session, "P2.4")
        assert action.last_updated_by_id == _person_id(db, PRINCIPAL_EP)
        assert session.exec(select(Action.version).where(Action.id == action.id)).one() == 2


def test_the_default_page_has_its_own_address_too(open_app: OpenApp) -> None:
    # "/" forwards to the person's first page, so "/my-actions" is a real address for everyone.
    at = open_app(HEAD_OF_SEND, page="my-actions", action="P2.3")
    no_exception(at)
    assert at.title[0].value == "My actions"
    assert at.selectbox(key="my_actions.choice").value.startswith("P2.3")


def test_green_on_an_overdue_action_warns_and_asks_for_a_reason(
    open_app: OpenApp, db: Engine
) -> None:
    at = open_app(PRINCIPAL_EP, action="P2.4")  # due 31 March 2026, overdue on 1 October
    assert any("P2.4 is 184 days overdue" in w for w in warnings(at))
    at.radio(key=_field("rag", "P2.4")).set_value("green")
    at.text_area(key=_field("commentary", "P2.4")).input("Going well.")
    button(at, "Save update").click().run()
    assert element_after(at, key=_field("rating_reason", "P2.4")).value.startswith(
        "this action is 184 days overdue"
    )
    assert _updates(db, "P2.4") == []
    at.text_input(key=_field("rating_reason", "P2.4")).input("Audit done; report at the board.")
    button(at, "Save update").click().run()
    no_exception(at)
    saved = _updates(db, "P2.4")
    assert [(u.rag, u.rating_reason) for u in saved] == [
        ("green", "Audit done; report at the board.")
    ]


def test_a_pasted_commentary_over_4000_characters_is_saved_whole(
    open_app: OpenApp, db: Engine
) -> None:
    text = "Advice returned within six weeks in most cases. " * 125  # 6,000 characters
    at = open_app(HEAD_OF_SEND, action="P5.1")
    at.radio(key=_field("rag", "P5.1")).set_value("amber")
    at.text_area(key=_field("commentary", "P5.1")).input(text)
    button(at, "Save update").click().run()
    no_exception(at)
    assert [u.commentary for u in _updates(db, "P5.1")] == [text.strip()]


def test_a_form_cannot_save_onto_another_action(open_app: OpenApp, db: Engine) -> None:
    at = open_app(HEAD_OF_SEND, action="P5.1")
    at.radio(key=_field("rag", "P5.1")).set_value("amber")
    at.text_area(key=_field("commentary", "P5.1")).input("Meant for P5.1 only.")
    with session_scope(db) as session:
        at.session_state["upd.P5.1.action_id"] = get_action(session, "P5.3").id
    button(at, "Save update").click().run()
    assert any("this form was opened for another action" in e for e in errors(at))
    assert _updates(db, "P5.1") == [] and _updates(db, "P5.3") == []


def test_the_picker_shows_the_new_rating_straight_after_a_save(open_app: OpenApp) -> None:
    at = open_app(HEAD_OF_SEND, action="P5.1")
    at.radio(key=_field("rag", "P5.1")).set_value("amber")
    at.text_area(key=_field("commentary", "P5.1")).input("Places slipping to spring.")
    button(at, "Save update").click().run()
    no_exception(at)
    picker = at.selectbox(key="my_actions.choice")
    label = next(o for o in picker.options if o.startswith("P5.1 "))
    assert label.startswith("P5.1 · Amber")
    assert picker.value == "P5.1"


def test_a_save_pressed_in_a_run_that_never_reached_the_page_is_not_made_later(
    open_app: OpenApp, db: Engine
) -> None:
    # The Save button's callback marks the form; if that run ended elsewhere (access taken
    # away, another page), the mark must not turn into a save the next time the page opens.
    at = open_app(HEAD_OF_SEND, action="P2.4")
    # The form's values as a press of Save commits them, and the callback's mark.
    at.session_state[_field("rag", "P2.4")] = "amber"
    at.session_state[_field("commentary", "P2.4")] = "Typed, never saved."
    at.session_state["upd.pending"] = "P2.4"
    at.run()
    no_exception(at)
    assert _updates(db, "P2.4") == []
    assert not at.success


def test_choosing_a_row_in_the_table_opens_that_actions_form(open_app: OpenApp) -> None:
    at = open_app(HEAD_OF_SEND)
    refs = list(at.dataframe(key="my_actions.table").value["Ref"])
    wanted = refs[2]
    at.session_state["my_actions.table"] = {"selection": {"rows": [2], "columns": [], "cells": []}}
    at.run()
    no_exception(at)
    assert at.selectbox(key="my_actions.choice").value == wanted
    assert at.subheader[0].value.startswith(f"{wanted}:")
    assert at.radio(key=_field("rag", wanted)) is not None

"""The impact fields of the update form and the "You said, we did" page, as a person uses them:
what is chosen and typed is saved, or refused under its field and kept to correct."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import select

from tests.factories import ADMIN, EXECUTIVE, HEAD_OF_SEND
from tests.ui.conftest import OpenApp
from tests.ui.support import button, element_after, errors, no_exception, shown
from tracker.db import session_scope
from tracker.models import ActionUpdate, Feedback
from tracker.services.actions import TEXT_LIMIT, get_action

FORUM = "cochair@example-lpcf.org.uk"


def _key(name: str, ref: str = "P2.4") -> str:
    return f"upd.{ref}.{name}"


def _updates(db: Engine, ref: str) -> list[ActionUpdate]:
    with session_scope(db) as session:
        action_id = get_action(session, ref).id
        return list(session.exec(select(ActionUpdate).where(ActionUpdate.action_id == action_id)))


def test_an_owner_reports_impact_with_the_update(open_app: OpenApp, db: Engine) -> None:
    at = open_app(HEAD_OF_SEND, action="P2.4")
    at.radio(key=_key("rag")).set_value("amber")
    at.text_area(key=_key("commentary")).input("Audit tool live in two districts.")
    at.selectbox(key=_key("impact_rating")).set_value("early_signs")
    at.text_area(key=_key("impact_evidence")).input("Plans audited in Preston improved.")
    at.multiselect(key=_key("impact_voices")).select("families").select("data")
    at.text_area(key=_key("public_summary")).input("Plans are being checked for quality.")
    button(at, "Save update").click().run()

    no_exception(at)
    assert not errors(at)
    (update,) = _updates(db, "P2.4")
    assert update.impact_rating == "early_signs"
    assert update.impact_voices == ["families", "data"]
    assert update.impact_evidence == "Plans audited in Preston improved."
    assert update.public_summary == "Plans are being checked for quality."
    # Delivery and impact side by side at the top of the page, and carried into the next form.
    assert shown(at, "Impact: Early signs")
    assert at.selectbox(key=_key("impact_rating")).value == "early_signs"


def test_a_refused_save_keeps_the_impact_report_typed(open_app: OpenApp, db: Engine) -> None:
    at = open_app(HEAD_OF_SEND, action="P2.4")
    too_long = "Evidence. " * (TEXT_LIMIT // 10 + 3)
    at.radio(key=_key("rag")).set_value("amber")
    at.text_area(key=_key("commentary")).input("Slipping.")
    at.selectbox(key=_key("impact_rating")).set_value("evident")
    at.text_area(key=_key("impact_evidence")).input(too_long)
    at.multiselect(key=_key("impact_voices")).select("children_young_people")
    at.text_area(key=_key("public_summary")).input("For families.")
    button(at, "Save update").click().run()

    no_exception(at)
    assert any("Nothing was saved" in e for e in errors(at))
    assert "cut" in element_after(at, key=_key("impact_evidence")).value
    assert at.text_area(key=_key("impact_evidence")).value == too_long
    assert at.selectbox(key=_key("impact_rating")).value == "evident"
    assert at.multiselect(key=_key("impact_voices")).value == ["children_young_people"]
    assert at.text_area(key=_key("public_summary")).value == "For families."
    assert _updates(db, "P2.4") == []


def test_a_forum_representative_adds_an_entry_and_everyone_reads_it(
    open_app: OpenApp, db: Engine
) -> None:
    at = open_app(FORUM, page="you-said-we-did")
    no_exception(at)
    assert at.title[0].value == "You said, we did"
    at.text_area(key="ysd.new.said").input("Parents said letters arrive <b>after</b> meetings.")
    at.selectbox(key="ysd.new.source").set_value("Lancashire Parent Carer Forum")
    at.multiselect(key="ysd.new.priorities").select(4)
    at.multiselect(key="ysd.new.actions").select("P4.1")
    button(at, "Add entry").click().run()

    no_exception(at)
    assert not errors(at)
    with session_scope(db) as session:
        entry = session.exec(select(Feedback)).one()
    assert (entry.reference, entry.source) == ("YS1", "Lancashire Parent Carer Forum")
    reader = open_app(EXECUTIVE, page="you-said-we-did")
    no_exception(reader)
    assert shown(reader, "Parents said letters arrive \\<b\\>after\\</b\\> meetings.") or shown(
        reader, "Parents said letters arrive <b>after</b> meetings."
    )
    assert not [b for b in reader.button if b.label == "Add entry"]  # executives read only


def test_a_refused_entry_is_kept_with_the_message_under_its_field(
    open_app: OpenApp, db: Engine
) -> None:
    at = open_app(ADMIN, page="you-said-we-did")
    at.text_area(key="ysd.new.said").input("Clubs are hard to reach.")
    at.selectbox(key="ysd.new.status").set_value("done")
    button(at, "Add entry").click().run()

    no_exception(at)
    assert "say who said it" in element_after(at, key="ysd.new.source").value
    assert "before marking it done" in element_after(at, key="ysd.new.we_did").value
    assert at.text_area(key="ysd.new.said").value == "Clubs are hard to reach."
    with session_scope(db) as session:
        assert session.exec(select(Feedback)).all() == []

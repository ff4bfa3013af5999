"""Nothing a person types or chooses is dropped or changed on save, form by form.

Each case here used to lose input without a word: a Streamlit widget limit that discards an
over-long paste, a number box that ignores a value outside its range, a date box that ignores a
year outside ten years of today, a select box that falls back to its first option when the
option chosen disappears, an escalation that lands on a board the form did not name. Now each
value is stored, or refused with a message under its field while the box keeps what was typed.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, update
from sqlmodel import col, select
from streamlit.testing.v1 import AppTest

from tests.factories import ADMIN, HEAD_OF_SEND
from tests.ui.conftest import OpenApp
from tests.ui.support import button, element_after, errors, no_exception, plain, shown
from tracker.db import session_scope
from tracker.models import Action, GovernanceBody, MeasureValue, Organisation, Person, Workstream
from tracker.services.actions import TEXT_LIMIT, list_action_escalations
from tracker.services.measures import get_measure_summary

M23 = "M2.3"


def under(at: AppTest, key: str) -> str:
    """The message drawn straight under the widget ``key``, as a person reads it."""
    element = element_after(at, key=key)
    return plain(str(getattr(element, "value", "")))


def measure_page(open_app: OpenApp) -> AppTest:
    at = open_app(HEAD_OF_SEND, page="measures", measure=M23)
    no_exception(at)
    return at


# --- success measures ---------------------------------------------------------------------


def test_an_over_long_period_label_is_kept_and_refused_under_its_field(
    open_app: OpenApp, db: Engine
) -> None:
    at = measure_page(open_app)
    label = "Autumn term 2025 (provisional, before the January census check)"  # 63 characters
    at.date_input(key="value.M2.3.period").set_value(date(2025, 12, 31))
    at.text_input(key="value.M2.3.label").input(label)
    at.text_input(key="value.M2.3.value").input("41")
    button(at, "Save value").click().run()

    no_exception(at)
    assert at.text_input(key="value.M2.3.label").value == label  # nothing pasted is dropped
    assert "the limit is 40, so cut 23 characters" in under(at, "value.M2.3.label")
    assert any("cut 23 characters" in e for e in errors(at))
    with session_scope(db) as session:
        assert session.exec(select(MeasureValue)).all() == []


def test_a_tolerance_out_of_range_is_refused_under_its_field_not_ignored(
    open_app: OpenApp, db: Engine
) -> None:
    at = measure_page(open_app)
    at.text_input(key="targets.M2.3.tolerance").input("150")
    button(at, "Save targets").click().run()

    no_exception(at)
    assert at.text_input(key="targets.M2.3.tolerance").value == "150"
    assert under(at, "targets.M2.3.tolerance") == "tolerance is a percentage between 0 and 100"

    at.text_input(key="targets.M2.3.tolerance").input("12.5%")
    button(at, "Save targets").click().run()
    assert [s.value for s in at.success] == ["M2.3: baseline, target and tolerance saved."]
    with session_scope(db) as session:
        after = get_measure_summary(session, reference=M23, as_of=date(2026, 10, 1))
    assert after.tolerance_pct == 12.5


def test_a_baseline_date_more_than_ten_years_back_is_accepted_and_stored(
    open_app: OpenApp, db: Engine
) -> None:
    at = measure_page(open_app)
    picker = at.date_input(key="targets.M2.3.bdate")
    assert picker.min <= date(2010, 6, 30)  # Streamlit's default would ignore it (2016 on)
    picker.set_value(date(2010, 6, 30))
    at.text_input(key="targets.M2.3.baseline").input("30")
    at.text_input(key="targets.M2.3.target").input("60")
    at.date_input(key="targets.M2.3.tdate").set_value(date(2028, 3, 31))
    button(at, "Save targets").click().run()

    no_exception(at)
    with session_scope(db) as session:
        summary = get_measure_summary(session, reference=M23, as_of=date(2026, 10, 1))
    assert summary.baseline_date == date(2010, 6, 30)


def test_a_period_not_yet_ended_is_refused_under_its_field_not_ignored(
    open_app: OpenApp, db: Engine
) -> None:
    at = measure_page(open_app)
    picker = at.date_input(key="value.M2.3.period")
    assert picker.max >= date(2026, 12, 31)  # the box takes it; the service explains
    picker.set_value(date(2026, 12, 31))
    at.text_input(key="value.M2.3.value").input("41")
    button(at, "Save value").click().run()

    no_exception(at)
    assert "has not ended yet" in under(at, "value.M2.3.period")
    with session_scope(db) as session:
        assert session.exec(select(MeasureValue)).all() == []


# --- people -------------------------------------------------------------------------------


def test_an_organisation_deactivated_while_the_form_is_open_is_refused_not_dropped(
    open_app: OpenApp, db: Engine
) -> None:
    at = open_app(ADMIN, page="people")
    with session_scope(db) as session:
        forum = session.exec(
            select(Organisation).where(Organisation.name == "Lancashire Parent Carer Forum")
        ).one()
    at.selectbox(key="people.add.organisation").set_value(forum.id)
    at.text_input(key="people.add.name").input("Sam Carer")
    at.text_input(key="people.add.email").input("sam.carer@example.org")
    with session_scope(db, write=True) as session:
        session.execute(
            update(Organisation).where(col(Organisation.id) == forum.id).values(active=False)
        )
    button(at, "Add person").click().run()

    no_exception(at)
    assert at.selectbox(key="people.add.organisation").value == forum.id  # still chosen
    assert "no longer in the list" in under(at, "people.add.organisation")
    with session_scope(db) as session:
        added = session.exec(select(Person).where(Person.email == "sam.carer@example.org"))
        assert added.first() is None  # not added with no organisation behind the person's back


def test_an_over_long_job_title_is_reported_under_its_field(open_app: OpenApp) -> None:
    at = open_app(ADMIN, page="people")
    at.text_input(key="people.add.name").input("Long Title")
    at.text_input(key="people.add.email").input("long.title@example.org")
    at.text_input(key="people.add.job_title").input("J" * 250)
    button(at, "Add person").click().run()

    no_exception(at)
    assert at.text_input(key="people.add.job_title").value == "J" * 250
    assert "cut 50 characters" in under(at, "people.add.job_title")


# --- escalation ---------------------------------------------------------------------------


def test_an_over_long_escalation_reason_is_kept_and_refused_under_its_field(
    open_app: OpenApp, db: Engine
) -> None:
    at = open_app(HEAD_OF_SEND, page="action", action="P2.3")
    reason = "The EP service cannot recruit. " * 400  # 12,400 characters
    at.text_area(key="escalation.reason.P2.3").input(reason)
    button(at, "Escalate to the SEND Transformation Board").click().run()

    no_exception(at)
    assert at.text_area(key="escalation.reason.P2.3").value == reason
    assert f"cut {len(reason) - TEXT_LIMIT:,} characters" in under(at, "escalation.reason.P2.3")
    with session_scope(db) as session:
        assert list_action_escalations(session, reference="P2.3") == []


def test_an_escalation_never_lands_on_a_board_the_form_did_not_name(
    open_app: OpenApp, db: Engine
) -> None:
    at = open_app(HEAD_OF_SEND, page="action", action="P2.3")
    at.text_area(key="escalation.reason.P2.3").input("EP vacancies need funding.")
    # Meanwhile the Operations Board is made to report straight to the Improvement Board.
    with session_scope(db, write=True) as session:
        sib = session.exec(
            select(GovernanceBody).where(GovernanceBody.name == "SEND Improvement Board")
        ).one()
        session.execute(
            update(GovernanceBody)
            .where(col(GovernanceBody.name) == "SEND Operations Board")
            .values(reports_to_id=sib.id)
        )
    button(at, "Escalate to the SEND Transformation Board").click().run()

    no_exception(at)
    assert any("now escalates to the SEND Improvement Board" in e for e in errors(at))
    assert at.text_area(key="escalation.reason.P2.3").value == "EP vacancies need funding."
    assert shown(at, "Escalate to the SEND Improvement Board")
    with session_scope(db) as session:
        assert list_action_escalations(session, reference="P2.3") == []


# --- action administration ----------------------------------------------------------------


def test_saving_an_action_keeps_a_workstream_no_longer_offered(
    open_app: OpenApp, db: Engine
) -> None:
    with session_scope(db, write=True) as session:
        action = session.exec(select(Action).where(Action.reference == "P2.3")).one()
        workstream_id = action.workstream_id
        assert workstream_id is not None
        session.execute(
            update(Workstream).where(col(Workstream.id) == workstream_id).values(active=False)
        )
    at = open_app(ADMIN, page="action", action="P2.3")
    picker = at.selectbox(key="admin.P2.3.edit.workstream")
    assert picker.value == workstream_id  # shown as it is stored, marked as no longer offered
    assert "(no longer available)" in picker.format_func(workstream_id)
    at.text_input(key="admin.P2.3.edit.title").input("Improve EHCP timeliness (revised).")
    at.text_input(key="admin.P2.3.edit.reason").input("Board agreed new wording.")
    button(at, "Save changes").click().run()

    no_exception(at)
    with session_scope(db) as session:
        saved = session.exec(select(Action).where(Action.reference == "P2.3")).one()
    assert saved.title == "Improve EHCP timeliness (revised)."
    assert saved.workstream_id == workstream_id  # not cleared to "none" unasked

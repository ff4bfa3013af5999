"""The Success measures page in the real app (AppTest): administrator, owner and partner."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from tests.conftest import GOVERNANCE_FILE, ROOT
from tests.factories import ADMIN, EXECUTIVE, HEAD_OF_SEND, PARTNER
from tests.measures.conftest import M23, TODAY, enter, set_m23_targets
from tests.ui.support import element_after, errors, plain
from tracker.db import session_scope
from tracker.services.measures import get_measure_summary

APP = ROOT / "tracker" / "ui" / "app.py"
PAGE = "../pages/measures.py"  # relative to the entry script, as AppTest.switch_page wants


@pytest.fixture
def open_page(monkeypatch: pytest.MonkeyPatch, sqlite_url: str) -> Any:
    monkeypatch.setenv("TRACKER_AUTH", "dev")
    monkeypatch.setenv("TRACKER_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("TRACKER_GOVERNANCE_FILE", str(GOVERNANCE_FILE))
    monkeypatch.setenv("TRACKER_TODAY", TODAY.isoformat())

    def open_as(email: str, measure: str | None = None) -> AppTest:
        monkeypatch.setenv("TRACKER_DEV_USER", email)
        app = AppTest.from_file(str(APP), default_timeout=30).run()
        app.switch_page(PAGE)
        if measure:
            app.query_params["measure"] = measure
        app.run()
        assert not app.exception, [e.value for e in app.exception]
        return app

    return open_as


def markdown(app: AppTest) -> str:
    return "\n".join(str(m.value) for m in app.markdown)


def buttons(app: AppTest) -> set[str]:
    return {b.label for b in app.button}


def button(app: AppTest, label: str) -> Any:
    return next(b for b in app.button if b.label == label)


@pytest.mark.parametrize("email", [ADMIN, HEAD_OF_SEND, PARTNER])
def test_every_role_sees_all_35_measures(open_page: Any, email: str) -> None:
    app = open_page(email)

    assert app.title[0].value == "Success measures"
    table = app.dataframe[0].value
    assert len(table) == 35
    assert list(table["Ref"][:2]) == ["M1.1", "M1.2"]
    assert (table["Baseline"] == "Baseline not set").sum() == 33
    assert set(table.loc[table["Ref"] == "M1.3", "Baseline"]) == {"24,473"}
    assert set(table["Rating"]) == {"Not rated"}
    assert ":gray-badge[Not rated] **35**" in markdown(app)


def test_acceptance_red_m23_shows_its_trend_and_rating(
    open_page: Any, sqlite_engine: Engine
) -> None:
    set_m23_targets(sqlite_engine)
    enter(sqlite_engine, M23, date(2025, 9, 30), 35, note="September return")
    enter(sqlite_engine, M23, date(2025, 10, 31), 28, note="Two EP vacancies")

    app = open_page(PARTNER)
    row = app.dataframe[0].value.set_index("Ref").loc[M23]
    assert (row["Latest"], row["Rating"], row["Trend"]) == ("28%", "Red", "↓ Deteriorating")
    assert ":red-badge[Red] **1**" in markdown(app)

    app.selectbox(key="measures.rating").select("Red").run()
    assert list(app.dataframe[0].value["Ref"]) == [M23]

    app = open_page(PARTNER, measure="m2.3")
    text = markdown(app)
    assert "Improved timeliness of education, health, and care plans" in text
    assert ":red-badge[Red] (against trajectory to target) · ↓ Deteriorating" in text
    assert "Two EP vacancies" in text
    metrics = {m.label: (m.value, m.delta) for m in app.metric}
    assert metrics["Latest"] == ("28%", "-7 points since last")
    assert metrics["Target"][0] == "60%" and metrics["Baseline"][0] == "30%"
    values = app.dataframe[0].value
    assert list(values["Value"]) == ["28%", "35%"]
    assert list(values["Rating"]) == ["Red", "Amber"]
    assert list(values["Entered by"]) == ["Head of SEND Service"] * 2
    assert len(app.get("vega_lite_chart")) == 1


def test_a_partner_sees_no_forms_and_no_change_history(open_page: Any) -> None:
    app = open_page(PARTNER, measure=M23)

    assert app.get("form") == []
    assert not {"Save value", "Save targets", "Save links"} & buttons(app)
    assert all(e.label != "Change history" for e in app.expander)


def test_the_owner_gets_value_and_target_forms_on_their_own_measure_only(open_page: Any) -> None:
    own = open_page(HEAD_OF_SEND, measure=M23)
    assert {"Save value", "Save targets"} <= buttons(own)
    assert "Save links" not in buttons(own)

    other = open_page(HEAD_OF_SEND, measure="M3.1")
    assert other.get("form") == []


def test_an_administrator_also_links_actions_and_judges_narrative_measures(
    open_page: Any,
) -> None:
    app = open_page(ADMIN, measure="M2.2")
    assert {"Save value", "Save judgement", "Save targets", "Save links"} <= buttons(app)


def test_the_owner_enters_a_value_through_the_form(open_page: Any, sqlite_engine: Engine) -> None:
    app = open_page(HEAD_OF_SEND, measure=M23)
    app.date_input(key="value.M2.3.period").set_value(date(2025, 12, 31))
    app.text_input(key="value.M2.3.value").input("150")
    button(app, "Save value").click().run()
    # Under the field it is about, not at the top of the page.
    assert errors(app) == ["a percentage must be between 0 and 100"]
    assert plain(element_after(app, key="value.M2.3.value").value) == errors(app)[0]

    app.text_input(key="value.M2.3.value").input("41.5%")
    app.text_area(key="value.M2.3.note").input("December return")
    button(app, "Save value").click().run()

    assert not app.exception
    assert [s.value for s in app.success] == ["M2.3: value for 31 Dec 2025 saved."]
    with session_scope(sqlite_engine) as session:
        summary = get_measure_summary(session, reference=M23, as_of=TODAY)
    assert (summary.latest_value, summary.latest_note) == (41.5, "December return")


def test_the_owner_sets_targets_through_the_form(open_page: Any, sqlite_engine: Engine) -> None:
    app = open_page(HEAD_OF_SEND, measure=M23)
    app.text_input(key="targets.M2.3.baseline").input("30")
    app.date_input(key="targets.M2.3.bdate").set_value(date(2025, 6, 30))
    app.text_input(key="targets.M2.3.target").input("20")
    app.date_input(key="targets.M2.3.tdate").set_value(date(2026, 8, 31))
    button(app, "Save targets").click().run()
    assert errors(app) == ["with 'higher is better' the target should be above the baseline (30%)"]
    assert plain(element_after(app, key="targets.M2.3.target").value) == errors(app)[0]

    app.text_input(key="targets.M2.3.target").input("60")
    button(app, "Save targets").click().run()

    assert [s.value for s in app.success] == ["M2.3: baseline, target and tolerance saved."]
    with session_scope(sqlite_engine) as session:
        summary = get_measure_summary(session, reference=M23, as_of=TODAY)
    assert (summary.baseline_value, summary.target_value) == (30, 60)
    assert summary.rating_basis == "no values yet"


def test_an_unknown_measure_in_the_address_falls_back_to_the_list(open_page: Any) -> None:
    app = open_page(PARTNER, measure="M9.9")
    assert "There is no measure M9.9; showing all measures." in [w.value for w in app.warning]
    assert len(app.dataframe[0].value) == 35


def test_acceptance_red_m23_is_an_exception_on_the_executive_overview(
    monkeypatch: pytest.MonkeyPatch, open_page: Any, sqlite_engine: Engine
) -> None:
    set_m23_targets(sqlite_engine)
    enter(sqlite_engine, M23, date(2025, 9, 30), 35, note="September return")
    enter(sqlite_engine, M23, date(2025, 10, 31), 28, note="Two EP vacancies")
    monkeypatch.setenv("TRACKER_DEV_USER", EXECUTIVE)

    app = AppTest.from_file(str(APP), default_timeout=30).run()
    app.switch_page("../pages/overview.py").run()

    assert not app.exception, [e.value for e in app.exception]
    tables = [t.value for t in app.dataframe if "Commentary" in t.value.columns]
    red = next(t for t in tables if M23 in set(t["Ref"]))
    row = red.set_index("Ref").loc[M23]
    assert (row["Latest"], row["Target"], row["Commentary"]) == ("28%", "60%", "Two EP vacancies")


@pytest.mark.parametrize(
    ("email", "shown"), [(ADMIN, True), (HEAD_OF_SEND, True), (PARTNER, False)]
)
def test_loading_values_from_a_spreadsheet_is_offered_to_those_who_enter_values(
    open_page: Any, email: str, shown: bool
) -> None:
    app = open_page(email)
    labels = [e.label for e in app.expander]
    assert ("Load values from a spreadsheet" in labels) is shown
    assert "SEND in context: the figures the strategy states" in labels


def test_commentary_names_who_entered_it_and_a_correction_needs_a_reason(
    open_page: Any, sqlite_engine: Engine
) -> None:
    enter(sqlite_engine, M23, date(2025, 10, 31), 28, by=ADMIN, note="Validated by the PMO")
    app = open_page(HEAD_OF_SEND, measure=M23)
    text = markdown(app)
    assert "Owner's commentary" not in text
    assert "**Commentary** (entered by SEND Programme Management Office): Validated by" in text
    assert {d.proto.format for d in app.date_input} == {"DD/MM/YYYY"}

    app.date_input(key="value.M2.3.period").set_value(date(2025, 10, 31))
    app.text_input(key="value.M2.3.value").input("29")
    button(app, "Save value").click().run()
    assert errors(app) == ["31/10/2025 already has 28%: say why you are correcting it"]
    assert plain(element_after(app, key="value.M2.3.reason").value) == errors(app)[0]
    app.text_input(key="value.M2.3.reason").input("Late returns")
    button(app, "Save value").click().run()
    assert [s.value for s in app.success] == ["M2.3: value for 31 Oct 2025 corrected."]


def test_milestones_sign_off_and_data_quality_on_the_measure_page(
    open_page: Any, sqlite_engine: Engine
) -> None:
    set_m23_targets(sqlite_engine)  # 30% (30 Jun 2025) -> 60% (31 Aug 2026)
    app = open_page(HEAD_OF_SEND, measure=M23)
    # A milestone after the target date is refused under its field; nothing is stored.
    app.date_input(key="milestone.M2.3.date").set_value(date(2026, 12, 31))
    app.text_input(key="milestone.M2.3.value").input("45")
    button(app, "Add milestone").click().run()
    assert errors(app) == ["must be before the target date (31 Aug 2026)"]
    assert plain(element_after(app, key="milestone.M2.3.date").value) == errors(app)[0]
    app.date_input(key="milestone.M2.3.date").set_value(date(2025, 12, 31))
    app.text_input(key="milestone.M2.3.value").input("38%")
    app.text_input(key="milestone.M2.3.label").input("6 months")
    button(app, "Add milestone").click().run()
    assert [s.value for s in app.success] == ["M2.3: milestone for 31 Dec 2025 added."]

    # The administrator enters a value with its source and caveat; it is provisional.
    admin = open_page(ADMIN, measure=M23)
    admin.date_input(key="value.M2.3.period").set_value(date(2025, 12, 31))
    admin.text_input(key="value.M2.3.value").input("39")
    admin.text_input(key="value.M2.3.source").input("EHCP case management system")
    admin.text_area(key="value.M2.3.caveat").input("Excludes 14 transfers in")
    button(admin, "Save value").click().run()
    assert not admin.exception
    assert "Sign off" not in buttons(admin)  # an administrator is neither owner nor lead

    owner = open_page(HEAD_OF_SEND, measure=M23)
    text = markdown(owner)
    assert "(against milestones to target)" in text
    values = owner.dataframe[0].value
    assert list(values["Status"]) == ["Provisional"]
    assert list(values["Source"]) == ["EHCP case management system"]
    assert list(values["Caveat"]) == ["Excludes 14 transfers in"]
    milestones = next(d.value for d in owner.dataframe if "Expected" in d.value.columns)
    assert list(milestones["Expected"]) == ["38%"] and list(milestones["Gap"]) == ["met"]
    assert any("hollow dots are provisional" in str(c.value) for c in owner.caption)
    button(owner, "Sign off").click().run()
    assert [s.value for s in owner.success] == ["M2.3: 31 Dec 2025 signed off as final."]
    assert list(owner.dataframe[0].value["Status"]) == [
        "Final (signed off by Head of SEND Service)"
    ]
    assert "Sign off" not in buttons(owner)

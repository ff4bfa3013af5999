"""The Risks page as each role uses it: the register and heat map, adding a risk (refusals under
the fields, nothing typed lost), a risk's page with its history, and rescoring by its owner."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine
from sqlmodel import func, select

from tests.factories import ADMIN, EXECUTIVE, HEAD_OF_SEND, PARTNER, actor
from tests.papers.scenario import governance
from tests.ui.conftest import OpenApp
from tests.ui.support import button, errors, no_exception, shown
from tracker.db import session_scope
from tracker.models import Risk
from tracker.services.risks import NewRisk, add_risk


def _add(
    db: Engine,
    title: str,
    *,
    shareable: bool = False,
    likelihood: int = 4,
    on: date = date(2026, 10, 1),
) -> None:
    with session_scope(db, write=True) as session:
        add_risk(
            session,
            actor=actor(session, ADMIN),
            form=NewRisk(
                title, HEAD_OF_SEND, likelihood, 5, actions=("P2.3",), shareable=shareable
            ),
            governance=governance(),
            today=on,
        )


def _risk_count(db: Engine) -> int:
    with session_scope(db) as session:
        return session.exec(select(func.count()).select_from(Risk)).one()


def test_the_register_lists_risks_highest_first_with_the_heat_map_in_words(
    open_app: OpenApp, db: Engine
) -> None:
    _add(db, "Capital slippage", likelihood=2)
    _add(db, "EP recruitment fails")
    at = open_app(ADMIN, page="risks")
    no_exception(at)
    assert shown(at, "2 risks: 1 very high, 1 high.")
    table = at.dataframe[0].value
    assert list(table["Ref"]) == ["R2", "R1"]
    assert list(table["Score"]) == ["20 Very high", "10 High"]
    charts = [n for n in at.main if getattr(n, "type", "") == "vega_lite_chart"]
    assert len(charts) == 1


def test_partners_see_only_shareable_risks(open_app: OpenApp, db: Engine) -> None:
    _add(db, "EP recruitment fails")
    _add(db, "Parent confidence stays low", shareable=True)
    at = open_app(PARTNER, page="risks")
    no_exception(at)
    assert list(at.dataframe[0].value["Ref"]) == ["R2"]
    assert not any(e.label == "Add a risk" for e in at.expander)


def test_adding_a_risk_opens_its_page(open_app: OpenApp, db: Engine) -> None:
    at = open_app(ADMIN, page="risks")
    at.text_input(key="risks.add.title").input("EP recruitment fails")
    at.selectbox(key="risks.add.owner").set_value(HEAD_OF_SEND)
    at.selectbox(key="risks.add.likelihood").set_value(4)
    at.selectbox(key="risks.add.impact").set_value(5)
    at.multiselect(key="risks.add.actions").set_value(["P2.3"])
    at.text_area(key="risks.add.mitigations").input("Trainee EP scheme\nMarket supplement")
    button(at, "Add the risk").click().run()
    no_exception(at)
    assert at.query_params["risk"] in ("R1", ["R1"])
    assert any("Added R1: score 20" in s.value for s in at.success)
    assert [h.value for h in at.header] == ["R1: EP recruitment fails"]
    assert [c.label for c in at.checkbox] == [
        "Done: Trainee EP scheme",
        "Done: Market supplement",
    ]


def test_a_refused_risk_keeps_what_was_typed_and_says_what_to_fix(
    open_app: OpenApp, db: Engine
) -> None:
    long_title = "EP recruitment " * 30  # 450 characters, over the 300 allowed
    at = open_app(ADMIN, page="risks")
    at.text_input(key="risks.add.title").input(long_title)
    at.selectbox(key="risks.add.owner").set_value(HEAD_OF_SEND)
    at.selectbox(key="risks.add.impact").set_value(5)
    button(at, "Add the risk").click().run()
    no_exception(at)
    assert _risk_count(db) == 0
    assert at.text_input(key="risks.add.title").value == long_title
    problems = errors(at)
    assert any("cut" in p and "300" in p for p in problems), problems
    assert "required (1 to 5)" in problems  # likelihood was not chosen


def test_the_owner_rescores_from_the_risks_page(open_app: OpenApp, db: Engine) -> None:
    _add(db, "EP recruitment fails")
    at = open_app(HEAD_OF_SEND, page="risks", risk="R1")
    no_exception(at)
    at.selectbox(key="risks.R1.likelihood").set_value(3)
    at.text_area(key="risks.R1.commentary").input("Two trainee EPs started in September.")
    button(at, "Save the score").click().run()
    no_exception(at)
    assert any("Saved the score of R1" in s.value for s in at.success)
    assert shown(at, "15 High")
    assert shown(at, "Two trainee EPs started in September.")


def test_an_actions_page_lists_the_open_risks_that_threaten_it(
    open_app: OpenApp, db: Engine
) -> None:
    _add(db, "EP recruitment fails")
    at = open_app(ADMIN, page="action", action="P2.3")
    no_exception(at)
    assert "Risks (1)" in [t.label for t in at.tabs]
    links = [n for n in at.main if getattr(n, "type", "") == "page_link"]
    assert any("R1 (20 Very high): EP recruitment fails" in str(n.proto.label) for n in links)
    other = open_app(ADMIN, page="action", action="P2.4")
    assert "Risks (0)" in [t.label for t in other.tabs]


def test_the_overview_names_very_high_risks_and_risks_past_review(
    open_app: OpenApp, db: Engine
) -> None:
    _add(db, "EP recruitment fails")  # 20: very high
    _add(db, "Capital slippage", likelihood=2)  # 10: high, reviewed in time: not listed
    _add(db, "Data quality", likelihood=1, on=date(2026, 8, 1))  # review due 31 Aug: late
    at = open_app(EXECUTIVE, page="overview")  # as at 1 Oct 2026
    no_exception(at)
    assert shown(at, "1 very high risk; 1 risk past its review date.")
    table = next(d.value for d in at.dataframe if "Risk" in d.value.columns)
    assert list(table["Ref"]) == ["R1", "R3"]
    assert list(table["Next review"]) == ["31 Oct 2026", "31 Aug 2026 (overdue)"]


def test_my_actions_lists_the_owners_risks_due_for_review_with_a_link_to_rescore(
    open_app: OpenApp, db: Engine
) -> None:
    # Added 40 days before the pinned today with a 30-day review: 10 days overdue.
    _add(db, "EP recruitment fails", on=date(2026, 8, 22))
    _add(db, "Capital *slippage* <b>", on=date(2026, 10, 1))  # reviewed in 30 days: not due
    at = open_app(HEAD_OF_SEND, page="my_actions")
    no_exception(at)
    assert shown(at, "Risks to review: 1, 1 overdue")
    text = " ".join(m.value for m in at.markdown)
    assert "**R1** EP recruitment fails" in text
    assert "review overdue** since 21 Sep 2026 (10 days)" in text
    assert "slippage" not in text
    assert "R2" not in text
    # Someone who owns no risks sees no such box.
    at = open_app(EXECUTIVE, page="my_actions")
    no_exception(at)
    assert not shown(at, "Risks to review")

"""The executive overview: headline figures, exception lists, charts, the way into the register."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine, update

from tests.conftest import GOVERNANCE_FILE
from tests.factories import ADMIN, EXECUTIVE, actor, add_update
from tests.ui.conftest import OpenApp
from tests.ui.support import no_exception, shown, titles
from tracker.db import session_scope
from tracker.governance import load_governance
from tracker.models import Action
from tracker.services.actions import escalate_action
from tracker.services.measures import enter_value


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _table(at, key: str):
    return at.dataframe(key=key).value


def test_headline_figures(open_app: OpenApp, db: Engine) -> None:
    add_update(db, "P1.1", rag="green")
    add_update(db, "P1.2", rag="red", commentary="Off track.")
    add_update(db, "P1.3", rag="amber", commentary="Slipping.")
    add_update(db, "P1.4", rag="blue", status="complete", commentary="Done.")
    at = open_app(EXECUTIVE)
    no_exception(at)
    assert titles(at) == ["Executive overview"]
    metrics = _metrics(at)
    assert metrics["Actions"] == "42"
    assert metrics["On track, of rated"] == "50%"  # Green and Blue, of the rated
    (on_track,) = [m for m in at.metric if m.label == "On track, of rated"]
    assert on_track.delta == "2 of 4 rated actions"
    assert metrics["Red"] == "1"
    # The four just updated count as updated this cycle; the other 38 (all open) do not.
    assert metrics["Not updated"] == "38"


def test_overdue_actions_most_days_first_and_red_with_commentary(
    open_app: OpenApp, db: Engine
) -> None:
    add_update(
        db, "P2.3", rag="red", commentary="Recruitment stalled.", path_to_green="Agency cover."
    )
    at = open_app(EXECUTIVE)
    overdue = _table(at, "overview.overdue")
    worded = list(overdue["Overdue"])
    assert all(w.endswith((" day", " days")) for w in worded)  # "1 day", "184 days", never None
    days = [int(w.split()[0].replace(",", "")) for w in worded]
    assert days == sorted(days, reverse=True) and days[0] > 0
    assert _metrics(at)["Overdue"] == str(len(days)) or shown(at, f"of {_metrics(at)['Overdue']}")
    red = _table(at, "overview.red")
    assert list(red["Ref"]) == ["P2.3"]
    assert red["Commentary"][0] == "Recruitment stalled."
    assert red["Path to green"][0] == "Agency cover."


def test_rag_charts_and_trend_are_drawn(open_app: OpenApp, db: Engine) -> None:
    add_update(
        db, "P1.1", rag="amber", commentary="Slipping.", at=datetime(2026, 8, 10, tzinfo=UTC)
    )
    add_update(db, "P1.1", rag="green", at=datetime(2026, 9, 10, tzinfo=UTC))
    at = open_app(EXECUTIVE)
    no_exception(at)
    charts = [n for n in at.main if getattr(n, "type", "") == "vega_lite_chart"]
    assert len(charts) == 3  # by priority, by workstream, over time
    assert [t.label for t in at.tabs] == ["By priority", "By workstream"]
    figures = [d.value for d in at.dataframe if "Green" in getattr(d.value, "columns", [])]
    assert figures, "the charts' figures are offered as tables"


def test_no_red_measures_is_said_plainly(open_app: OpenApp) -> None:
    at = open_app(EXECUTIVE)
    assert any("No success measure is rated Red" in s.value for s in at.success)


def test_all_clear_is_said_plainly(open_app: OpenApp, monkeypatch) -> None:
    monkeypatch.setenv("TRACKER_TODAY", "2025-09-02")  # before any due date
    at = open_app(EXECUTIVE)
    no_exception(at)
    assert any("No action is overdue" in s.value for s in at.success)
    assert any("No open action is rated Red" in s.value for s in at.success)


def test_selecting_a_row_opens_the_action(open_app: OpenApp) -> None:
    at = open_app(EXECUTIVE)
    first = _table(at, "overview.overdue")["Ref"][0]
    at.session_state["overview.overdue"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    no_exception(at)
    assert at.query_params["action"] == first
    assert at.subheader[0].value.startswith(f"{first}:")


def test_see_all_opens_the_register_filtered(open_app: OpenApp, monkeypatch) -> None:
    monkeypatch.setenv("TRACKER_TODAY", "2028-12-01")  # after every due date: 42 overdue
    at = open_app(EXECUTIVE)
    assert _metrics(at)["Overdue"] == "42"
    assert len(_table(at, "overview.overdue")) == 25
    [see_all] = [b for b in at.button if b.label == "See all 42 in the register"]
    see_all.click().run()
    no_exception(at)
    assert titles(at) == ["Action register"]
    assert at.toggle(key="reg.overdue").value is True
    assert at.selectbox(key="reg.order").value == "overdue"
    assert shown(at, "42 actions match")


def test_the_trend_shows_a_new_update_at_once(open_app: OpenApp, db: Engine) -> None:
    def red_now(at) -> int:
        trend = _trend_table(at)
        return int(trend["Red"].iloc[-1])

    with session_scope(db, write=True) as session:  # the plan existed before today
        session.exec(update(Action).values(created_at=datetime(2025, 9, 1, tzinfo=UTC)))
    at = open_app(EXECUTIVE)
    before = red_now(at)
    add_update(
        db, "P3.2", rag="red", commentary="Stalled.", at=datetime(2026, 9, 30, 9, tzinfo=UTC)
    )
    at.run()
    assert red_now(at) == before + 1


def _trend_table(at):
    return next(d.value for d in at.dataframe if d.value.index.name == "Month end")


def test_the_trend_starts_at_the_first_update(open_app: OpenApp, db: Engine) -> None:
    with session_scope(db, write=True) as session:  # the plan was loaded long before
        session.exec(update(Action).values(created_at=datetime(2024, 6, 1, tzinfo=UTC)))
    add_update(db, "P1.1", rag="amber", commentary="Late.", at=datetime(2026, 8, 10, tzinfo=UTC))
    at = open_app(EXECUTIVE)  # today is 1 October 2026
    no_exception(at)
    months = [day.strftime("%b %Y") for day in _trend_table(at).index]
    assert months == ["Aug 2026", "Sep 2026", "Oct 2026"]


def test_before_any_update_the_trend_starts_when_the_plan_was_loaded(
    open_app: OpenApp, db: Engine
) -> None:
    with session_scope(db, write=True) as session:
        session.exec(update(Action).values(created_at=datetime(2026, 9, 3, tzinfo=UTC)))
    at = open_app(EXECUTIVE)
    no_exception(at)
    months = [day.strftime("%b %Y") for day in _trend_table(at).index]
    assert months == ["Sep 2026", "Oct 2026"]


def test_open_escalations_are_on_the_overview_until_closed(open_app: OpenApp, db: Engine) -> None:
    with session_scope(db, write=True) as session:
        escalate_action(
            session,
            actor=actor(session, ADMIN),
            reference="P2.3",
            reason="Needs a funding decision.",
            governance=load_governance(GOVERNANCE_FILE),
        )
    at = open_app(EXECUTIVE)
    no_exception(at)
    assert shown(at, "1 escalation waiting for the receiving board's decision.")
    table = next(f.value for f in at.dataframe if "Reason" in f.value.columns)
    assert list(table["Ref"]) == ["P2.3"]
    assert list(table["To"]) == ["SEND Transformation Board"]
    assert list(table["Reason"]) == ["Needs a funding decision."]


def test_values_awaiting_sign_off_are_listed_for_whoever_may_sign_them(
    open_app: OpenApp, db: Engine
) -> None:
    with session_scope(db, write=True) as session:
        enter_value(
            session,
            actor=actor(session, "send.pmo@example.org"),
            reference="M2.3",
            period_end=date(2025, 9, 30),
            value=35,
            note=None,
            today=date(2026, 1, 15),
        )
    owner = open_app("head.of.send@example.org", page="overview")
    no_exception(owner)
    assert shown(owner, "Values awaiting your sign-off")
    table = next(d for d in owner.dataframe if "Entered by" in d.value.columns)
    assert list(table.value["Ref"]) == ["M2.3"] and list(table.value["Value"]) == ["35%"]
    admin = open_app("send.pmo@example.org", page="overview")
    assert not shown(admin, "Values awaiting your sign-off")
    assert shown(admin, "Stale success measures")

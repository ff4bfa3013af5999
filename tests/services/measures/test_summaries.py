"""Where each measure stands: the list, the exceptions (Red) and the figures the papers print."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlmodel import select

from tests.factories import ADMIN, HEAD_OF_SEND, PARTNER, actor
from tests.measures.conftest import M23, TODAY, enter, set_m23_targets
from tracker.db import session_scope
from tracker.models import MeasureValue, Priority, SuccessMeasure
from tracker.rules import reference_sort_key
from tracker.services.measures import (
    count_by_rating,
    filter_summaries,
    get_measure_detail,
    list_context_figures,
    list_measure_summaries,
    list_red_measures,
)

M23_WORDING = (
    "Improved timeliness of education, health, and care plans (EHCP) finalised by 20 weeks."
)


def red_scenario(engine: Engine) -> None:
    """The acceptance scenario: a 30% -> 60% target, then 35% and 28%."""
    set_m23_targets(engine)
    enter(engine, M23, date(2025, 9, 30), 35, note="September return")
    enter(engine, M23, date(2025, 10, 31), 28, note="Two EP vacancies; agency cover from January")


@pytest.mark.postgres
def test_seeded_measures_are_all_listed_and_unset_baselines_are_marked(engine: Engine) -> None:
    with session_scope(engine) as session:
        summaries = list_measure_summaries(session, as_of=TODAY)

    references = [s.reference for s in summaries]
    assert len(summaries) == 35
    assert references[0] == "M1.1" and references[-1] == "M5.8"
    assert references == sorted(references, key=reference_sort_key)
    assert {s.reference for s in summaries if s.baseline_set} == {"M1.3", "M2.6"}
    m13 = next(s for s in summaries if s.reference == "M1.3")
    assert (m13.baseline_value, m13.baseline_date) == (24473, date(2025, 6, 30))
    bases = {s.rating_basis for s in summaries}
    assert bases == {"target not set", "not yet judged"}
    assert all(s.rag is None for s in summaries)


@pytest.mark.postgres
def test_red_measure_is_an_exception_with_trend_and_commentary(engine: Engine) -> None:
    red_scenario(engine)

    with session_scope(engine) as session:
        red = list_red_measures(session, as_of=TODAY)

    [m23] = red
    assert m23.wording == M23_WORDING
    assert (m23.rag, m23.rating_basis) == ("red", "against trajectory to target")
    assert (m23.trend, m23.direction_of_travel) == ("down", "deteriorating")
    assert (m23.latest_value, m23.previous_value) == (28, 35)
    assert (m23.latest_period, m23.previous_period) == (date(2025, 10, 31), date(2025, 9, 30))
    assert m23.previous_rag == "amber"
    assert (m23.baseline_value, m23.target_value) == (30, 60)
    assert m23.commentary == "Two EP vacancies; agency cover from January"
    assert m23.owner == "Head of SEND Service" and m23.linked_actions == ("P2.3",)
    assert m23.expected_value == pytest.approx(30 + 30 * 123 / 427)


@pytest.mark.postgres
def test_values_after_the_date_asked_about_are_ignored(engine: Engine) -> None:
    red_scenario(engine)

    with session_scope(engine) as session:
        in_october = list_measure_summaries(session, as_of=date(2025, 10, 15))
        assert list_red_measures(session, as_of=date(2025, 10, 15)) == []

    m23 = next(s for s in in_october if s.reference == M23)
    assert (m23.latest_value, m23.previous_value, m23.trend) == (35, None, None)
    assert m23.rag == "amber"


def test_the_owners_commentary_falls_back_to_the_measures_commentary(
    sqlite_engine: Engine,
) -> None:
    set_m23_targets(sqlite_engine)
    enter(sqlite_engine, M23, date(2025, 10, 31), 20)
    with session_scope(sqlite_engine, write=True) as session:
        measure = session.exec(select(SuccessMeasure).where(SuccessMeasure.reference == M23)).one()
        measure.commentary = "Recovery plan agreed at the Operations Board."
    with session_scope(sqlite_engine) as session:
        [m23] = list_red_measures(session, as_of=TODAY)
    assert m23.commentary == "Recovery plan agreed at the Operations Board."


def test_filters_and_counts(sqlite_engine: Engine) -> None:
    red_scenario(sqlite_engine)
    with session_scope(sqlite_engine) as session:
        summaries = list_measure_summaries(session, as_of=TODAY)

    assert count_by_rating(summaries) == {
        "red": 1,
        "amber": 0,
        "green": 0,
        "blue": 0,
        "not_rated": 34,
    }
    assert [s.reference for s in filter_summaries(summaries, rating="red")] == [M23]
    assert len(filter_summaries(summaries, priority=2)) == 9
    assert filter_summaries(summaries, priority=1, rating="red") == []
    assert len(filter_summaries(summaries, rating="not_rated")) == 34


@pytest.mark.postgres
def test_detail_shows_values_chart_lines_actions_and_staff_only_audit(engine: Engine) -> None:
    red_scenario(engine)

    with session_scope(engine) as session:
        as_admin = get_measure_detail(
            session, reference="m2.3", as_of=TODAY, viewer=actor(session, ADMIN)
        )
        as_partner = get_measure_detail(
            session, reference=M23, as_of=TODAY, viewer=actor(session, PARTNER)
        )

    assert [(v.value, v.rag) for v in as_admin.values] == [(35, "amber"), (28, "red")]
    assert {v.entered_by for v in as_admin.values} == {"Head of SEND Service"}
    assert as_admin.trajectory == ((date(2025, 6, 30), 30), (date(2026, 8, 31), 60))
    assert [a.reference for a in as_admin.actions] == ["P2.3"]
    assert any(
        e.field == "value for 2025-10-31" and e.actor == HEAD_OF_SEND for e in as_admin.audit
    )
    assert as_partner.audit == ()
    assert as_partner.values == as_admin.values


def test_context_figures_include_what_the_strategy_states() -> None:
    figures = {f.label: f for f in list_context_figures()}
    ehcps = figures["Children and young people with an EHCP"]
    assert (ehcps.value, ehcps.as_at) == (13402, date(2025, 6, 30))
    assert {f.value for f in figures.values()} >= {13402, 24473, 13.2, 6488, 56, 20}


@contextmanager
def counting_statements(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        if args[2].lstrip().upper().startswith("SELECT"):  # not SQLite's explicit BEGIN
            statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


@pytest.mark.postgres
def test_summaries_take_four_queries_however_many_measures(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        priority = session.exec(select(Priority).where(Priority.number == 5)).one()
        assert priority.id is not None
        for number in range(300):
            measure = SuccessMeasure(
                reference=f"M9.{number + 1}",
                priority_id=priority.id,
                wording=f"Load test measure {number}",
                unit="count",
                target_value=100,
            )
            session.add(measure)
            session.flush()
            assert measure.id is not None
            session.add_all(
                MeasureValue(measure_id=measure.id, period_end=date(2025, month, 28), value=month)
                for month in range(1, 13)
            )

    with counting_statements(engine) as statements, session_scope(engine) as session:
        summaries = list_measure_summaries(session, as_of=TODAY)

    assert len(summaries) == 335
    assert len(statements) == 4
    last = summaries[-1]
    assert (last.reference, last.latest_value, last.previous_value) == ("M9.300", 12, 11)

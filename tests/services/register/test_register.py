"""The paged register agrees with ``list_actions`` for every filter, and pages correctly."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine

from tests.factories import add_update
from tracker.db import session_scope
from tracker.services.register import ActionFilter, list_actions, list_register_page

TODAY = date(2026, 3, 20)


@pytest.fixture
def engine_with_history(engine: Engine) -> Engine:
    add_update(
        engine,
        "P1.1",
        rag="red",
        commentary="Recruitment stalled.",
        at=datetime(2026, 3, 19, 9, tzinfo=UTC),
    )
    add_update(
        engine, "P1.2", rag="amber", commentary="Slipping.", at=datetime(2025, 10, 1, 9, tzinfo=UTC)
    )
    add_update(engine, "P2.3", rag="green", at=datetime(2026, 3, 1, 9, tzinfo=UTC))
    add_update(
        engine,
        "P3.1",
        rag="blue",
        status="complete",
        commentary="Done.",
        at=datetime(2026, 2, 1, tzinfo=UTC),
    )
    return engine


FILTERS = [
    ActionFilter(),
    ActionFilter(priority=2),
    ActionFilter(rag="red"),
    ActionFilter(rag="not_rated"),
    ActionFilter(status="complete"),
    ActionFilter(overdue=True),
    ActionFilter(not_updated=True),
    ActionFilter(overdue=True, not_updated=True, priority=1),
    ActionFilter(search="RECRUITMENT"),
    ActionFilter(search="p2.3"),
    ActionFilter(include_closed=False),
    ActionFilter(references=("P1.1", "P5.12")),
]


@pytest.mark.parametrize("filters", FILTERS, ids=[str(i) for i in range(len(FILTERS))])
def test_page_matches_list_actions(engine_with_history: Engine, filters: ActionFilter) -> None:
    with session_scope(engine_with_history) as session:
        expected = list_actions(session, today=TODAY, filters=filters)
        page = list_register_page(session, today=TODAY, filters=filters, limit=100)
    assert page.total == len(expected)
    assert page.rows == expected


def test_pages_of_the_register(engine: Engine) -> None:
    with session_scope(engine) as session:
        everything = list_actions(session, today=TODAY)
        first = list_register_page(session, today=TODAY, filters=ActionFilter(), limit=10)
        third = list_register_page(
            session, today=TODAY, filters=ActionFilter(), offset=20, limit=10
        )
        beyond = list_register_page(
            session, today=TODAY, filters=ActionFilter(), offset=500, limit=10
        )
    assert (first.total, first.pages) == (42, 5)
    assert first.rows == everything[:10]
    assert third.rows == everything[20:30]
    assert beyond.offset == 40 and beyond.rows == everything[40:]


@pytest.mark.parametrize(
    ("order", "check"),
    [
        ("rag", lambda rows: [r.reference for r in rows[:2]] == ["P1.1", "P1.2"]),
        ("updated", lambda rows: rows[-1].reference == "P1.1"),
        ("due", lambda rows: [r.due_date for r in rows] == sorted(r.due_date for r in rows)),
        (
            "overdue",
            lambda rows: (
                (rows[0].flags.days_overdue or 0) == max(r.flags.days_overdue or 0 for r in rows)
            ),
        ),
    ],
)
def test_orders(engine_with_history: Engine, order: str, check) -> None:
    with session_scope(engine_with_history) as session:
        page = list_register_page(
            session, today=TODAY, filters=ActionFilter(), order=order, limit=50
        )
    assert check(page.rows)


def test_not_updated_follows_each_bodys_cycle(engine_with_history: Engine) -> None:
    with session_scope(engine_with_history) as session:
        rows = list_register_page(
            session, today=TODAY, filters=ActionFilter(not_updated=True), limit=100
        ).rows
        later = list_register_page(
            session,
            today=TODAY.replace(year=2027),
            filters=ActionFilter(not_updated=True),
            limit=100,
        ).rows
    refs = {r.reference for r in rows}
    assert "P1.1" not in refs and "P1.2" in refs and "P3.1" not in refs  # P3.1 is complete
    assert "P1.1" in {r.reference for r in later}

"""Overdue, not updated and RAG summaries, against a known date."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.factories import add_update
from tracker.db import session_scope
from tracker.services.register import (
    ActionFilter,
    count_by_rag,
    list_actions,
    list_not_updated_actions,
    list_overdue_actions,
    summarise_rag,
)


def _due(engine, reference: str) -> date:
    with session_scope(engine) as session:
        return next(
            r for r in list_actions(session, today=date(2026, 1, 1)) if r.reference == reference
        ).due_date


def test_overdue_sorted_by_days_and_complete_actions_excluded(engine) -> None:
    due = _due(engine, "P1.2")
    today = date.fromordinal(due.toordinal() + 30)
    add_update(engine, "P1.1", rag="blue", status="complete", commentary="Delivered")
    with session_scope(engine) as session:
        overdue = list_overdue_actions(session, today=today)
    days = [r.flags.days_overdue for r in overdue]
    assert days == sorted(days, reverse=True)
    assert all(r.due_date < today for r in overdue)
    assert "P1.1" not in [r.reference for r in overdue]
    p12 = next(r for r in overdue if r.reference == "P1.2")
    assert p12.flags.days_overdue == 30


def test_not_updated_this_cycle(engine) -> None:
    today = date(2026, 3, 20)
    with session_scope(engine) as session:
        before = {r.reference for r in list_not_updated_actions(session, today=today)}
    assert len(before) == 42
    add_update(engine, "P2.1", rag="green", at=datetime(2026, 3, 19, 10, tzinfo=UTC))
    add_update(engine, "P2.2", rag="green", at=datetime(2025, 10, 1, 10, tzinfo=UTC))
    with session_scope(engine) as session:
        after = {r.reference for r in list_not_updated_actions(session, today=today)}
    assert "P2.1" not in after
    assert "P2.2" in after  # updated, but in an earlier cycle
    assert len(after) == 41


def test_summaries_count_every_action_once(engine) -> None:
    add_update(engine, "P1.1", rag="red", commentary="Off track")
    add_update(engine, "P1.2", rag="amber", commentary="Slipping")
    add_update(engine, "P5.1", rag="green")
    with session_scope(engine) as session:
        for by in ("priority", "workstream", "body", "organisation"):
            rows = summarise_rag(session, by=by)
            assert sum(r.total for r in rows) == 42, by
        by_priority = summarise_rag(session, by="priority")
        assert [r.group.split(":")[0] for r in by_priority] == [
            f"Priority {n}" for n in range(1, 6)
        ]
        assert by_priority[0].counts == {
            "blue": 0,
            "green": 0,
            "amber": 1,
            "red": 1,
            "not_rated": 2,
        }
        assert count_by_rag(session) == {
            "blue": 0,
            "green": 1,
            "amber": 1,
            "red": 1,
            "not_rated": 39,
        }


def test_register_filters(engine) -> None:
    add_update(engine, "P4.2", rag="red", commentary="Co-production launch delayed")
    today = date(2026, 1, 1)
    with session_scope(engine) as session:
        assert [
            r.reference for r in list_actions(session, today=today, filters=ActionFilter(rag="red"))
        ] == ["P4.2"]
        found = list_actions(session, today=today, filters=ActionFilter(search="cornerstones"))
        assert [r.reference for r in found] == ["P4.2"]
        p4 = list_actions(session, today=today, filters=ActionFilter(priority=4))
        assert [r.reference for r in p4] == [f"P4.{n}" for n in range(1, 12)]


@pytest.mark.parametrize(
    ("search", "expected"),
    [("_", []), ("1_0", []), ("0%", ["P3.5"]), ("%", ["P3.5"])],
)
def test_search_treats_wildcards_literally(engine, search: str, expected: list[str]) -> None:
    add_update(engine, "P3.5", rag="amber", commentary="Directory 100% drafted")
    with session_scope(engine) as session:
        found = list_actions(session, today=date(2026, 1, 1), filters=ActionFilter(search=search))
    assert [r.reference for r in found] == expected


def test_register_columns_line_up_with_action_row_fields() -> None:
    from dataclasses import fields

    from tracker.services.register import ActionRow
    from tracker.services.register._paging import _base_query

    labels = [c.name for c in _base_query().selected_columns]
    assert [*labels, "flags"] == [f.name for f in fields(ActionRow)]

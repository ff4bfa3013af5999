"""Headline figures, exception lists and the RAG trend of the executive overview."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine, update

from tests.factories import ADMIN, add_update
from tracker.db import session_scope
from tracker.models import Action
from tracker.services.register import (
    ActionFilter,
    list_actions,
    list_overdue_exceptions,
    list_red_exceptions,
    month_ends,
    summarise_headline,
    track_rag_over_time,
)

TODAY = date(2026, 10, 1)


def test_headline_agrees_with_the_register(engine: Engine) -> None:
    add_update(engine, "P1.1", rag="green", at=datetime(2026, 9, 20, tzinfo=UTC))
    add_update(
        engine, "P1.2", rag="red", commentary="Off track.", at=datetime(2026, 9, 21, tzinfo=UTC)
    )
    add_update(engine, "P1.3", rag="blue", status="complete", commentary="Done.")
    add_update(engine, "P1.4", rag=None, status="withdrawn", commentary="Merged.", by=ADMIN)
    with session_scope(engine) as session:
        headline = summarise_headline(session, today=TODAY)
        rows = [r for r in list_actions(session, today=TODAY) if r.status != "withdrawn"]
    assert headline.actions == 41 == len(rows)
    assert headline.rated == 3
    assert headline.on_track == 2
    assert headline.on_track_share.describe() == "67% (2 of 3 rated)"
    assert headline.red == 1
    assert headline.overdue == sum(1 for r in rows if r.flags.overdue)
    assert headline.not_updated == sum(1 for r in rows if r.flags.not_updated)


def test_no_ratings_means_no_percentage(engine: Engine) -> None:
    with session_scope(engine) as session:
        assert summarise_headline(session, today=TODAY).on_track_share.percent is None


def test_overdue_exceptions_most_days_first_and_capped(engine: Engine) -> None:
    with session_scope(engine) as session:
        capped = list_overdue_exceptions(session, today=date(2028, 12, 1), limit=5)
        everything = list_actions(
            session, today=date(2028, 12, 1), filters=ActionFilter(overdue=True)
        )
    assert capped.total == len(everything) == 42
    days = [r.flags.days_overdue for r in capped.rows]
    assert len(days) == 5 and days == sorted(days, reverse=True)
    assert days[0] == max(r.flags.days_overdue or 0 for r in everything)


def test_red_exceptions_are_open_red_actions_with_commentary(engine: Engine) -> None:
    add_update(engine, "P2.3", rag="red", commentary="Stalled.", path_to_green="Agency cover.")
    add_update(engine, "P2.4", rag="red", commentary="Blocked.")
    add_update(
        engine, "P2.4", rag=None, status="withdrawn", commentary="No longer needed.", by=ADMIN
    )
    with session_scope(engine) as session:
        red = list_red_exceptions(session, today=TODAY)
    assert red.total == 1
    assert [(r.reference, r.commentary, r.path_to_green) for r in red.rows] == [
        ("P2.3", "Stalled.", "Agency cover.")
    ]


def test_month_ends() -> None:
    assert month_ends(today=date(2026, 3, 15), months=4) == [
        date(2025, 12, 31),
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 15),
    ]


def test_rating_at_each_month_end_comes_from_the_history(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        session.exec(update(Action).values(created_at=datetime(2025, 9, 1, tzinfo=UTC)))
    add_update(
        engine, "P1.1", rag="amber", commentary="Slow.", at=datetime(2026, 8, 10, 9, tzinfo=UTC)
    )
    add_update(engine, "P1.1", rag="green", at=datetime(2026, 9, 2, 9, tzinfo=UTC))
    add_update(engine, "P1.1", rag="green", at=datetime(2026, 9, 20, 9, tzinfo=UTC))
    add_update(
        engine, "P1.2", rag="red", commentary="Off.", at=datetime(2026, 9, 30, 22, tzinfo=UTC)
    )
    add_update(
        engine,
        "P1.3",
        rag=None,
        status="withdrawn",
        commentary="Gone.",
        by=ADMIN,
        at=datetime(2026, 9, 5, tzinfo=UTC),
    )
    add_update(
        engine, "P1.4", rag="amber", commentary="Late.", at=datetime(2026, 10, 10, tzinfo=UTC)
    )
    with session_scope(engine) as session:
        points = track_rag_over_time(session, today=date(2026, 10, 15), months=3)
    assert [p.month_end for p in points] == [
        date(2026, 8, 31),
        date(2026, 9, 30),
        date(2026, 10, 15),
    ]
    august, september, october = (p.counts for p in points)
    assert august == {"blue": 0, "green": 0, "amber": 1, "red": 0, "not_rated": 41}
    assert september == {"blue": 0, "green": 1, "amber": 0, "red": 1, "not_rated": 39}
    assert october == {"blue": 0, "green": 1, "amber": 1, "red": 1, "not_rated": 38}


def test_trend_before_any_action_existed_is_empty(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        session.exec(update(Action).values(created_at=datetime(2025, 9, 1, tzinfo=UTC)))
    with session_scope(engine) as session:
        points = track_rag_over_time(session, today=date(2025, 10, 1), months=3)
    assert [sum(p.counts.values()) for p in points] == [0, 42, 42]

"""What one rerun of the executive overview costs the database: a fixed number of queries.

A click anywhere on the overview reruns the page. Its register figures come from one view-model
call (``load_overview``, one session, aggregate queries), so the rerun asks the database a
small, fixed number of questions, however many actions and updates there are; a per-row query
slipping in (an N+1) would multiply the count and fail here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, event
from sqlmodel import select

from tests.factories import EXECUTIVE, add_update
from tests.ui.conftest import OpenApp
from tests.ui.support import no_exception
from tracker.db import session_scope
from tracker.models import Action

# The whole rerun: sign-in check and menu (the person and their roles, the setup state), the
# overview's figures, escalations, Red and stale measures (with their milestones), the values
# awaiting the viewer's sign-off and the trend's version check.
RERUN_QUERY_CAP = 35  # 33 today (30 before milestones and sign-off); 36 before load_overview


@contextmanager
def counting_queries() -> Iterator[list[str]]:
    """Every SELECT any engine in this process sends (the app's own engine included)."""
    statements: list[str] = []

    def count(*args: Any) -> None:
        if args[2].lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append(args[2])

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", count)


def _rerun_queries(open_app: OpenApp) -> list[str]:
    at = open_app(EXECUTIVE)
    no_exception(at)
    with counting_queries() as statements:
        at.run()
    no_exception(at)
    return statements


def _add_actions(db: Engine, count: int) -> None:
    with session_scope(db, write=True) as session:
        template = session.exec(select(Action).where(Action.reference == "P2.3")).one()
        for number in range(count):
            session.add(
                Action(
                    reference=f"P2.{100 + number}",
                    title=f"Load test action {number}",
                    priority_id=template.priority_id,
                    workstream_id=template.workstream_id,
                    body_id=template.body_id,
                    owner_id=template.owner_id,
                    due_date=template.due_date,
                    rag="red" if number % 3 == 0 else "amber",
                )
            )


def test_an_overview_rerun_takes_a_fixed_small_number_of_queries(
    open_app: OpenApp, db: Engine
) -> None:
    at = datetime(2026, 9, 1, 9, tzinfo=UTC)
    add_update(db, "P1.1", rag="red", commentary="Off track.", at=at)
    before = _rerun_queries(open_app)
    assert len(before) <= RERUN_QUERY_CAP, "\n\n".join(before)

    _add_actions(db, 150)  # Red and Amber actions: every exception list grows
    after = _rerun_queries(open_app)
    assert len(after) == len(before), "\n\n".join(after)

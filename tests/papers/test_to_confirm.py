"""A paper on a plan whose seeded dates await confirmation: none overdue, "to be confirmed"."""

from __future__ import annotations

import io
from datetime import date

import docx
import pytest
from sqlalchemy import Engine, text

from tests.factories import ADMIN, actor
from tests.papers.scenario import generate
from tracker.db import session_scope
from tracker.services.papers import get_paper_file

MEETING = date(2026, 11, 18)  # SOB, after many seeded due dates


def _paper_text(engine: Engine, paper_id: int) -> str:
    with session_scope(engine) as session:
        content = get_paper_file(session, actor=actor(session, ADMIN), paper_id=paper_id).content
    document = docx.Document(io.BytesIO(content))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


@pytest.mark.parametrize("confirmed", [False, True])
def test_unconfirmed_due_dates_are_never_overdue_in_a_paper(
    engine: Engine, confirmed: bool
) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE action SET planning_confirmed = :c"), {"c": confirmed})
    info = generate(engine, "SOB", MEETING, by=ADMIN)
    shown = _paper_text(engine, info.id)
    if confirmed:
        assert info.summary["overdue"] and "Due date to be confirmed" not in shown
    else:
        assert info.summary["overdue"] == []
        assert "Due date to be confirmed" in shown

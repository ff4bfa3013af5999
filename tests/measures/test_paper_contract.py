"""The Improvement Board paper's measures table, filled from ``list_measure_summaries``.

``tracker/papers`` renders ``MeasureLine`` values; the gathering step builds them from the
summaries as below. This pins that a summary carries everything the table prints (baseline,
target, latest with its period, previous, direction of travel, rating, the owner's commentary)
in the form the renderer expects.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from tests.measures.conftest import M23, TODAY, enter, set_m23_targets
from tests.papers.factories import board_paper
from tests.papers.readback import reopen, table_after
from tracker.db import session_scope
from tracker.measure_rules import unit_suffix
from tracker.papers.model import MeasureLine
from tracker.services.measures import MeasureSummary, list_measure_summaries


def period_text(day: date | None) -> str:
    return f"{day.day} {day:%b %Y}" if day else ""


def measure_line(summary: MeasureSummary) -> MeasureLine:
    return MeasureLine(
        reference=summary.reference,
        wording=summary.wording,
        unit=unit_suffix(summary.unit),
        baseline=summary.baseline_value,
        target=summary.target_value,
        latest=summary.latest_value,
        previous=summary.previous_value,
        latest_period=summary.latest_period_label or period_text(summary.latest_period),
        direction_of_travel=summary.direction_of_travel,
        rag=summary.rag,
        commentary=summary.commentary or "",
    )


def test_the_paper_prints_m23_from_its_summary(sqlite_engine: Engine) -> None:
    set_m23_targets(sqlite_engine)
    enter(sqlite_engine, M23, date(2025, 9, 30), 35, note="September return")
    enter(sqlite_engine, M23, date(2025, 10, 31), 28, note="Two EP vacancies")
    with session_scope(sqlite_engine) as session:
        lines = tuple(measure_line(s) for s in list_measure_summaries(session, as_of=TODAY))

    document = reopen(board_paper("strategic", measures=lines))
    table = table_after(document, "Success measures")

    assert len(table.rows) == 36
    row = next(r for r in table.rows if r.cells[0].text == M23)
    texts = {
        name: cell.text
        for name, cell in zip([c.text for c in table.rows[0].cells], row.cells, strict=True)
    }
    assert texts["Baseline"] == "30%" and texts["Target"] == "60%"
    assert texts["Latest"] == "28% (31 Oct 2025)" and texts["Previous"] == "35%"
    assert "Deteriorating" in texts["Direction of travel"]
    assert texts["Rating"] == "Red"
    assert "Two EP vacancies" in texts["Measure"]
    m13 = next(r for r in table.rows if r.cells[0].text == "M1.3")
    assert m13.cells[2].text == "24,473"

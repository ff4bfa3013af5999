"""The Improvement Board paper's success measures table, as the real paper prints it.

A measure's values and targets are entered through the services, the Improvement Board's paper
is gathered from the database as the Board papers page previews it, rendered to Word and read
back: the table must carry what the measure's summary says (baseline, target, latest with its
period, previous, direction of travel, rating, the owner's note).
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import docx
from docx.table import Table
from sqlalchemy import Engine

from tests.conftest import GOVERNANCE_FILE
from tests.factories import actor
from tests.measures.conftest import M23, enter, set_m23_targets
from tests.papers.readback import after_heading, table_after
from tracker.db import session_scope
from tracker.governance import MeasuresConfig, load_governance
from tracker.papers import render_board_paper_bytes
from tracker.services.measures import add_milestone, sign_off_value
from tracker.services.papers import preview_paper

# Before the Board's 6 March 2026 paper deadline: a draft as at 15 January 2026.
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
MEETING = date(2026, 3, 17)


def test_the_improvement_board_paper_prints_m23_as_its_summary_says(
    sqlite_engine: Engine,
) -> None:
    set_m23_targets(sqlite_engine)
    enter(sqlite_engine, M23, date(2025, 9, 30), 35, note="September return")
    enter(sqlite_engine, M23, date(2025, 10, 31), 28, note="Two EP vacancies")
    with session_scope(sqlite_engine) as session:
        gathered = preview_paper(
            session,
            actor=actor(session, "send.pmo@example.org"),
            governance=load_governance(GOVERNANCE_FILE),
            board_ref="SIB",
            meeting_date=MEETING,
            now=NOW,
        )

    document = docx.Document(io.BytesIO(render_board_paper_bytes(gathered.paper)))
    table = table_after(document, "Success measures")

    # The header and the one measure with values; the other 34 are one line, not 34 empty rows.
    assert len(table.rows) == 2
    assert "34 measures have no value reported yet: M1.1" in "\n".join(
        p.text for p in document.paragraphs
    )
    row = next(r for r in table.rows if r.cells[0].text == M23)
    texts = {
        name: cell.text
        for name, cell in zip([c.text for c in table.rows[0].cells], row.cells, strict=True)
    }
    assert texts["Baseline"] == "30%" and texts["Target"] == "60%"
    # Nobody has signed it off yet: the paper says so beside the figure, and under the table.
    assert texts["Latest"] == "28% (31 Oct 2025, provisional)" and texts["Previous"] == "35%"
    assert "Provisional (not yet signed off by the measure's owner or performance lead): M2.3." in (
        "\n".join(p.text for p in document.paragraphs)
    )
    assert "Deteriorating" in texts["Direction of travel"]
    assert texts["Rating"] == "Red"
    assert "Two EP vacancies" in texts["Measure"]
    assert "M1.3" not in {r.cells[0].text for r in table.rows}  # no value yet: in the line


def test_the_paper_gives_milestones_with_actual_and_gap_and_final_figures_plainly(
    sqlite_engine: Engine,
) -> None:
    set_m23_targets(sqlite_engine)
    with session_scope(sqlite_engine, write=True) as session:
        add_milestone(
            session,
            actor=actor(session, "head.of.send@example.org"),
            reference=M23,
            due_date=date(2025, 10, 31),
            value=40,
            label="4 months",
        )
    enter(sqlite_engine, M23, date(2025, 9, 30), 35, by="send.pmo@example.org")
    enter(sqlite_engine, M23, date(2025, 10, 31), 37, by="send.pmo@example.org")
    with session_scope(sqlite_engine, write=True) as session:
        for day in (date(2025, 9, 30), date(2025, 10, 31)):
            sign_off_value(
                session,
                actor=actor(session, "head.of.send@example.org"),
                reference=M23,
                period_end=day,
                config=MeasuresConfig(),
            )
    with session_scope(sqlite_engine) as session:
        gathered = preview_paper(
            session,
            actor=actor(session, "send.pmo@example.org"),
            governance=load_governance(GOVERNANCE_FILE),
            board_ref="SIB",
            meeting_date=MEETING,
            now=NOW,
        )
    document = docx.Document(io.BytesIO(render_board_paper_bytes(gathered.paper)))
    measures = table_after(document, "Success measures")
    latest = [c.text for c in measures.rows[1].cells]
    assert "37% (31 Oct 2025)" in latest  # final: no "provisional"
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Every latest figure above is final (signed off)." in text
    # Under the measures table and its notes, the Milestones table (a subheading of its own).
    milestones = [b for b in after_heading(document, "Success measures") if isinstance(b, Table)][1]
    assert [c.text for c in milestones.rows[1].cells] == [
        M23,
        "31 Oct 2025 (4 months)",
        "40%",
        "37% (31 Oct 2025)",
        "3 points short",
    ]
    alt_texts = [
        d.get("descr", "") for d in document.element.body.iter() if d.tag.endswith("}docPr")
    ]
    assert any(
        "Trend of M2.3" in t and "trajectory through its milestones expected 40%" in t
        for t in alt_texts
    )


def test_a_paper_with_no_figures_claims_none_are_final(sqlite_engine: Engine) -> None:
    """Before any value is entered, the notes under the measures table do not say that every
    latest figure is final (there are none); one provisional figure is named on its own."""

    def paper_text() -> str:
        with session_scope(sqlite_engine) as session:
            gathered = preview_paper(
                session,
                actor=actor(session, "send.pmo@example.org"),
                governance=load_governance(GOVERNANCE_FILE),
                board_ref="SIB",
                meeting_date=MEETING,
                now=NOW,
            )
        document = docx.Document(io.BytesIO(render_board_paper_bytes(gathered.paper)))
        return "\n".join(p.text for p in document.paragraphs)

    assert "final" not in paper_text().split("Success measures", 1)[-1].split("Escalations")[0]
    enter(sqlite_engine, M23, date(2025, 10, 31), 37, by="send.pmo@example.org")
    text = paper_text()
    assert f"signed off by the measure's owner or performance lead): {M23}." in text
    assert "Every other latest figure is final" not in text

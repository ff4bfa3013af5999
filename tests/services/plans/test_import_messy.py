"""A messy plan gets one message per problem, with row, column and value, and writes nothing."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import col, select

from tests.importer.conftest import run_import
from tests.importer.sheets import (
    MESSY_KEPT,
    MESSY_PROBLEMS,
    MESSY_VALID,
    NEW_OWNER,
    messy_workbook,
)
from tracker.db import session_scope
from tracker.models import Action, ActionUpdate, Person
from tracker.services.operations import count_rows

MESSY = "messy-plan.xlsx"


def test_every_problem_is_reported_with_row_column_and_value(engine: Engine) -> None:
    report = run_import(engine, messy_workbook(), filename=MESSY)
    assert report.header_row == 5
    assert report.ignored_columns == ("Notes",)
    assert {p.row: p.column for p in report.problems} == MESSY_PROBLEMS
    by_row = {p.row: p for p in report.problems}
    assert by_row[7].value == "TBC" and "not a date" in by_row[7].message
    assert "duplicate reference P1.1" in by_row[8].message and "row 6" in by_row[8].message
    assert "e-mail missing" in by_row[9].message
    assert by_row[10].value == "31/02/2026" and "not a real calendar date" in by_row[10].message
    assert "formula" in by_row[11].message and by_row[11].value.startswith("=CONCATENATE")
    assert by_row[12].value == "EHCP Improvment"
    assert "did you mean 'EHCP Improvement'" in by_row[12].message
    assert {a.reference: a.row for a in report.actions} == MESSY_VALID | MESSY_KEPT
    assert str(by_row[7]) == (
        "Row 7, Due: not a date: it names no day; give the day it is due (31/03/2026, March "
        "2026 or Q4 2025/26); skipping problems, the action keeps its due date 31 Mar 2026 "
        "('TBC')"
    )
    assert report.kept_places == (("", 7),)


def test_short_codes_emoji_and_loose_names_are_read(engine: Engine) -> None:
    report = run_import(engine, messy_workbook(), filename=MESSY)
    changes = {a.reference: {c.field: c.new for c in a.changes} for a in report.actions}
    assert changes["P1.1"]["BRAG"] == "Green"
    assert changes["P1.1"]["Progress"] == "On track 🎉 three sessions delivered"
    assert changes["P2.3"]["BRAG"] == "Amber"
    # 'ehcp improvement' and 'Lancashire CC' name what P2.3 already has: no change.
    assert "Priority Workstream" not in changes["P2.3"]
    assert "Organisation" not in changes["P2.3"]
    assert changes["P2.4"]["Organisation"] == "Lancashire and South Cumbria ICB"
    assert changes["P2.4"]["Reports To"] == "SEND Transformation Board"
    assert changes["P3.1"]["BRAG"] == "Blue"
    assert changes["P3.1"]["Status"] == "Complete"  # Blue means complete
    assert [p.email for p in report.people] == [NEW_OWNER]


def test_a_file_with_problems_writes_nothing_even_when_committed(engine: Engine) -> None:
    before = count_rows(engine)
    report = run_import(engine, messy_workbook(), filename=MESSY, commit=True)
    assert not report.committed
    assert len(report.problems) == len(MESSY_PROBLEMS)
    assert count_rows(engine) == before


def test_skip_invalid_commits_the_valid_rows_only(engine: Engine) -> None:
    before = count_rows(engine)
    with session_scope(engine) as session:
        due_before = session.exec(select(Action).where(Action.reference == "P1.2")).one().due_date
        assert due_before is not None
    report = run_import(engine, messy_workbook(), filename=MESSY, commit=True, skip_invalid=True)
    assert report.committed
    assert report.problem_rows == tuple(sorted(MESSY_PROBLEMS))
    after = count_rows(engine)
    taken = MESSY_VALID | MESSY_KEPT
    assert after["action_update"] == before["action_update"] + len(taken)
    assert after["person"] == before["person"] + 1
    assert after["action"] == before["action"]
    with session_scope(engine) as session:
        updated = session.exec(
            select(Action.reference)
            .join(ActionUpdate, col(ActionUpdate.action_id) == col(Action.id))
            .order_by(col(Action.reference))
        ).all()
        assert updated == sorted(taken)
        untouched = session.exec(
            select(Action.version).where(
                col(Action.reference).in_(["P1.3", "P1.4", "P2.1", "P2.2"])
            )
        ).all()
        assert set(untouched) == {1}
        p24 = session.exec(select(Action).where(Action.reference == "P2.4")).one()
        owner = session.get(Person, p24.owner_id)
        assert owner is not None and (owner.email, owner.name) == (NEW_OWNER, "New Owner")
        assert (p24.rag, p24.latest_commentary) == ("red", "Off track: no analyst")
        # 'TBC' as its due date: P1.2's rating is taken, its due date kept as it was.
        p12 = session.exec(select(Action).where(Action.reference == "P1.2")).one()
        assert (p12.rag, p12.due_date) == ("amber", due_before)

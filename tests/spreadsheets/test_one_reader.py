"""Plan import and measure-value import read workbooks through one reader, so a cell Excel
never calculated (a formula saved by a program that does not calculate) reads the same in both."""

from __future__ import annotations

from sqlalchemy import Engine

from tests.factories import ADMIN, actor
from tests.measures.conftest import TODAY
from tests.spreadsheets.workbooks import build_xlsx
from tracker.db import session_scope
from tracker.services.measures import import_measure_values
from tracker.spreadsheets import read_plan

FORMULA_MESSAGE = "formula without a calculated value"


def test_an_uncalculated_formula_reads_the_same_in_the_plan_and_the_measure_import(
    sqlite_engine: Engine,
) -> None:
    # openpyxl writes formulas without a saved value, as such programs do.
    plan = build_xlsx(
        [
            ["Ref", "Priority", "Action", "Owner", "Owner E-mail", "Lead Org", "Due", "RAG"],
            ["P1.1", 1, "=A1&A1", "Head of SEND", "head@example.org", "LCC", "31/03/2026", "G"],
        ]
    )
    values = build_xlsx(
        [["Measure", "Period", "Value"], ["M2.3", "30/09/2025", "=10*3"]], title="Values"
    )

    plan_errors = [
        (e.row, e.column, e.message) for e in read_plan(plan, filename="plan.xlsx").errors
    ]
    with session_scope(sqlite_engine, write=True) as session:
        imported = import_measure_values(
            session,
            actor=actor(session, ADMIN),
            source=values,
            filename="values.xlsx",
            commit=False,
            today=TODAY,
        )

    assert plan_errors == [(2, "Action", FORMULA_MESSAGE)]
    assert [(p.row, p.column, p.message, p.value) for p in imported.problems] == [
        (2, "Value", FORMULA_MESSAGE, "=10*3")
    ]
    assert imported.rows == ()

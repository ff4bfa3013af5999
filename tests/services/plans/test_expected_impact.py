"""Expected impact through the plan spreadsheet: exported in its own column, read back by the
import (a change is listed in the dry run and audited on commit), and a workbook without the
column imports as before, keeping what is stored."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
from sqlalchemy import Engine
from sqlmodel import col, select

from tests.factories import OPERATOR
from tracker.db import session_scope
from tracker.models import Action, AuditLog
from tracker.services.plans import export_register, import_plan

TODAY = date(2026, 11, 20)


def _exported(engine: Engine) -> openpyxl.Workbook:
    with session_scope(engine, write=True) as session:
        file = export_register(session, actor=OPERATOR, today=TODAY)
    return openpyxl.load_workbook(io.BytesIO(file.content))


def _set(engine: Engine, reference: str, text: str) -> None:
    with session_scope(engine, write=True) as session:
        action = session.exec(select(Action).where(Action.reference == reference)).one()
        action.expected_impact = text


def _save(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_expected_impact_goes_out_and_comes_back(engine: Engine) -> None:
    _set(engine, "P2.3", "Families get a plan within 20 weeks.")
    book = _exported(engine)
    sheet = book["Action register"]
    header = [c.value for c in sheet[1]]
    column = header.index("Expected Impact") + 1
    assert "Latest Impact" in header
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == "P2.3")
    assert sheet.cell(row, column).value == "Families get a plan within 20 weeks."
    sheet.cell(row, column).value = "Families know within 6 weeks whether a plan will be issued."
    data = _save(book)
    with session_scope(engine, write=True) as session:
        dry = import_plan(session, actor=OPERATOR, source=data, filename="plan.xlsx")
        assert [p.reference for p in dry.with_outcome("update")] == ["P2.3"]
    with session_scope(engine, write=True) as session:
        import_plan(session, actor=OPERATOR, source=data, filename="plan.xlsx", commit=True)
    with session_scope(engine) as session:
        stored = session.exec(select(Action).where(Action.reference == "P2.3")).one()
        trail = session.exec(
            select(AuditLog.old, AuditLog.new).where(col(AuditLog.field) == "expected_impact")
        ).all()
    assert stored.expected_impact == "Families know within 6 weeks whether a plan will be issued."
    assert trail == [
        (
            "Families get a plan within 20 weeks.",
            "Families know within 6 weeks whether a plan will be issued.",
        )
    ]


def test_an_old_workbook_without_the_column_keeps_what_is_stored(engine: Engine) -> None:
    _set(engine, "P2.3", "Families get a plan within 20 weeks.")
    book = _exported(engine)
    sheet = book["Action register"]
    header = [c.value for c in sheet[1]]
    sheet.delete_cols(header.index("Expected Impact") + 1, 2)  # and Latest Impact
    with session_scope(engine, write=True) as session:
        report = import_plan(
            session, actor=OPERATOR, source=_save(book), filename="old.xlsx", commit=True
        )
        assert not report.problems
    with session_scope(engine) as session:
        stored = session.exec(select(Action).where(Action.reference == "P2.3")).one()
    assert stored.expected_impact == "Families get a plan within 20 weeks."

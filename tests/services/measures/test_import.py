"""Loading measure values from a spreadsheet: all or nothing, each problem named by row, column."""

from __future__ import annotations

import io
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from tests.conftest import FIXTURES
from tests.factories import ADMIN, HEAD_OF_SEND, actor
from tests.measures.conftest import M23, TODAY, audit_rows, enter
from tracker.db import session_scope
from tracker.models import MeasureValue
from tracker.services.measures import MeasureImport, import_measure_values
from tracker.spreadsheets.reader import SpreadsheetError

GOOD_CSV = FIXTURES / "measure-values.csv"


def run_import(
    engine: Engine, source: Any, filename: str, *, commit: bool = False, by: str = ADMIN
) -> MeasureImport:
    with session_scope(engine, write=True) as session:
        return import_measure_values(
            session,
            actor=actor(session, by),
            source=source,
            filename=filename,
            commit=commit,
            today=TODAY,
        )


def value_count(engine: Engine) -> int:
    with session_scope(engine) as session:
        return len(session.exec(select(MeasureValue.id)).all())


def workbook(rows: list[list[Any]], *, percent_cells: tuple[str, ...] = ()) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for cell in percent_cells:
        sheet[cell].number_format = "0%"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(text: str) -> bytes:
    return text.strip().encode("utf-8")


@pytest.mark.postgres
def test_good_file_is_a_dry_run_until_committed(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "measure-values.csv"
    shutil.copyfile(GOOD_CSV, path)

    dry = run_import(engine, path, path.name)

    assert dry.ok and not dry.committed
    assert [(r.row, r.reference, r.period_end, r.value, r.change) for r in dry.rows] == [
        (2, M23, date(2025, 9, 30), 35, "new"),
        (3, M23, date(2025, 10, 31), 28, "new"),
        (4, "M1.3", date(2025, 12, 31), 24980, "new"),
    ]
    assert value_count(engine) == 0

    done = run_import(engine, path, path.name, commit=True)

    assert done.ok and done.committed and done.count("new") == 3
    with session_scope(engine) as session:
        stored = session.exec(select(MeasureValue).order_by(col(MeasureValue.period_end))).all()
    assert [(r.period_end, r.value, r.note) for r in stored] == [
        (date(2025, 9, 30), 35, "September statutory return"),
        (date(2025, 10, 31), 28, "Two EP vacancies; agency cover from January"),
        (date(2025, 12, 31), 24980, "Autumn census"),
    ]
    assert {r.reason for r in audit_rows(engine, M23)} == {"imported from measure-values.csv"}


def test_workbook_with_title_rows_aliases_real_dates_and_percent_cells(
    sqlite_engine: Engine,
) -> None:
    data = workbook(
        [
            ["Success measures return: Q3 2025/26"],
            [],
            ["KPI Ref", "Month", "Result", "Comments", "Period label"],
            ["M2.3", datetime(2025, 11, 30), 0.315, "Improving", "Nov 2025"],
            ["m2.4", "Sep 2025", 0.6, None, None],
        ],
        percent_cells=("C4", "C5"),
    )

    result = run_import(sqlite_engine, data, "return.xlsx", commit=True)

    assert result.ok, [str(p) for p in result.problems]
    assert [(r.reference, r.period_end, r.period_label) for r in result.rows] == [
        (M23, date(2025, 11, 30), "Nov 2025"),
        ("M2.4", date(2025, 9, 30), None),
    ]
    assert [r.value for r in result.rows] == [pytest.approx(31.5), pytest.approx(60)]
    assert result.sheet == "Sheet"


def test_a_stored_period_is_a_correction_and_shows_the_old_value(sqlite_engine: Engine) -> None:
    enter(sqlite_engine, M23, date(2025, 9, 30), 33)
    text = "Measure,Period,Value,Note\nM2.3,30/09/2025,35,Revised return\nM2.3,31/10/2025,28,\n"

    result = run_import(sqlite_engine, csv_bytes(text), "values.csv")

    assert [(r.change, r.old_value) for r in result.rows] == [("correction", 33), ("new", None)]


BAD_ROWS = """
Measure,Period,Value,Note
M2.3,30/09/2025,35,fine
M9.9,30/09/2025,35,unknown measure
M2.3,31/09/2025,35,no such day
M2.3,Michaelmas,35,not a date
M2.4,30/09/2025,about 40,not a number
M2.4,30/09/2025,140,too big
M1.3,30/09/2025,35%,percent for a count
M2.3,30/09/2025,36,duplicate of row 2
M2.3,28/02/2026,40,future
,31/10/2025,40,no measure
M2.5,31/10/2025,,no value
"""


@pytest.mark.postgres
def test_bad_rows_are_each_named_and_nothing_is_written(engine: Engine) -> None:
    result = run_import(engine, csv_bytes(BAD_ROWS), "bad.csv", commit=True)

    assert not result.ok and not result.committed and result.rows == ()
    messages = [str(p) for p in result.problems]
    assert messages == [
        "Row 3, Measure: no success measure has this reference ('M9.9')",
        "Row 4, Period: not a real calendar date (use 30/09/2025, 2025-09-30, or a month such as"
        " Sep 2025 for its last day) ('31/09/2025')",
        "Row 5, Period: not a date (use 30/09/2025, 2025-09-30, or a month such as Sep 2025 for"
        " its last day) ('Michaelmas')",
        "Row 6, Value: is not a number ('about 40')",
        "Row 7, Value: a percentage must be between 0 and 100 ('140')",
        "Row 8, Value: is a percentage, but this measure is a count ('35%')",
        "Row 9, Period: M2.3 for 30 Sep 2025 is also in row 2 ('30/09/2025')",
        "Row 10, Period: the period ending 28 Feb 2026 has not ended yet (today is 15 Jan 2026)"
        " ('28/02/2026')",
        "Row 11, Measure: the measure reference (such as M2.3) is missing",
        "Row 12, Value: enter a value",
    ]
    assert value_count(engine) == 0
    assert audit_rows(engine, M23) == []


def test_an_owner_may_import_only_their_own_measures(sqlite_engine: Engine) -> None:
    text = "Measure,Period,Value\nM2.3,30/09/2025,35\nM3.1,30/09/2025,60\n"

    result = run_import(sqlite_engine, csv_bytes(text), "mine.csv", commit=True, by=HEAD_OF_SEND)

    assert [str(p) for p in result.problems] == [
        "Row 3, Measure: you may not enter values for M3.1 (not its owner) ('M3.1')"
    ]
    assert value_count(sqlite_engine) == 0


def test_excel_errors_in_cells_are_reported(sqlite_engine: Engine) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Measure", "Period", "Value"])
    sheet.append(["M2.3", "30/09/2025", "#DIV/0!"])
    sheet["C2"].data_type = "e"
    buffer = io.BytesIO()
    book.save(buffer)

    result = run_import(sqlite_engine, buffer.getvalue(), "errors.xlsx")

    assert [str(p) for p in result.problems] == ["Row 2, Value: Excel error value ('#DIV/0!')"]


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"Ref;Title\nP1;Thing\n", "values.csv", "no header row found in values.csv"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "old.xls", "not a spreadsheet we read"),
        (b"Measure,Period,Value\n", "renamed.xlsx", "is not an Excel workbook"),
        (b"PK\x03\x04 not really a zip", "values.csv", "is an Excel workbook, not a CSV"),
        (b"", "empty.csv", "is empty"),
        (b"Measure,Period,Value\n", "notes.txt", "not a spreadsheet we read"),
    ],
)
def test_unreadable_files_are_refused_whole(
    sqlite_engine: Engine, data: bytes, filename: str, message: str
) -> None:
    with pytest.raises(SpreadsheetError, match=message):
        run_import(sqlite_engine, data, filename)


def test_a_workbook_without_the_three_columns_names_them(sqlite_engine: Engine) -> None:
    data = workbook([["Measure", "Value"], ["M2.3", 35]])
    with pytest.raises(SpreadsheetError, match="columns named Measure, Period and Value"):
        run_import(sqlite_engine, data, "partial.xlsx")


def _stored(engine: Engine) -> list[tuple[float | None, str | None, str | None, str]]:
    with session_scope(engine) as session:
        rows = session.exec(select(MeasureValue).order_by(col(MeasureValue.period_end))).all()
        return [(r.value, r.source, r.caveat, r.status) for r in rows]


def test_source_and_caveat_columns_are_stored_and_kept_when_a_file_leaves_them_out(
    engine: Engine,
) -> None:
    with_quality = csv_bytes(
        "Measure,Period,Value,Source,Caveat\nM2.3,30/09/2025,35,EHCP system,Excludes transfers in\n"
    )
    assert run_import(engine, with_quality, "values.csv", commit=True).ok
    assert _stored(engine) == [(35.0, "EHCP system", "Excludes transfers in", "provisional")]

    plain = csv_bytes("Measure,Period,Value\nM2.3,30/09/2025,35\n")
    again = run_import(engine, plain, "values.csv")
    assert [r.change for r in again.rows] == ["unchanged"]
    corrected = csv_bytes("Measure,Period,Value\nM2.3,30/09/2025,36\n")
    assert run_import(engine, corrected, "values.csv", commit=True).ok
    assert _stored(engine) == [(36.0, "EHCP system", "Excludes transfers in", "provisional")]


def test_a_source_too_long_is_a_row_problem(engine: Engine) -> None:
    text = csv_bytes(f"Measure,Period,Value,Source\nM2.3,30/09/2025,35,{'x' * 301}\n")
    result = run_import(engine, text, "values.csv", commit=True)
    assert not result.ok
    [problem] = result.problems
    assert (problem.row, problem.column) == (2, "Source")
    assert value_count(engine) == 0

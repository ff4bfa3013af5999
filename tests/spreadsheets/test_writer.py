"""Exports open formatted, and no user text can run as a formula in Excel or LibreOffice."""

from __future__ import annotations

import csv
import io
import re
import time
import zipfile
from collections.abc import Sequence
from datetime import date
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from tracker.spreadsheets import ColumnSpec, SheetSpec, write_csv, write_xlsx

COLUMNS = (
    ColumnSpec("Ref", "text", 8),
    ColumnSpec("Priority", "int", 9),
    ColumnSpec("Target Date", "date", 12),
    ColumnSpec("RAG", "rag", 9),
    ColumnSpec("Latest Update", "text", 60),
)
DANGEROUS = [
    '=HYPERLINK("http://evil.example","click")',
    "+1",
    "-2",
    "@SUM(A1)",
    "\tx",
    "\r=cmd",
]


def _sheet(rows: Sequence[tuple[object, ...]], **extra: Any) -> SheetSpec:
    return SheetSpec(title="Register", columns=COLUMNS, rows=rows, **extra)


def _open(data: bytes, *, data_only: bool = False) -> Worksheet:
    book = openpyxl.load_workbook(io.BytesIO(data), data_only=data_only)
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    return sheet


def test_text_that_would_start_a_formula_is_neutralised_in_xlsx() -> None:
    rows: list[tuple[object, ...]] = [
        (f"P1.{n}", 1, None, None, text) for n, text in enumerate(DANGEROUS, start=1)
    ]
    rows.append(("=1+1", None, None, "=2+2", "fine"))
    data = write_xlsx([_sheet(rows)])
    sheet = _open(data)
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert all(cell.data_type != "f" for cell in cells)
    shown = [sheet.cell(row=n, column=5).value for n in range(2, 2 + len(DANGEROUS))]
    assert shown == ["'" + text for text in DANGEROUS]
    assert (sheet["A8"].value, sheet["D8"].value) == ("'=1+1", "'=2+2")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert not re.search(rb"<f[\s>]", archive.read("xl/worksheets/sheet1.xml"))


def test_text_that_would_start_a_formula_is_neutralised_in_csv() -> None:
    rows = [(f"P1.{n}", -3, None, None, text) for n, text in enumerate(DANGEROUS, start=1)]
    data = write_csv(_sheet(rows))
    assert data.startswith(b"\xef\xbb\xbf")
    records = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert records[0] == ["Ref", "Priority", "Target Date", "RAG", "Latest Update"]
    assert [record[4] for record in records[1:]] == ["'" + text for text in DANGEROUS]
    assert records[1][1] == "-3"  # a real number is not text and cannot run


def test_characters_xml_forbids_are_dropped_and_emoji_kept() -> None:
    rows = [("P1.1", 1, None, "red", "bell\x07 null\x00 \ufffe done 🎉")]
    sheet = _open(write_xlsx([_sheet(rows)]))
    assert sheet["E2"].value == "bell null  done 🎉"
    csv_text = write_csv(_sheet(rows)).decode("utf-8-sig")
    assert "bell null  done 🎉" in csv_text


def test_xlsx_is_formatted_for_people() -> None:
    rows = [
        ("P1.1", 1, date(2026, 3, 31), "red", "Recruitment delayed " * 10),
        ("P1.2", 1, date(2026, 4, 1), "blue", None),
        ("P1.3", 1, None, "purple", "unknown rating is shown, not lost"),
    ]
    sheet = _open(write_xlsx([_sheet(rows)]))
    assert sheet.title == "Register"
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:E4"
    assert sheet.column_dimensions["E"].width == 60
    assert sheet.column_dimensions["A"].width == 8
    assert sheet["C2"].value.date() == date(2026, 3, 31)
    assert sheet["C2"].is_date and sheet["C2"].number_format == "dd/mm/yyyy"
    assert sheet["B2"].value == 1
    assert (sheet["D2"].value, sheet["D2"].fill.fgColor.rgb[-6:]) == ("Red", "C00000")
    assert (sheet["D3"].value, sheet["D3"].fill.fgColor.rgb[-6:]) == ("Blue", "0070C0")
    assert sheet["D4"].value == "purple"
    assert sheet["D4"].fill.fill_type is None
    assert sheet["E2"].alignment.wrap_text is True
    assert sheet.row_dimensions[2].height > 15  # long text gets room for its lines


def test_rag_colours_and_words_come_from_the_spec() -> None:
    spec = _sheet(
        [("P1.1", 1, None, "green", None)],
        rag_colours={"green": "#123456"},
        rag_labels={"green": "On track"},
    )
    sheet = _open(write_xlsx([spec]))
    assert (sheet["D2"].value, sheet["D2"].fill.fgColor.rgb[-6:]) == ("On track", "123456")


def test_several_sheets_get_valid_unique_titles() -> None:
    specs = [
        SheetSpec(title="Actions: 2025/26 [draft]?", columns=COLUMNS[:1], rows=[("P1.1",)]),
        SheetSpec(title="Actions- 2025-26 -draft--", columns=COLUMNS[:1], rows=[]),
        SheetSpec(title="", columns=COLUMNS[:1], rows=[]),
    ]
    book = openpyxl.load_workbook(io.BytesIO(write_xlsx(specs)))
    assert book.sheetnames == [
        "Actions- 2025-26 -draft--",
        "Actions- 2025-26 -draft-- (2)",
        "Sheet",
    ]


def test_very_long_text_is_cut_to_what_excel_can_hold() -> None:
    sheet = _open(write_xlsx([_sheet([("P1.1", 1, None, None, "x" * 40_000)])]))
    assert len(sheet["E2"].value) == 32_766


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: ColumnSpec("Odd", "money"), "unknown kind"),  # type: ignore[arg-type]
        (lambda: ColumnSpec("Wide", "text", 0), "width"),
        (lambda: _sheet([], rag_colours={"red": "red"}), "#RRGGBB"),
        (lambda: SheetSpec(title="Empty", columns=(), rows=[]), "no columns"),
        (lambda: write_xlsx([_sheet([("P1.1", 1)])]), "row 1 has 2 values for 5 columns"),
        (lambda: write_csv(_sheet([("P1.1",)])), "row 1 has 1 values"),
        (lambda: write_xlsx([]), "at least one sheet"),
    ],
)
def test_programming_mistakes_are_named(make: object, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        make()  # type: ignore[operator]


def test_ten_thousand_rows_write_in_well_under_ten_seconds() -> None:
    rows = [
        (f"P{n // 100 + 1}.{n % 100 + 1}", n // 100 + 1, date(2026, 1, 1), "amber", "Update " * 20)
        for n in range(10_000)
    ]
    started = time.perf_counter()
    data = write_xlsx([_sheet(rows)])
    elapsed = time.perf_counter() - started
    assert elapsed < 10
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        sheet = book.active
        assert sheet is not None
        assert len(list(sheet.iter_rows(values_only=True))) == 10_001
    finally:
        book.close()

"""Plans as teams keep them: fill colours, theme tints, merged cells, sheet names, date forms."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Color, PatternFill

from tests.conftest import GOVERNANCE_FILE
from tests.spreadsheets.workbooks import replace_in_part
from tracker.governance import load_governance
from tracker.services.plans._importer import rag_colours_of
from tracker.spreadsheets import DEFAULT_RAG_COLOURS, SpreadsheetError, read_plan
from tracker.spreadsheets.colours import apply_tint, fill_colour, match_rag, theme_colours
from tracker.spreadsheets.dates import NotADate, read_due_date


def _book(*sheets: tuple[str, list[list[object]]]) -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    default = book.active
    assert default is not None
    book.remove(default)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    return book


def _bytes(book: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _fill(book: openpyxl.Workbook, sheet: str, cell: str, fill: PatternFill) -> None:
    book[sheet][cell].fill = fill


def solid(rgb: str | None = None, *, theme: int | None = None, tint: float = 0.0) -> PatternFill:
    colour = Color(rgb=rgb) if rgb else Color(theme=theme, tint=tint)
    return PatternFill(fill_type="solid", fgColor=colour)


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("March 2026", date(2026, 3, 31)),
        ("Sept 2026", date(2026, 9, 30)),
        ("Mar-26", date(2026, 3, 31)),
        ("Feb 2028", date(2028, 2, 29)),
        ("end of March 2026", date(2026, 3, 31)),
        ("Q1 2025/26", date(2025, 6, 30)),
        ("Q2 2025/26", date(2025, 9, 30)),
        ("Q3 2025/26", date(2025, 12, 31)),
        ("Q4 2025/26", date(2026, 3, 31)),
        ("2025/26 Q3", date(2025, 12, 31)),
        ("Q4 2025-2026", date(2026, 3, 31)),
    ],
)
def test_months_and_financial_quarters_are_their_last_day(text: str, day: date) -> None:
    reading = read_due_date(text)
    assert reading is not None and reading.day == day and reading.read_as is not None


@pytest.mark.parametrize("text", ["31.03.2026", "31/03/2026", "31 March 2026", "2026-03-31"])
def test_plain_day_dates_are_read_without_a_note(text: str) -> None:
    assert read_due_date(text) == read_due_date(date(2026, 3, 31))


@pytest.mark.parametrize("text", ["Spring term 2026", "Ongoing", "TBC", "n/a", "N/A"])
def test_terms_and_words_naming_no_day_are_not_dates(text: str) -> None:
    with pytest.raises(NotADate):
        read_due_date(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [("Q3 2025", "without its financial year"), ("Q3 2025/27", "not a financial year")],
)
def test_ambiguous_quarters_are_refused_not_guessed(text: str, message: str) -> None:
    with pytest.raises(Exception, match=message):
        read_due_date(text)


# --- colours ---------------------------------------------------------------------------------


def test_excel_tints_are_applied_as_excel_shows_them() -> None:
    # The palette's "Orange, Accent 2, Lighter 80%" and "Green, Accent 6, Darker 25%".
    assert apply_tint("ED7D31", 0.7999816888943144) == "FBE5D6"
    assert apply_tint("70AD47", -0.249977111117893) == "548235"


@pytest.mark.parametrize(
    ("rgb", "rag"),
    [
        ("FF0000", "red"),
        ("FFC7CE", "red"),  # the Bad style
        ("FFC000", "amber"),
        ("FFEB9C", "amber"),  # the Neutral style
        ("00B050", "green"),
        ("C6EFCE", "green"),  # the Good style
        ("0070C0", "blue"),
        ("7030A0", None),  # purple
        ("D9D9D9", None),  # grey is no rating
    ],
)
def test_nearest_table_colour_within_tolerance(rgb: str, rag: str | None) -> None:
    assert match_rag(rgb, DEFAULT_RAG_COLOURS) == rag


def test_theme_colours_come_from_the_workbook_theme() -> None:
    data = _bytes(_book(("Plan", [["Ref", "Action"]])))
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    theme = theme_colours(book.loaded_theme)
    book.close()
    assert theme[9] == "F79646"  # openpyxl writes the Office 2007 theme: accent 6 is orange
    assert fill_colour(solid(theme=9), theme) == "F79646"
    assert fill_colour(solid(theme=6, tint=0.3999), theme) == "C3D69B"


def test_rag_typed_in_words_wins_over_its_colour_and_the_disagreement_is_noted() -> None:
    book = _book(("Plan", [["Ref", "Action", "RAG"], ["P1.1", "One", "Green"], ["P1.2", "Two"]]))
    _fill(book, "Plan", "C2", solid("FF0000"))
    _fill(book, "Plan", "C3", solid("FFC000"))
    plan = read_plan(_bytes(book), filename="plan.xlsx")
    assert [(row.reference, row.rag) for row in plan.rows] == [("P1.1", "green"), ("P1.2", "amber")]
    assert [(n.row, n.column, n.value, n.message) for n in plan.notes] == [
        (
            2,
            "RAG",
            "#FF0000",
            "the fill colour reads as Red but the cell says Green: the words are taken",
        ),
        (3, "RAG", "#FFC000", "fill colour read as Amber"),
    ]


def test_the_colour_table_in_governance_yaml_replaces_the_defaults(tmp_path: Path) -> None:
    text = GOVERNANCE_FILE.read_text(encoding="utf-8")
    text = text.replace("rag_fill_colours:\n  tolerance: 70", "rag_fill_colours:\n  tolerance: 10")
    assert "tolerance: 10" in text
    text = text.replace('  red:\n    - "#FF0000"', '  red:\n    - "#7030A0"\n    - "#FF0000"')
    path = tmp_path / "governance.yaml"
    path.write_text(text, encoding="utf-8")
    table = rag_colours_of(load_governance(path))
    assert table.tolerance == 10
    book = _book(("Plan", [["Ref", "Action", "Status"], ["P1.1", "One"], ["P1.2", "Two"]]))
    _fill(book, "Plan", "C2", solid("7030A0"))  # purple: red in this partnership
    _fill(book, "Plan", "C3", solid("FF3333"))  # a red beyond a tolerance of 10
    plan = read_plan(_bytes(book), filename="plan.xlsx", rag_colours=table)
    assert [(row.reference, row.rag) for row in plan.rows] == [("P1.1", "red")]
    assert [(e.row, e.column, e.value) for e in plan.errors] == [(3, "Status", "#FF3333")]


def test_the_shipped_colour_table_is_the_importers_default() -> None:
    table = rag_colours_of(load_governance(GOVERNANCE_FILE))
    assert table == DEFAULT_RAG_COLOURS


# --- sheets and merged cells -----------------------------------------------------------------


def test_every_mapping_sheet_is_read_and_the_others_are_skipped_with_the_reason() -> None:
    book = _book(
        ("Cover", [["Our SEND plan"]]),
        ("P2", [["No", "Action"], ["2.1", "Two one"], [3, "Two three"]]),
        ("3. Preparing for adulthood", [["Ref", "Action"], ["1", "Three one"]]),
        ("Measures", [["Ref", "Measure", "Target Date"], ["M1", "Waits", "31/03/2026"]]),
    )
    hidden = book.create_sheet("Old plan")
    hidden.append(["Ref", "Action"])
    hidden.append(["P9.9", "Old"])
    hidden.sheet_state = "hidden"
    plan = read_plan(_bytes(book), filename="plan.xlsx")
    assert [(row.sheet, row.row, row.reference) for row in plan.rows] == [
        ("P2", 2, "P2.1"),
        ("P2", 3, "P2.3"),
        ("3. Preparing for adulthood", 2, "P3.1"),
    ]
    assert [(s.name, s.priority, s.rows_read) for s in plan.sheets] == [
        ("P2", 2, 2),
        ("3. Preparing for adulthood", 3, 1),
    ]
    assert {s.name: s.reason.split(":")[0] for s in plan.skipped} == {
        "Cover": "no header row naming plan columns (such as Ref and Action) in its first 30 rows",
        "Measures": "no action column",
        "Old plan": "hidden in Excel (name it to read it)",
    }
    only = read_plan(_bytes(book), filename="plan.xlsx", sheets=["old plan"])
    assert [row.reference for row in only.rows] == ["P9.9"]


def test_bare_numbers_are_references_only_when_the_priority_is_known() -> None:
    book = _book(("Actions", [["No.", "Action"], ["2.3", "Bare"], [3, "Lone"]]))
    plan = read_plan(_bytes(book), filename="plan.xlsx")
    assert plan.rows == ()
    assert [(e.row, e.value) for e in plan.errors] == [(2, "2.3"), (3, "3")]


def test_a_merged_priority_cell_and_a_merged_status_colour_apply_to_every_row() -> None:
    book = _book(
        (
            "Actions",
            [
                ["Priority", "Ref", "Action", "Progress"],
                ["Priority 4: Health", "1", "First", "Delayed"],
                [None, "2", "Second", None],
                [None, "3", "Third", None],
                ["Priority 5", "1", "Fourth", None],
            ],
        )
    )
    sheet = book["Actions"]
    sheet.merge_cells("A2:A4")
    sheet.merge_cells("D2:D3")
    sheet["D2"].fill = solid("FF0000")
    sheet["D4"].fill = solid("00B050")
    plan = read_plan(_bytes(book), filename="plan.xlsx")
    assert [(row.reference, row.rag) for row in plan.rows] == [
        ("P4.1", "red"),
        ("P4.2", "red"),
        ("P4.3", "green"),
        ("P5.1", None),
    ]
    assert plan.errors == ()


def test_a_priority_merged_beside_the_rows_or_written_above_them() -> None:
    book = _book(
        (
            "Actions",
            [
                [None, "Ref", "Action"],
                ["Priority 1", "1", "Beside one"],
                [None, "2", "Beside two"],
                ["Priority 2: Meeting needs"],
                [None, "1", "Below the heading"],
            ],
        )
    )
    book["Actions"].merge_cells("A2:A3")
    book["Actions"].merge_cells("A4:C4")
    plan = read_plan(_bytes(book), filename="plan.xlsx")
    assert [row.reference for row in plan.rows] == ["P1.1", "P1.2", "P2.1"]


def test_duplicates_across_sheets_name_the_other_sheet() -> None:
    book = _book(
        ("P1", [["Ref", "Action"], ["P1.1", "One"]]),
        ("P1 again", [["Ref", "Action"], ["P1.1", "Again"]]),
    )
    plan = read_plan(_bytes(book), filename="plan.xlsx")
    assert [(e.sheet, e.row, e.message) for e in plan.errors] == [
        ("P1 again", 2, "duplicate reference P1.1: also on row 2 of sheet 'P1'")
    ]
    assert str(plan.errors[0]).startswith("Sheet 'P1 again', row 2, Ref: duplicate")


def test_no_sheet_holding_a_plan_lists_each_sheet_and_why() -> None:
    book = _book(("Cover", [["Plan"]]), ("Owners", [["Action", "Lead Officer"], ["Do", "Me"]]))
    with pytest.raises(SpreadsheetError, match=r"'Cover': no header row.*'Owners': no reference"):
        read_plan(_bytes(book), filename="plan.xlsx")


def test_a_due_date_excel_shows_as_a_month_means_the_months_end() -> None:
    book = _book(
        (
            "Plan",
            [
                ["Ref", "Action", "Start", "Due"],
                ["P1.1", "Typed Mar-26", date(2026, 1, 1), date(2026, 3, 1)],
                ["P1.2", "A real day", date(2026, 1, 1), date(2026, 3, 1)],
            ],
        )
    )
    book["Plan"]["D2"].number_format = "mmm-yy"
    book["Plan"]["C2"].number_format = "mmm-yy"  # a start date keeps its day
    plan = read_plan(_bytes(book), filename="plan.xlsx")
    assert [(r.start_date, r.due_date) for r in plan.rows] == [
        (date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 1, 1), date(2026, 3, 1)),
    ]
    assert [(n.row, n.value, n.message) for n in plan.notes] == [
        (2, "Mar-26", "read as 31 Mar 2026 (end of March 2026)")
    ]


def test_a_sheet_named_for_one_priority_never_overrides_a_reference_naming_another() -> None:
    book = _book(("P1 actions", [["Ref", "Action"], ["P2.3", "Named"], ["4", "Bare"]]))
    plan = read_plan(_bytes(book), filename="plan.xlsx")
    assert [(row.reference, row.priority) for row in plan.rows] == [("P2.3", 2), ("P1.4", 1)]
    assert plan.errors == ()


def test_overlapping_merged_ranges_cannot_multiply_the_work() -> None:
    book = _book(("Plan", [["Ref", "Action"], *[[f"P1.{n}", "Act"] for n in range(1, 501)]]))
    data = _bytes(book)
    ranges = "".join('<mergeCell ref="B2:B501"/>' for _ in range(2500))
    data = replace_in_part(
        data,
        "xl/worksheets/sheet1.xml",
        r"</sheetData>",
        f'</sheetData><mergeCells count="2500">{ranges}</mergeCells>',
    )
    with pytest.raises(SpreadsheetError, match="more merged cells than a plan could hold"):
        read_plan(data, filename="plan.xlsx")

"""Reading action plans as teams keep them: the sample workbook, messy sheets and CSV files."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from tests.spreadsheets.workbooks import build_xlsx, cache_formula_value, replace_in_part
from tracker.models import ActionStatus, Rag
from tracker.spreadsheets import PlanSheet, RowError, SpreadsheetError, read_plan

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "send-action-plan-sample.xlsx"
SAMPLE_HEADERS = {
    "reference": "Ref",
    "priority": "Priority",
    "title": "Action",
    "owner_name": "Lead Officer",
    "owner_email": "Lead Officer Email",
    "lead_organisation": "Lead Organisation",
    "workstream": "Workstream",
    "body": "Governance Board",
    "start_date": "Start Date",
    "due_date": "Target Date",
    "status": "Status",
    "rag": "RAG",
    "commentary": "Latest Update",
    "updated_on": "Update Date",
}

MESSY_HEADER: list[object] = [
    "Action No.",
    "Priority",
    "What we will do",
    "Action Owner",
    "Owner E-mail",
    "Lead Org",
    "Due",
    "BRAG",
    "Progress Status",
    "Commentary",
    "Notes",
]
MESSY_ROWS: list[list[object]] = [
    ["Lancashire SEND Partnership"],
    ["Written Statement of Action - working copy"],
    MESSY_HEADER,
    [
        "P1.1",
        1,
        "Publish the local offer",
        "Head of SEND",
        "Head.Of.SEND@Example.org",
        "LCC",
        datetime(2026, 3, 31),
        "G",
        "In progress",
        "Going well 🎉",
        "internal",
    ],
    [
        "p 1.2",
        1,
        "Train SENCOs",
        "SEND Lead",
        "send.lead@example.org",
        "LCC",
        "TBC",
        "a",
        "On track",
        None,
        None,
    ],
    [],
    ["Priority 2: Inclusion"],
    [
        "2.1",
        2,
        "Review the JSNA",
        "Analyst",
        "analyst@example.org",
        "ICB",
        "3 March 2026",
        "R",
        "Not started",
        None,
        None,
    ],
    [
        "1.1",
        1,
        "Repeat of the first action",
        "Analyst",
        "analyst@example.org",
        "ICB",
        "2026-03-03",
        "B",
        "Complete",
        None,
        None,
    ],
    [
        "P2.2",
        2,
        "Find an owner's e-mail",
        "Someone New",
        None,
        "LCC",
        "01/04/2026",
        "A",
        "In progress",
        None,
        None,
    ],
    [
        "P2.3",
        2,
        "An impossible date",
        "Analyst",
        "analyst@example.org",
        "ICB",
        "31/02/2026",
        "G",
        "Ongoing",
        None,
        None,
    ],
    [
        "P2.4",
        2,
        "=1+1",
        "Analyst",
        "analyst@example.org",
        "ICB",
        "1/4/2026",
        "G",
        "Done",
        None,
        None,
    ],
    [
        "P2.5",
        2,
        "Cached formula",
        "Analyst",
        "analyst@example.org",
        "ICB",
        "1 Apr 2026",
        "G",
        "In progress",
        "=1+1",
        None,
    ],
    [
        "P2.6",
        2,
        "Everything wrong",
        "Analyst",
        "not-an-address",
        "ICB",
        "12/31/2026",
        "Purple",
        "Maybe",
        None,
        None,
    ],
]


@pytest.fixture(scope="module")
def sample() -> PlanSheet:
    return read_plan(SAMPLE, filename=SAMPLE.name)


@pytest.fixture(scope="module")
def messy() -> PlanSheet:
    data = cache_formula_value(build_xlsx(MESSY_ROWS), "J13", "2")
    return read_plan(data, filename="messy plan.xlsx")


def _where(errors: tuple[RowError, ...]) -> set[tuple[int, str | None, str | None]]:
    return {(error.row, error.column, error.value) for error in errors}


def test_sample_workbook_reads_all_42_actions_cleanly(sample: PlanSheet) -> None:
    assert sample.errors == ()
    assert len(sample.rows) == 42
    assert sample.sheet_name == "Action Plan"
    assert sample.header_row == 1
    assert dict(sample.column_map) == SAMPLE_HEADERS
    assert sample.ignored_columns == ()


def test_sample_rows_carry_typed_values(sample: PlanSheet) -> None:
    first = sample.rows[0]
    assert first.row == 2
    assert (first.reference, first.priority) == ("P1.1", 1)
    assert first.owner_email == "principal.ep@example.org"
    assert first.start_date == date(2025, 9, 1)
    assert first.due_date == date(2026, 6, 28)
    assert (first.status, first.rag) == ("in_progress", "green")
    assert first.updated_on == date(2025, 11, 7)
    assert [row.reference for row in sample.rows][-1] == "P5.12"
    assert {row.rag for row in sample.rows} <= {rag.value for rag in Rag}
    assert {row.status for row in sample.rows} <= {status.value for status in ActionStatus}


def test_messy_sheet_finds_header_below_title_rows(messy: PlanSheet) -> None:
    assert messy.header_row == 3
    assert dict(messy.column_map) == {
        "reference": "Action No.",
        "priority": "Priority",
        "title": "What we will do",
        "owner_name": "Action Owner",
        "owner_email": "Owner E-mail",
        "lead_organisation": "Lead Org",
        "due_date": "Due",
        "rag": "BRAG",
        "status": "Progress Status",
        "commentary": "Commentary",
    }
    assert messy.ignored_columns == ("Notes",)


def test_messy_sheet_reports_each_problem_with_row_column_and_value(messy: PlanSheet) -> None:
    assert _where(messy.errors) == {
        (5, "Due", "TBC"),
        (9, "Action No.", "1.1"),
        (10, "Owner E-mail", None),
        (11, "Due", "31/02/2026"),
        (12, "What we will do", "=1+1"),
        (14, "Owner E-mail", "not-an-address"),
        (14, "Due", "12/31/2026"),
        (14, "BRAG", "Purple"),
        (14, "Progress Status", "Maybe"),
    }
    messages = {(error.row, error.column): error.message for error in messy.errors}
    assert "not a date" in messages[(5, "Due")]
    assert messages[(9, "Action No.")] == "duplicate reference P1.1: also on row 4"
    assert messages[(10, "Owner E-mail")] == "owner e-mail missing"
    assert "not a real calendar date" in messages[(11, "Due")]
    assert messages[(12, "What we will do")] == "formula without a calculated value"
    assert "not an e-mail address" in messages[(14, "Owner E-mail")]
    assert "not a RAG rating" in messages[(14, "BRAG")]
    assert "not a status" in messages[(14, "Progress Status")]
    assert str(messy.errors[0]) == (
        "Row 5, Due: not a date: it names no day; give the day it is due (31/03/2026, "
        "March 2026 or Q4 2025/26) ('TBC')"
    )


def test_messy_sheet_keeps_the_good_rows_with_normalised_values(messy: PlanSheet) -> None:
    rows = {row.reference: row for row in messy.rows}
    assert sorted(rows) == ["P1.1", "P2.1", "P2.5"]
    first = rows["P1.1"]
    assert first.owner_email == "head.of.send@example.org"
    assert first.due_date == date(2026, 3, 31)
    assert (first.rag, first.status) == ("green", "in_progress")
    assert first.commentary == "Going well 🎉"
    assert rows["P2.1"].due_date == date(2026, 3, 3)
    assert rows["P2.1"].priority == 2
    assert rows["P2.5"].commentary == "2"  # the formula's cached value, never re-calculated
    assert rows["P2.5"].due_date == date(2026, 4, 1)
    assert messy.is_valid is False


def test_csv_variant_in_windows_1252_with_semicolons() -> None:
    lines = [
        "SEND action plan;;;;;",
        "Ref;Action;Lead Officer;Lead Officer Email;Target Date;RAG;Latest Update",
        "P1.1;Café-style drop-ins;Participation Lead;participation@example.org;"
        "30/06/2026;Amber;Slipped: venue £200 over budget",
        "P1.2;Bell\x07 in the text;Participation Lead;participation@example.org;TBC;Red;",
        "P1.1;Repeat;Participation Lead;participation@example.org;;Green;",
    ]
    data = "\r\n".join(lines).encode("cp1252")
    plan = read_plan(data, filename="plan.csv")
    assert plan.header_row == 2
    assert [row.title for row in plan.rows] == ["Café-style drop-ins"]
    assert plan.rows[0].commentary == "Slipped: venue £200 over budget"
    assert _where(plan.errors) == {(4, "Target Date", "TBC"), (5, "Ref", "P1.1")}


@pytest.mark.parametrize(
    ("encoding", "delimiter"), [("utf-8-sig", ","), ("utf-8", "\t"), ("utf-8", ";")]
)
def test_csv_encodings_and_delimiters(encoding: str, delimiter: str) -> None:
    rows = [
        ["Action Number", "Priority", "Description", "Owner", "Email", "Deadline", "Rating"],
        ["3", "2", "Co-produce, with families", "Lead", "Lead@Example.org", "1/9/2026", "g"],
    ]
    text = "\r\n".join(delimiter.join(f'"{cell}"' for cell in row) for row in rows)
    plan = read_plan(text.encode(encoding), filename="plan.csv")
    assert plan.errors == ()
    (row,) = plan.rows
    assert (row.reference, row.priority, row.title) == ("P2.3", 2, "Co-produce, with families")
    assert (row.owner_email, row.due_date, row.rag) == (
        "lead@example.org",
        date(2026, 9, 1),
        "green",
    )


def test_header_found_on_a_later_sheet_below_a_title_block() -> None:
    book = openpyxl.Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Read me"
    notes.append(["How to update this plan: change the RAG and the latest update."])
    plan = book.create_sheet("2025-26")
    plan.append(["SEND Improvement Plan"])
    plan.append(["Action plan"])
    plan.append(["Owner: PMO", None, "Updated: November"])
    plan.append([])
    plan.append(["Ref", "Action", "Lead Officer", "Lead Officer Email", "RAG"])
    plan.append(["P1.1", "Act", "PMO", "pmo@example.org", "Blue"])
    buffer = io.BytesIO()
    book.save(buffer)
    sheet = read_plan(buffer.getvalue(), filename="plan.xlsx")
    assert (sheet.sheet_name, sheet.header_row) == ("2025-26", 5)
    assert [(row.row, row.reference, row.rag) for row in sheet.rows] == [(6, "P1.1", "blue")]


def test_status_column_holding_rag_words_is_read_as_rag() -> None:
    data = build_xlsx(
        [
            ["Ref", "Action", "Status"],
            ["P1.1", "One", "R"],
            ["P1.2", "Two", "Complete"],
            ["P1.3", "Three", "green"],
        ]
    )
    plan = read_plan(data, filename="plan.xlsx")
    assert plan.column_map == {"reference": "Ref", "title": "Action", "rag": "Status"}
    assert [(row.rag, row.status) for row in plan.rows] == [
        ("red", None),
        ("blue", None),
        ("green", None),
    ]


def test_status_column_with_status_words_stays_status() -> None:
    data = build_xlsx([["Ref", "Action", "Status"], ["P1.1", "One", "Complete"]])
    plan = read_plan(data, filename="plan.xlsx")
    assert plan.rows[0].status == "complete"
    assert plan.rows[0].rag is None


def test_reference_and_priority_must_agree() -> None:
    data = build_xlsx([["Ref", "Priority", "Action"], ["P2.3", 3, "Mismatch"], ["P2.4", "", "X"]])
    plan = read_plan(data, filename="plan.xlsx")
    assert [(e.row, e.column, e.message) for e in plan.errors] == [
        (2, "Priority", "does not match reference P2.3")
    ]
    assert [(row.reference, row.priority) for row in plan.rows] == [("P2.4", 2)]


def test_every_problem_in_a_row_is_reported_not_just_the_first() -> None:
    data = build_xlsx(
        [
            ["Ref", "Action", "Lead Officer", "Email", "Start Date", "Target Date"],
            [None, None, "Owner", None, "01/05/2026", "01/04/2026"],
        ]
    )
    plan = read_plan(data, filename="plan.xlsx")
    assert [(e.column, e.message) for e in plan.errors] == [
        ("Ref", "reference missing"),
        ("Action", "action missing"),
        ("Email", "owner e-mail missing"),
        ("Target Date", "before the start date 01/05/2026"),
    ]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["Plan"], ["nothing here"]], "no header row found"),
        ([["Action", "RAG", "Owner"], ["Do it", "G", "Me"]], "no reference column"),
        ([["Ref", "RAG", "Status"], ["P1.1", "G", "Done"]], "no action column"),
        ([["Ref", "Action", "Lead Officer"], ["P1.1", "Do", "Me"]], "no owner e-mail column"),
    ],
)
def test_whole_file_problems_raise(rows: list[list[object]], message: str) -> None:
    with pytest.raises(SpreadsheetError, match=message):
        read_plan(build_xlsx(rows), filename="plan.xlsx")


@pytest.mark.parametrize(
    ("filename", "message"),
    [("plan.xls", "save it as .xlsx"), ("plan.pdf", "use .xlsx or .csv"), ("plan", "use .xlsx")],
)
def test_other_file_types_are_refused_by_name(filename: str, message: str) -> None:
    with pytest.raises(SpreadsheetError, match=message):
        read_plan(b"Ref,Action\r\nP1.1,Do\r\n", filename=filename)


def test_text_is_trimmed_and_cleaned_and_a_neutralising_quote_is_removed() -> None:
    data = build_xlsx(
        [
            ["Ref", "Action", "Commentary"],
            ["P1.1", "  padded  ", "'=SUM(A1)"],
            ["P1.2", "'quoted on purpose", "'-2"],
        ]
    )
    plan = read_plan(data, filename="plan.xlsx")
    assert [(row.title, row.commentary) for row in plan.rows] == [
        ("padded", "=SUM(A1)"),
        ("'quoted on purpose", "-2"),
    ]


def test_excel_error_values_are_row_errors() -> None:
    data = build_xlsx([["Ref", "Action", "Target Date"], ["P1.1", "Do", "x"]])
    data = replace_in_part(
        data,
        "xl/worksheets/sheet1.xml",
        r'<c r="C2" t="inlineStr"><is><t>x</t></is></c>',
        '<c r="C2" t="e"><v>#REF!</v></c>',
    )
    plan = read_plan(data, filename="plan.xlsx")
    assert [(e.row, e.column, e.value, e.message) for e in plan.errors] == [
        (2, "Target Date", "#REF!", "Excel error value")
    ]


def test_formula_that_calculated_an_empty_string_is_blank_not_an_error() -> None:
    data = build_xlsx([["Ref", "Action", "RAG"], ["P1.1", "Do", '=IF(1,"","Red")']])
    data = replace_in_part(
        data,
        "xl/worksheets/sheet1.xml",
        r'<c r="C2"><f>([^<]*)</f><v\s*/?>(?:</v>)?</c>',
        r'<c r="C2" t="str"><f>\1</f><v></v></c>',
    )
    plan = read_plan(data, filename="plan.xlsx")
    assert plan.errors == ()
    assert [(row.reference, row.rag) for row in plan.rows] == [("P1.1", None)]

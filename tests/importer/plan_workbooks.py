"""Workbooks kept the way teams keep them: a cover, a key, one sheet per priority, merged
priority cells, numbers in a "No." column, RAG only as a fill colour, dates as quarters and
months. Built with openpyxl, whose workbooks carry the Office 2007 theme (accent 2 is red
C0504D, accent 3 green 9BBB59, accent 6 orange F79646), so theme fills are read through it.
"""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
from openpyxl.styles import Color, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

HEADER = ("No.", "Action", "Lead Officer", "Lead Officer Email", "Completion Date", "Progress")
OWNER = ("Inclusion Lead", "inclusion.lead@example.org")


def solid(rgb: str | None = None, *, theme: int | None = None, tint: float = 0.0) -> PatternFill:
    colour = Color(rgb=rgb) if rgb else Color(theme=theme, tint=tint)
    return PatternFill(fill_type="solid", fgColor=colour)


def _cover(book: openpyxl.Workbook) -> None:
    cover = book.active
    assert cover is not None
    cover.title = "Cover"
    cover.append(["Lancashire SEND Partnership"])
    cover.append(["Written Statement of Action: delivery plan 2025-26"])
    cover.append(["Owner", "Programme Management Office"])


def _key(book: openpyxl.Workbook) -> None:
    key = book.create_sheet("Key")
    key.append(["RAG", "Meaning"])
    for word, rgb in (("Red", "FF0000"), ("Amber", "FFC000"), ("Green", "00B050")):
        key.append([None, word])
        cell = key.cell(row=key.max_row, column=1)
        cell.fill = solid(rgb)


def _row(sheet: Worksheet, values: tuple[object, ...], fill: PatternFill | None) -> None:
    sheet.append(list(values))
    if fill is not None:
        sheet.cell(row=sheet.max_row, column=len(HEADER)).fill = fill


def _priority_one(book: openpyxl.Workbook) -> None:
    """'Priority 1': the priority only in the sheet's name; numbers as Excel stores them."""
    sheet = book.create_sheet("Priority 1")
    sheet.append(["Priority 1: Inclusion and belonging"])
    sheet.append([])
    sheet.append(list(HEADER))
    _row(sheet, (1.1, "Inclusion charter", *OWNER, "Q3 2025/26", "Launched"), solid("00B050"))
    _row(sheet, ("1.2", "Belonging audit", *OWNER, "March 2026", None), solid("FFC000"))
    _row(sheet, (3, "Peer mentoring", *OWNER, "Sept 2026", "Behind"), solid(theme=5))
    _row(sheet, ("No. 1.4", "Parent forums", *OWNER, "2025/26 Q4", None), solid(theme=9))
    _row(sheet, ("1.5", "Training offer", *OWNER, "Spring term 2026", None), solid("FF0000"))
    _row(sheet, ("1.6", "Purple thing", *OWNER, "31.03.2026", None), solid("7030A0"))


def _priority_two(book: openpyxl.Workbook) -> None:
    """'P2 Meeting needs': a Priority column merged down its rows, theme tints."""
    sheet = book.create_sheet("Meeting needs")
    sheet.append(["Meeting needs earlier"])
    sheet.append(["Priority", *HEADER])
    first = sheet.max_row + 1
    rows = (
        ("2.1", "Graduated approach", *OWNER, "Mar-26", None, solid(theme=6, tint=0.3999)),
        ("2.2", "Early help", *OWNER, "end of March 2026", None, solid(theme=5, tint=0.5999)),
        ("2.3", "Ongoing review", *OWNER, "Ongoing", None, solid("92D050")),
        ("2.4", "SENCo network", *OWNER, datetime(2026, 7, 31), "On track", solid("FF0000")),
    )
    for index, (*values, fill) in enumerate(rows):
        sheet.append(["Priority 2: Meeting needs" if index == 0 else None, *values])
        sheet.cell(row=sheet.max_row, column=len(HEADER) + 1).fill = fill
    sheet.merge_cells(start_row=first, start_column=1, end_row=sheet.max_row, end_column=1)


def _priority_three(book: openpyxl.Workbook) -> None:
    """'3. Preparing for adulthood': a merged heading above the rows gives the priority."""
    sheet = book.create_sheet("Preparation")
    sheet.append(list(HEADER))
    sheet.append(["Priority 3: Preparing for adulthood"])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(HEADER))
    _row(sheet, ("3.1", "Transition plans", *OWNER, "TBC", None), solid("00B050"))
    _row(sheet, ("3.2", "Supported internships", *OWNER, "n/a", None), solid("FFC000"))
    _row(sheet, (3, "Travel training", *OWNER, date(2026, 9, 30), None), solid("0070C0"))


def acceptance_workbook() -> bytes:
    book = openpyxl.Workbook()
    _cover(book)
    _key(book)
    _priority_one(book)
    _priority_two(book)
    _priority_three(book)
    notes = book.create_sheet("Instructions")
    notes.append(["Update the Progress column each month and colour it."])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# reference -> (sheet, row, RAG as the colour showed, due date as read, or None when the text
# named no day and the action keeps its due date)
EXPECTED: dict[str, tuple[str, int, str | None, date | None]] = {
    "P1.1": ("Priority 1", 4, "green", date(2025, 12, 31)),
    "P1.2": ("Priority 1", 5, "amber", date(2026, 3, 31)),
    "P1.3": ("Priority 1", 6, "red", date(2026, 9, 30)),  # theme accent 2: C0504D
    "P1.4": ("Priority 1", 7, "amber", date(2026, 3, 31)),  # theme accent 6: F79646
    "P1.5": ("Priority 1", 8, "red", None),  # Spring term 2026
    "P2.1": ("Meeting needs", 3, "green", date(2026, 3, 31)),  # accent 3, lighter 40%
    "P2.2": ("Meeting needs", 4, "red", date(2026, 3, 31)),  # accent 2, lighter 60%
    "P2.3": ("Meeting needs", 5, "green", None),  # Ongoing
    "P2.4": ("Meeting needs", 6, "red", date(2026, 7, 31)),  # "On track" is commentary
    "P3.1": ("Preparation", 3, "green", None),  # TBC
    "P3.2": ("Preparation", 4, "amber", None),  # n/a
    "P3.3": ("Preparation", 5, "blue", date(2026, 9, 30)),
}
# The one row no import can take: a purple fill is no RAG colour.
REFUSED = ("Priority 1", 9, "Progress", "#7030A0")

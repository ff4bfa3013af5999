"""The "Risks" sheet of a plan workbook: its columns, writing it, and reading it back checked.

The export writes every risk in :data:`RISK_COLUMNS`; :func:`read_risk_sheet` reads that sheet
(by name, any column order, headers compared loosely) into :class:`RiskSheetRow` values and a
:class:`RowError` for every cell it cannot read (a likelihood that is not a whole number, a
date that is not a date, a "Shareable" that is neither yes nor no), naming sheet, row and
column. Whether a name, an action or a score makes sense is the importer's to check against the
database and governance's scale. A blank cell, or a column the sheet leaves out, reads as
``None``: the importer then keeps what is stored.

Mitigations share one cell, one per line, each in a readable form the reader parses back:
``Recruit agency EPs [owner: ep.lead@example.org; due: 31/03/2027; done]``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import openpyxl
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from tracker.spreadsheets.cells import (
    CellError,
    CellValue,
    is_blank,
    normalise_header,
    parse_date,
    parse_text,
    parse_whole_number,
    shown_value,
)
from tracker.spreadsheets.reader import MAX_SHEET_ROWS, read_safely, sheet_rows
from tracker.spreadsheets.rows import RowError, parse_email
from tracker.spreadsheets.writer import ColumnSpec, SheetSpec

RISK_SHEET = "Risks"
RISK_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("Ref", "text", 7),
    ColumnSpec("Title", "text", 40),
    ColumnSpec("Description", "text", 50),
    ColumnSpec("Owner Email", "text", 30),
    ColumnSpec("Priorities", "text", 10),
    ColumnSpec("Actions", "text", 16),
    ColumnSpec("Board", "text", 28),
    ColumnSpec("Inherent Likelihood", "int", 10),
    ColumnSpec("Inherent Impact", "int", 10),
    ColumnSpec("Inherent Score", "int", 10),
    ColumnSpec("Likelihood", "int", 10),
    ColumnSpec("Impact", "int", 10),
    ColumnSpec("Score", "int", 8),
    ColumnSpec("Target Score", "int", 10),
    ColumnSpec("Review Every (days)", "int", 11),
    ColumnSpec("Next Review", "date", 12),
    ColumnSpec("Status", "text", 9),
    ColumnSpec("Closed Reason", "text", 30),
    ColumnSpec("Shareable", "text", 10),
    ColumnSpec("Mitigations", "text", 70),
)
# Columns written for the reader's benefit, worked out from others: never read back.
DERIVED = frozenset({"inherentscore", "score"})
_FIELDS = {normalise_header(c.header): c.header for c in RISK_COLUMNS}
_YES = {"yes", "y", "true", "1", "shareable"}
_NO = {"no", "n", "false", "0"}
_STATUSES = {"open": "open", "closed": "closed"}
_MITIGATION = re.compile(r"^(?P<text>.*?)\s*\[(?P<facts>[^\[\]]*)\]\s*$", re.DOTALL)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


@dataclass(frozen=True)
class MitigationCell:
    """One mitigation as the sheet gives it."""

    description: str
    owner_email: str | None = None
    due_date: date | None = None
    done: bool = False


@dataclass(frozen=True)
class RiskSheetRow:
    """One row of the Risks sheet; ``None`` is a blank cell (or a column not in the sheet)."""

    row: int
    reference: str | None
    title: str | None = None
    description: str | None = None
    owner_email: str | None = None
    priorities: tuple[int, ...] | None = None
    actions: tuple[str, ...] | None = None
    board: str | None = None
    inherent_likelihood: int | None = None
    inherent_impact: int | None = None
    likelihood: int | None = None
    impact: int | None = None
    target_score: int | None = None
    review_days: int | None = None
    next_review: date | None = None
    status: str | None = None
    closed_reason: str | None = None
    shareable: bool | None = None
    mitigations: tuple[MitigationCell, ...] | None = None


@dataclass(frozen=True)
class RiskSheet:
    rows: tuple[RiskSheetRow, ...]  # every row with something in it, problems or not
    errors: tuple[RowError, ...]
    columns: tuple[str, ...]  # the headers found, as written


# --- writing ---------------------------------------------------------------------------------


def mitigation_text(item: MitigationCell) -> str:
    """``Description [owner: e-mail; due: dd/mm/yyyy; done]`` (only the facts it has)."""
    facts = []
    if item.owner_email:
        facts.append(f"owner: {item.owner_email}")
    if item.due_date:
        facts.append(f"due: {item.due_date:%d/%m/%Y}")
    facts.append("done" if item.done else "open")
    return f"{' '.join(item.description.split())} [{'; '.join(facts)}]"


def build_risk_sheet(rows: Sequence[tuple[object, ...]]) -> SheetSpec:
    """The Risks sheet from rows already in :data:`RISK_COLUMNS` order."""
    return SheetSpec(title=RISK_SHEET, columns=RISK_COLUMNS, rows=list(rows))


# --- reading ---------------------------------------------------------------------------------


def _list(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;\n]", text) if part.strip()]


def parse_priorities(value: CellValue) -> tuple[int, ...] | None:
    text = parse_text(value)
    if text is None:
        return None
    numbers = []
    for part in _list(text):
        digits = part.upper().removeprefix("PRIORITY").removeprefix("P").strip()
        if not digits.isdigit():
            raise CellError("list priorities by number, such as 2 or 2, 3")
        numbers.append(int(digits))
    return tuple(dict.fromkeys(numbers))


def parse_actions(value: CellValue) -> tuple[str, ...] | None:
    text = parse_text(value)
    if text is None:
        return None
    return tuple(dict.fromkeys(part.upper() for part in _list(text)))


def parse_yes_no(value: CellValue) -> bool | None:
    if isinstance(value, bool):
        return value
    text = parse_text(value)
    if text is None:
        return None
    if text.lower() in _YES:
        return True
    if text.lower() in _NO:
        return False
    raise CellError("write Yes or No")


def parse_status(value: CellValue) -> str | None:
    text = parse_text(value)
    if text is None:
        return None
    if text.lower() not in _STATUSES:
        raise CellError("the status is Open or Closed")
    return _STATUSES[text.lower()]


def _mitigation(line: str) -> MitigationCell:
    line = _BULLET.sub("", line).strip()
    match = _MITIGATION.match(line)
    if match is None:
        return MitigationCell(description=line)
    owner, due, done = None, None, False
    for fact in (f.strip() for f in match["facts"].split(";")):
        key, _, rest = fact.partition(":")
        key, rest = key.strip().lower(), rest.strip()
        if key == "owner" and rest:
            owner = parse_email(rest)
        elif key == "due" and rest:
            due = parse_date(rest)
        elif key in ("done", "complete", "completed") and not rest:
            done = True
        elif key == "open" and not rest:
            done = False
        else:
            return MitigationCell(description=line)  # brackets that are part of the text
    return MitigationCell(match["text"].strip() or line, owner, due, done)


def parse_mitigations(value: CellValue) -> tuple[MitigationCell, ...] | None:
    text = parse_text(value)
    if text is None:
        return None
    lines = [line for line in text.split("\n") if line.strip()]
    return tuple(_mitigation(line) for line in lines)


def _cell_reference(value: CellValue) -> str | None:
    text = parse_text(value)
    return None if text is None else text.strip().upper()


_PARSERS: dict[str, tuple[str, Callable[[CellValue], Any]]] = {
    "ref": ("reference", _cell_reference),
    "title": ("title", parse_text),
    "description": ("description", parse_text),
    "owneremail": ("owner_email", parse_email),
    "priorities": ("priorities", parse_priorities),
    "actions": ("actions", parse_actions),
    "board": ("board", parse_text),
    "inherentlikelihood": ("inherent_likelihood", parse_whole_number),
    "inherentimpact": ("inherent_impact", parse_whole_number),
    "likelihood": ("likelihood", parse_whole_number),
    "impact": ("impact", parse_whole_number),
    "targetscore": ("target_score", parse_whole_number),
    "reviewevery": ("review_days", parse_whole_number),
    "nextreview": ("next_review", parse_date),
    "status": ("status", parse_status),
    "closedreason": ("closed_reason", parse_text),
    "shareable": ("shareable", parse_yes_no),
    "mitigations": ("mitigations", parse_mitigations),
}


def _find_sheet(book: Any) -> ReadOnlyWorksheet | None:
    for sheet in book.worksheets:
        if isinstance(sheet, ReadOnlyWorksheet) and sheet.title.casefold() == "risks":
            return sheet
    return None


def _read_rows(data: bytes, *, filename: str) -> tuple[str, list[tuple[CellValue, ...]]] | None:
    book = openpyxl.load_workbook(
        io.BytesIO(data), read_only=True, data_only=True, keep_links=False
    )
    try:
        sheet = _find_sheet(book)
        if sheet is None:
            return None
        sheet.reset_dimensions()
        rows = list(sheet_rows(sheet, max_row=MAX_SHEET_ROWS + 1))
        return sheet.title, rows
    finally:
        book.close()


def read_risk_sheet(data: bytes, *, filename: str) -> RiskSheet | None:
    """The workbook's Risks sheet, checked cell by cell; None when it has none (or is a CSV)."""
    if not filename.lower().endswith((".xlsx", ".xlsm")):
        return None
    found = read_safely(data, filename=filename, read=_read_rows)
    if found is None:
        return None
    title, rows = found
    if not rows:
        return RiskSheet((), (), ())
    header = rows[0]
    errors: list[RowError] = []
    columns: dict[int, str] = {}
    for index, value in enumerate(header):
        text = shown_value(value)
        key = normalise_header(text or "")
        if key in _PARSERS:
            columns[index] = key
        elif key and key not in DERIVED and key != "band":
            errors.append(RowError(1, text, None, "not a column of the Risks sheet", title))
    if len(rows) > MAX_SHEET_ROWS:
        errors.append(RowError(MAX_SHEET_ROWS + 1, None, None, "too many rows", title))
    read: list[RiskSheetRow] = []
    for number, cells in enumerate(rows[1 : MAX_SHEET_ROWS + 1], start=2):
        if all(is_blank(v) for i, v in enumerate(cells) if i in columns):
            continue
        values: dict[str, Any] = {}
        for index, key in columns.items():
            value = cells[index] if index < len(cells) else None
            name, parse = _PARSERS[key]
            try:
                values[name] = parse(value)
            except CellError as error:
                errors.append(
                    RowError(number, _header(header, index), shown_value(value), str(error), title)
                )
        read.append(RiskSheetRow(row=number, **({"reference": None} | values)))
    return RiskSheet(tuple(read), tuple(errors), tuple(_header(header, i) for i in columns))


def _header(header: Sequence[CellValue], index: int) -> str:
    return shown_value(header[index]) or _FIELDS.get("ref", "Ref")

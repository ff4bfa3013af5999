"""Importing "you said, we did" entries from a spreadsheet: checked whole, then all or nothing.

The sheet (``.xlsx``, or ``.csv``) has a header row, within its first rows, naming the columns
You said, Source, Heard on, We did, Impact, Status, Priorities and Actions (You said and Source
are required; the others may be left out). Priorities are numbers ("2", "P2", "2, 4"); actions
are references ("P2.3; P2.4"). Every row is checked as the page checks an entry, and every
problem is reported with its row and column. A dry run (the default) stores nothing; a commit
stores every row in one transaction, or nothing at all when any row has a problem.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath

from sqlmodel import Session

from tracker.models import FeedbackStatus
from tracker.permissions import Actor
from tracker.services.actions import ValidationFailed
from tracker.services.feedback._records import FeedbackForm, read_status
from tracker.services.feedback._write import (
    add_feedback,
    check_with_links,
    next_reference,
    require_may_add,
)
from tracker.spreadsheets import MAX_BYTES, SpreadsheetError
from tracker.spreadsheets.cells import (
    CellError,
    CellValue,
    normalise_header,
    parse_date,
    parse_text,
    shown_value,
)
from tracker.spreadsheets.reader import read_xlsx_sheet_rows

MAX_ROWS = 5_000
HEADER_ROWS = 20
# Canonical field -> the header words accepted for it (compared without case or punctuation).
COLUMNS: dict[str, tuple[str, ...]] = {
    "said": ("You said", "You said (what families said)", "What was said", "Feedback"),
    "source": ("Source", "Who said it", "Heard from"),
    "heard_on": ("Heard on", "Date", "Date heard", "Heard"),
    "we_did": ("We did", "What we did", "Response"),
    "impact": ("Impact", "Difference made"),
    "status": ("Status",),
    "priorities": ("Priorities", "Priority"),
    "actions": ("Actions", "Action", "Action references"),
}
HEADERS = {
    "said": "You said",
    "source": "Source",
    "heard_on": "Heard on",
    "we_did": "We did",
    "impact": "Impact",
    "status": "Status",
    "priorities": "Priorities",
    "actions": "Actions",
}
_ALIASES = {normalise_header(word): name for name, words in COLUMNS.items() for word in words}
_PRIORITY = re.compile(r"(?:priority\s*|p)?(\d+)", re.IGNORECASE)
_SPLIT = re.compile(r"[,;/\n]+|\s+and\s+")


@dataclass(frozen=True)
class ImportProblem:
    row: int
    column: str | None
    message: str
    value: str | None = None

    def __str__(self) -> str:
        where = f"Row {self.row}" + (f", {self.column}" if self.column else "")
        shown = f" ('{self.value}')" if self.value else ""
        return f"{where}: {self.message}{shown}"


@dataclass(frozen=True)
class ImportedRow:
    row: int
    reference: str  # the reference it has (or would have) been given
    form: FeedbackForm


@dataclass(frozen=True)
class FeedbackImport:
    filename: str
    rows: tuple[ImportedRow, ...]
    problems: tuple[ImportProblem, ...]
    committed: bool

    @property
    def ok(self) -> bool:
        return not self.problems


def _sheet_rows(data: bytes, filename: str) -> list[tuple[CellValue, ...]]:
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    if len(data) > MAX_BYTES:
        raise SpreadsheetError(f"{filename} is over {MAX_BYTES // (1024 * 1024)} MB")
    if suffix == ".csv":
        if data.startswith(b"PK\x03\x04"):
            raise SpreadsheetError(f"{filename} is an Excel workbook, not a CSV file")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
        records: list[tuple[CellValue, ...]] = [
            tuple(v if v.strip() else None for v in record)
            for record in csv.reader(io.StringIO(text, newline=""))
        ]
        return records[: MAX_ROWS + HEADER_ROWS]
    if suffix not in {".xlsx", ".xlsm"}:
        raise SpreadsheetError(f"{filename} is not a spreadsheet we read: use .xlsx or .csv")
    sheets = read_xlsx_sheet_rows(data, filename=filename, max_row=MAX_ROWS + HEADER_ROWS)
    for sheet in sheets:
        if _header(sheet.rows) is not None:
            return list(sheet.rows)
    raise _no_header(filename)


def _no_header(filename: str) -> SpreadsheetError:
    return SpreadsheetError(
        f"no header row found in {filename}: expected columns named You said and Source (and "
        "optionally Heard on, We did, Impact, Status, Priorities, Actions) in the first "
        f"{HEADER_ROWS} rows"
    )


def _header(rows: list[tuple[CellValue, ...]]) -> tuple[int, dict[str, int]] | None:
    for index, row in enumerate(rows[:HEADER_ROWS]):
        columns: dict[str, int] = {}
        for position, value in enumerate(row):
            if isinstance(value, str):
                name = _ALIASES.get(normalise_header(value))
                if name and name not in columns:
                    columns[name] = position
        if "said" in columns and "source" in columns:
            return index, columns
    return None


def _numbers(text: str | None) -> tuple[tuple[int, ...], list[str]]:
    numbers: list[int] = []
    bad: list[str] = []
    for part in _SPLIT.split(text or ""):
        part = part.strip()
        if not part:
            continue
        match = _PRIORITY.fullmatch(part)
        if match:
            numbers.append(int(match[1]))
        else:
            bad.append(part)
    return tuple(numbers), bad


def _references(text: str | None) -> tuple[str, ...]:
    return tuple(p.strip().upper() for p in _SPLIT.split(text or "") if p.strip())


def _read_row(
    cells: tuple[CellValue, ...], columns: dict[str, int], row: int, problems: list[ImportProblem]
) -> FeedbackForm:
    def cell(name: str) -> CellValue:
        position = columns.get(name)
        return cells[position] if position is not None and position < len(cells) else None

    def text(name: str) -> str | None:
        try:
            return parse_text(cell(name))
        except CellError as error:
            problems.append(ImportProblem(row, HEADERS[name], str(error), shown_value(cell(name))))
            return None

    heard_on: date | None = None
    try:
        heard_on = parse_date(cell("heard_on"))
    except CellError as error:
        problems.append(ImportProblem(row, "Heard on", str(error), shown_value(cell("heard_on"))))
    status_text = text("status")
    status = FeedbackStatus.OPEN.value
    if status_text:
        found = read_status(status_text)
        if found is None:
            problems.append(
                ImportProblem(
                    row, "Status", "not a status (Open, In progress, Done, Closed)", status_text
                )
            )
        else:
            status = found
    priorities_text = text("priorities")
    numbers, bad = _numbers(priorities_text)
    if bad:
        problems.append(
            ImportProblem(row, "Priorities", "not a priority number (use 2 or P2)", ", ".join(bad))
        )
    return FeedbackForm(
        said=text("said"),
        source=text("source"),
        heard_on=heard_on,
        we_did=text("we_did"),
        impact=text("impact"),
        status=status,
        priorities=numbers,
        actions=_references(text("actions")),
    )


_FIELD_COLUMNS = {
    "said": "You said",
    "source": "Source",
    "heard_on": "Heard on",
    "we_did": "We did",
    "impact": "Impact",
    "status": "Status",
    "priorities": "Priorities",
    "actions": "Actions",
    "owner": None,
}


def import_feedback(
    session: Session,
    *,
    actor: Actor,
    data: bytes,
    filename: str,
    today: date,
    commit: bool = False,
) -> FeedbackImport:
    """Check every row of the sheet; with ``commit`` (and no problem at all) store them all.

    The caller's session is the one transaction: on any problem nothing is added, and the
    report lists every problem by row and column.
    """
    require_may_add(session, actor)
    rows = _sheet_rows(data, filename)
    found = _header(rows)
    if found is None:
        raise _no_header(filename)
    header_index, columns = found
    problems: list[ImportProblem] = []
    forms: list[tuple[int, FeedbackForm]] = []
    for index in range(header_index + 1, len(rows)):
        cells = rows[index]
        if all(value is None or value == "" for value in cells):
            continue
        number = index + 1  # the sheet's own row number
        if len(forms) >= MAX_ROWS:
            problems.append(ImportProblem(number, None, f"more than {MAX_ROWS} rows"))
            break
        before = len(problems)
        form = _read_row(cells, columns, number, problems)
        try:
            check_with_links(session, form, today)
        except ValidationFailed as failed:
            for field, message in failed.errors.items():
                column = _FIELD_COLUMNS.get(field)
                if not any(p.row == number and p.column == column for p in problems[before:]):
                    problems.append(ImportProblem(number, column, message))
        forms.append((number, form))
    first = int(next_reference(session)[2:])
    planned = tuple(
        ImportedRow(row, f"YS{first + position}", form)
        for position, (row, form) in enumerate(forms)
    )
    if not planned and not problems:
        problems.append(ImportProblem(header_index + 1, None, "no entries below the header row"))
    if not commit or problems:
        return FeedbackImport(filename, planned, tuple(problems), committed=False)
    for item in planned:
        add_feedback(session, actor=actor, form=item.form, today=today, reference=item.reference)
    return FeedbackImport(filename, planned, (), committed=True)

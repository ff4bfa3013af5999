"""Turn the rows of an uploaded action plan into validated, typed plan rows.

:func:`read_plan` is the public entry: it finds the plan table (see
:mod:`tracker.spreadsheets.reader`), then checks every row as an action: a reference such as
``P2.3`` used once in the file, the action text, an owner with an e-mail address, real dates,
a status and a RAG rating from the words teams use. Every problem in a row is reported with its
sheet row, column header and value, so a person can fix the sheet in one pass; rows with a
problem are left out of ``rows`` and the caller decides (the importer refuses the whole file).
Nothing here touches the database.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import BinaryIO, TypeVar

from tracker.models import ActionStatus, Rag
from tracker.spreadsheets.cells import (
    CellError,
    CellValue,
    Row,
    is_blank,
    parse_date,
    parse_text,
    parse_whole_number,
    shown_value,
)
from tracker.spreadsheets.reader import MAX_BYTES, SpreadsheetError, read_table

T = TypeVar("T")

RAG_WORDS = {
    "r": Rag.RED.value,
    "red": Rag.RED.value,
    "a": Rag.AMBER.value,
    "amber": Rag.AMBER.value,
    "g": Rag.GREEN.value,
    "green": Rag.GREEN.value,
    "b": Rag.BLUE.value,
    "blue": Rag.BLUE.value,
    "complete": Rag.BLUE.value,
    "completed": Rag.BLUE.value,
}
STATUS_WORDS = {
    "not started": ActionStatus.NOT_STARTED.value,
    "not yet started": ActionStatus.NOT_STARTED.value,
    "in progress": ActionStatus.IN_PROGRESS.value,
    "on track": ActionStatus.IN_PROGRESS.value,
    "ongoing": ActionStatus.IN_PROGRESS.value,
    "complete": ActionStatus.COMPLETE.value,
    "completed": ActionStatus.COMPLETE.value,
    "done": ActionStatus.COMPLETE.value,
    "withdrawn": ActionStatus.WITHDRAWN.value,
    "closed": ActionStatus.WITHDRAWN.value,
}
_REFERENCE = re.compile(r"(P)?\s*(\d+)\s*\.\s*(\d+)([a-z]?)", re.IGNORECASE)
_PRIORITY = re.compile(r"(?:priority|p)?\s*(\d+)(?:\b.*)?", re.IGNORECASE | re.DOTALL)
_EMAIL = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~.-]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RowError:
    """One problem in one row: sheet row (1-based), column header and value as shown."""

    row: int
    column: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}" + (f", {self.column}" if self.column else "")
        shown = f" ('{self.value}')" if self.value is not None else ""
        return f"{where}: {self.message}{shown}"


@dataclass(frozen=True)
class PlanRow:
    """One action as the sheet states it, every field checked and typed."""

    row: int
    reference: str
    priority: int | None
    title: str
    owner_name: str | None = None
    owner_email: str | None = None
    lead_organisation: str | None = None
    workstream: str | None = None
    body: str | None = None
    start_date: date | None = None
    due_date: date | None = None
    status: str | None = None
    rag: str | None = None
    commentary: str | None = None
    updated_on: date | None = None
    # What the system flags about the rating (exports only; an import does not read it).
    rating_flag: str | None = None


@dataclass(frozen=True)
class PlanSheet:
    """What a plan file holds: the rows that passed and every problem found."""

    sheet_name: str
    header_row: int
    column_map: Mapping[str, str]  # canonical field -> header as written in the file
    ignored_columns: tuple[str, ...]
    rows: tuple[PlanRow, ...]
    errors: tuple[RowError, ...]
    # Rows with problems, their unreadable cells blank: the importer still looks up their
    # names, so one pass reports every problem.
    invalid_rows: tuple[PlanRow, ...] = ()

    @property
    def is_valid(self) -> bool:
        return not self.errors


# --- values with a meaning in a plan -------------------------------------------------------


def _words(value: CellValue) -> str | None:
    text = parse_text(value)
    return None if text is None else re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def parse_rag(value: CellValue) -> str | None:
    """Red, Amber, Green, Blue, their initials, or Complete (Blue) -> canonical code."""
    words = _words(value)
    if words is None:
        return None
    if words not in RAG_WORDS:
        raise CellError("not a RAG rating (use Red, Amber, Green or Blue, or R, A, G, B)")
    return RAG_WORDS[words]


def parse_status(value: CellValue) -> str | None:
    words = _words(value)
    if words is None:
        return None
    if words not in STATUS_WORDS:
        raise CellError("not a status (use Not started, In progress, Complete or Withdrawn)")
    return STATUS_WORDS[words]


def parse_email(value: CellValue) -> str | None:
    text = parse_text(value)
    if text is None:
        return None
    text = text.removeprefix("mailto:").strip()
    if not _EMAIL.fullmatch(text):
        raise CellError("not an e-mail address")
    return text.lower()


def parse_priority(value: CellValue) -> int | None:
    """2, "2", "P2" or "Priority 2: Inclusion" -> 2."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = parse_whole_number(value)
    else:
        text = parse_text(value)
        if text is None:
            return None
        match = _PRIORITY.fullmatch(text)
        number = int(match[1]) if match else None
    if number is None or number < 1:
        raise CellError("not a priority number")
    return number


def parse_reference(value: CellValue, *, priority: int | None, has_priority: bool) -> str | None:
    """An action reference in the form P2.3, from "P2.3", "p2.3" or "P 2.3".

    A bare "2.3", or "3" beside priority 2, is read as P2.3 only when the sheet has a priority
    column: without one a bare number is too easily something else.
    """
    text = parse_text(value)
    if text is None:
        return None
    if match := _REFERENCE.fullmatch(text):
        if match[1] or has_priority:
            return f"P{int(match[2])}.{int(match[3])}{match[4].lower()}"
    elif text.isdigit() and priority is not None:
        return f"P{priority}.{int(text)}"
    raise CellError("not an action reference (use the form P2.3)")


# --- rows ----------------------------------------------------------------------------------


class _RowChecker:
    """Reads one row's fields, collecting every problem instead of stopping at the first."""

    def __init__(self, columns: Mapping[str, tuple[int, str]], number: int, cells: Row) -> None:
        self.columns = columns
        self.number = number
        self.cells = cells
        self.errors: list[RowError] = []
        self.failed: set[str] = set()

    def raw(self, field: str) -> CellValue:
        spot = self.columns.get(field)
        return None if spot is None or spot[0] >= len(self.cells) else self.cells[spot[0]]

    def read(self, field: str, parse: Callable[[CellValue], T | None]) -> T | None:
        value = self.raw(field)
        try:
            return parse(value)
        except CellError as error:
            self.fail(field, str(error))
            return None

    def fail(self, field: str, message: str) -> None:
        self.failed.add(field)
        spot = self.columns.get(field)
        header = spot[1] if spot else None
        self.errors.append(RowError(self.number, header, shown_value(self.raw(field)), message))


def _check_row(checker: _RowChecker) -> tuple[PlanRow, str | None]:
    """The row as a PlanRow (unreadable cells blank, their problems in ``checker.errors``)
    and its reference when that much could be read, for the duplicate check."""
    read = checker.read
    priority = read("priority", parse_priority)
    has_priority = "priority" in checker.columns
    reference = read(
        "reference", lambda v: parse_reference(v, priority=priority, has_priority=has_priority)
    )
    if reference is None and "reference" not in checker.failed:
        checker.fail("reference", "reference missing")
    reference_priority = int(reference[1:].split(".")[0]) if reference else None
    if priority is not None and reference_priority is not None and priority != reference_priority:
        checker.fail("priority", f"does not match reference {reference}")
    title = read("title", parse_text)
    if title is None and "title" not in checker.failed:
        checker.fail("title", "action missing")
    owner_name = read("owner_name", parse_text)
    owner_email = read("owner_email", parse_email)
    if owner_name and owner_email is None and "owner_email" not in checker.failed:
        checker.fail("owner_email", "owner e-mail missing")
    start_date, due_date = read("start_date", parse_date), read("due_date", parse_date)
    if start_date and due_date and due_date < start_date:
        checker.fail("due_date", f"before the start date {start_date:%d/%m/%Y}")
    row = PlanRow(
        row=checker.number,
        reference=reference or "",
        priority=priority if priority is not None else reference_priority,
        title=title or "",
        owner_name=owner_name,
        owner_email=owner_email,
        lead_organisation=read("lead_organisation", parse_text),
        workstream=read("workstream", parse_text),
        body=read("body", parse_text),
        start_date=start_date,
        due_date=due_date,
        status=read("status", parse_status),
        rag=read("rag", parse_rag),
        commentary=read("commentary", parse_text),
        updated_on=read("updated_on", parse_date),
        rating_flag=read("rating_flag", parse_text),
    )
    return row, reference


def _parses(parse: Callable[[CellValue], object], value: CellValue) -> bool:
    try:
        parse(value)
    except CellError:
        return False
    return True


def _status_holds_rag(
    columns: Mapping[str, tuple[int, str]], rows: tuple[tuple[int, Row], ...]
) -> bool:
    """True when a sheet without a RAG column keeps its ratings under "Status"."""
    if "rag" in columns or "status" not in columns:
        return False
    index = columns["status"][0]
    values = [
        cells[index] for _, cells in rows if index < len(cells) and not is_blank(cells[index])
    ]
    return (
        bool(values)
        and all(_parses(parse_rag, value) for value in values)
        and any(not _parses(parse_status, value) for value in values)
    )


def _is_section_heading(columns: Mapping[str, tuple[int, str]], cells: Row) -> bool:
    """A lone text such as "Priority 1: Inclusion" in the first column, above its actions."""
    filled = [
        (index, field)
        for field, (index, _) in columns.items()
        if index < len(cells) and not is_blank(cells[index])
    ]
    if len(filled) != 1:
        return False
    index, field = filled[0]
    value = cells[index]
    return (
        field in {"reference", "priority"}
        and index == min(spot[0] for spot in columns.values())
        and isinstance(value, str)
        and not _REFERENCE.fullmatch(value.strip())
    )


def _check_required_columns(columns: Mapping[str, tuple[int, str]], filename: str) -> None:
    if "reference" not in columns:
        raise SpreadsheetError(
            f"no reference column in {filename}: name one Ref, Reference, Action No. or ID"
        )
    if "title" not in columns:
        raise SpreadsheetError(
            f"no action column in {filename}: name one Action, What we will do or Description"
        )
    if "owner_name" in columns and "owner_email" not in columns:
        raise SpreadsheetError(
            f"{filename} names owners in '{columns['owner_name'][1]}' but has no owner e-mail "
            "column: add one named Lead Officer Email or Owner Email"
        )


def read_plan(
    source: str | os.PathLike[str] | bytes | BinaryIO,
    *,
    filename: str,
    max_bytes: int = MAX_BYTES,
) -> PlanSheet:
    """Read and check an action plan from ``.xlsx`` or ``.csv`` bytes, a path or a file.

    Raises SpreadsheetError for a problem with the whole file (not a workbook, unsafe, too big,
    no header row, no reference or action column). Problems with single rows are returned in
    ``errors``, every one of them, and those rows are left out of ``rows`` (they are in
    ``invalid_rows``). Blank rows, and
    section headings such as "Priority 1: Inclusion" alone in the first column, are skipped.
    Text keeps what was typed, trimmed; one leading apostrophe before ``= + - @`` is taken off
    because our exports add it to stop formulas (so an export reads back unchanged).
    """
    table = read_table(source, filename=filename, max_bytes=max_bytes)
    columns = dict(table.columns)
    _check_required_columns(columns, filename)
    if _status_holds_rag(columns, table.rows):
        columns["rag"] = columns.pop("status")
    plan_rows: list[PlanRow] = []
    invalid_rows: list[PlanRow] = []
    errors: list[RowError] = []
    first_row_of: dict[str, int] = {}
    for number, cells in table.rows:
        if _is_section_heading(columns, cells) or all(
            index >= len(cells) or is_blank(cells[index]) for index, _ in columns.values()
        ):
            continue
        checker = _RowChecker(columns, number, cells)
        plan_row, reference = _check_row(checker)
        if reference and reference in first_row_of:
            first = first_row_of[reference]
            checker.fail("reference", f"duplicate reference {reference}: also on row {first}")
        elif reference:
            first_row_of[reference] = number
        errors.extend(checker.errors)
        (invalid_rows if checker.errors else plan_rows).append(plan_row)
    return PlanSheet(
        sheet_name=table.sheet_name,
        header_row=table.header_row,
        column_map=MappingProxyType({field: header for field, (_, header) in columns.items()}),
        ignored_columns=table.ignored_columns,
        rows=tuple(plan_rows),
        errors=tuple(errors),
        invalid_rows=tuple(invalid_rows),
    )

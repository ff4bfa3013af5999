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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from types import MappingProxyType
from typing import BinaryIO, TypeVar

from tracker.models import ActionStatus, Rag
from tracker.rules import RAG_LABELS
from tracker.spreadsheets.cells import (
    CellError,
    CellValue,
    Row,
    Table,
    colour_columns,
    is_blank,
    parse_date,
    parse_text,
    parse_whole_number,
    shown_value,
)
from tracker.spreadsheets.colours import DEFAULT_RAG_COLOURS, RagColours, match_rag
from tracker.spreadsheets.dates import NotADate, describe, read_due_date
from tracker.spreadsheets.reader import MAX_BYTES, SpreadsheetError, no_header_error
from tracker.spreadsheets.workbook import SkippedSheet, read_tables

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
_NUMBER_PREFIX = re.compile(r"(?:no|number|ref|action)\s*\.?\s*:?\s*(?=\d)", re.IGNORECASE)
# "Priority 2", "P2", "P2 Inclusion", "2. Meeting needs", "Priority 2: Inclusion".
_NAMED_PRIORITY = re.compile(
    r"\s*(?:(?:priority|p)\s*(\d+)\b(?!\s*\.\s*\d)|(\d+)\s*[.:)\-]\s+[a-z])", re.IGNORECASE
)
_PRIORITY = re.compile(r"(?:priority|p)?\s*(\d+)(?:\b.*)?", re.IGNORECASE | re.DOTALL)
_EMAIL = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~.-]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RowError:
    """One problem in one row: sheet row (1-based), column header and value as shown.

    ``keeps_stored`` marks a problem that does not refuse the row when rows with problems are
    skipped: the field keeps what is stored (a due date written "TBC" or "Spring term").
    The same shape carries the reading notes of a dry run (what a colour or date was read as).
    """

    row: int
    column: str | None
    value: str | None
    message: str
    sheet: str | None = None
    keeps_stored: bool = False

    def describe(self, *, with_sheet: bool = True) -> str:
        where = f"Row {self.row}" + (f", {self.column}" if self.column else "")
        if with_sheet and self.sheet:
            where = f"Sheet '{self.sheet}', {where[0].lower()}{where[1:]}"
        shown = f" ('{self.value}')" if self.value is not None else ""
        return f"{where}: {self.message}{shown}"

    def __str__(self) -> str:
        return self.describe()


@dataclass(frozen=True)
class SheetSummary:
    """One sheet as the importer read it: rows read, actions found, problems and notes."""

    name: str
    header_row: int
    column_map: Mapping[str, str]
    rows_read: int
    actions_found: int
    problems: int
    priority: int | None = None  # from the sheet's name, when no column gives it


@dataclass(frozen=True)
class PlanRow:
    """One action as the sheet states it, every field checked and typed."""

    row: int
    reference: str
    priority: int | None
    title: str
    sheet: str | None = None
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
    # Rows whose only problems leave a stored value as it is (a due date "TBC", "Ongoing" or
    # a school term): also in ``invalid_rows``; taken, without that value, when rows with
    # problems are skipped.
    kept_rows: tuple[PlanRow, ...] = ()
    sheets: tuple[SheetSummary, ...] = ()
    skipped: tuple[SkippedSheet, ...] = ()
    # What a colour, a merged cell or a date that was not a plain date was read as.
    notes: tuple[RowError, ...] = ()
    workbook_sheets: tuple[str, ...] = ()  # every sheet of the file, in order

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

    A bare "2.3" or "No. 2.3", or "3" beside priority 2, is read as P2.3 only when the row's
    priority is known (a priority column, a merged cell or heading, the sheet's name): without
    one a bare number is too easily something else.
    """
    text = parse_text(value)
    if text is None:
        return None
    text = _NUMBER_PREFIX.sub("", text, count=1)
    if match := _REFERENCE.fullmatch(text):
        if match[1] or has_priority:
            return f"P{int(match[2])}.{int(match[3])}{match[4].lower()}"
    elif text.isdigit() and priority is not None:
        return f"P{priority}.{int(text)}"
    raise CellError("not an action reference (use the form P2.3)")


# --- rows ----------------------------------------------------------------------------------


class _RowChecker:
    """Reads one row's fields, collecting every problem instead of stopping at the first."""

    def __init__(
        self,
        columns: Mapping[str, tuple[int, str]],
        number: int,
        cells: Row,
        sheet: str | None = None,
    ) -> None:
        self.columns = columns
        self.number = number
        self.cells = cells
        self.sheet = sheet
        self.errors: list[RowError] = []
        self.notes: list[RowError] = []
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

    def fail(
        self, field: str, message: str, *, keeps_stored: bool = False, column: str | None = None
    ) -> None:
        self.failed.add(field)
        spot = self.columns.get(field)
        header = column or (spot[1] if spot else None)
        shown = shown_value(self.raw(field)) if column is None else None
        self.errors.append(
            RowError(self.number, header, shown, message, self.sheet, keeps_stored=keeps_stored)
        )

    def note(self, column: str, value: str | None, message: str) -> None:
        self.notes.append(RowError(self.number, column, value, message, self.sheet))


@dataclass(frozen=True)
class _RowContext:
    """What a row's cells do not say but its place does: the priority from a merged cell or a
    heading above or beside it, or from the sheet's name; the fill colour of its RAG cell."""

    priority: int | None = None
    fill: tuple[str, str] | None = None  # (column header, "RRGGBB")
    rag_colours: RagColours = DEFAULT_RAG_COLOURS


def _due_date(checker: _RowChecker) -> date | None:
    value = checker.raw("due_date")
    try:
        reading = read_due_date(value)
    except NotADate as error:
        checker.fail("due_date", str(error), keeps_stored=True)
        return None
    except CellError as error:
        checker.fail("due_date", str(error))
        return None
    if reading is None:
        return None
    if reading.read_as is not None:
        spot = checker.columns["due_date"]
        checker.note(spot[1], shown_value(value), describe(reading))
    return reading.day


def _rag(checker: _RowChecker, context: _RowContext) -> str | None:
    """The RAG rating in words, else the fill colour's; a disagreement is noted (words win)."""
    words = checker.read("rag", parse_rag)
    if context.fill is None or "rag" in checker.failed:
        return words
    column, rgb = context.fill
    colour = match_rag(rgb, context.rag_colours)
    if words is not None:
        if colour is not None and colour != words:
            checker.note(
                column,
                f"#{rgb}",
                f"the fill colour reads as {RAG_LABELS[colour]} but the cell says "
                f"{RAG_LABELS[words]}: the words are taken",
            )
        return words
    if colour is None:
        checker.fail(
            "rag",
            f"the fill colour #{rgb} is not a RAG colour (see rag_fill_colours in "
            "governance.yaml): type the rating or use a RAG colour",
            column=column,
        )
        checker.errors[-1] = replace(checker.errors[-1], value=f"#{rgb}")
        return None
    checker.note(column, f"#{rgb}", f"fill colour read as {RAG_LABELS[colour]}")
    return colour


def _check_row(
    checker: _RowChecker, context: _RowContext | None = None
) -> tuple[PlanRow, str | None]:
    """The row as a PlanRow (unreadable cells blank, their problems in ``checker.errors``)
    and its reference when that much could be read, for the duplicate check."""
    context = context or _RowContext()
    read = checker.read
    priority = read("priority", parse_priority)
    from_context = priority is None and "priority" not in checker.failed
    if from_context:
        priority = context.priority
    has_priority = "priority" in checker.columns or priority is not None
    reference = read(
        "reference", lambda v: parse_reference(v, priority=priority, has_priority=has_priority)
    )
    if reference is None and "reference" not in checker.failed:
        checker.fail("reference", "reference missing")
    reference_priority = int(reference[1:].split(".")[0]) if reference else None
    if from_context:
        # A sheet's name or heading only completes a bare number ("3" -> P2.3): a reference
        # that names its priority ("P3.1", "3.1") says which it is.
        priority = reference_priority or priority
    elif priority is not None and reference_priority is not None and priority != reference_priority:
        checker.fail("priority", f"does not match reference {reference}")
    title = read("title", parse_text)
    if title is None and "title" not in checker.failed:
        checker.fail("title", "action missing")
    owner_name = read("owner_name", parse_text)
    owner_email = read("owner_email", parse_email)
    if owner_name and owner_email is None and "owner_email" not in checker.failed:
        checker.fail("owner_email", "owner e-mail missing")
    start_date, due_date = read("start_date", parse_date), _due_date(checker)
    if start_date and due_date and due_date < start_date:
        checker.fail("due_date", f"before the start date {start_date:%d/%m/%Y}")
    row = PlanRow(
        row=checker.number,
        reference=reference or "",
        priority=priority if priority is not None else reference_priority,
        title=title or "",
        sheet=checker.sheet,
        owner_name=owner_name,
        owner_email=owner_email,
        lead_organisation=read("lead_organisation", parse_text),
        workstream=read("workstream", parse_text),
        body=read("body", parse_text),
        start_date=start_date,
        due_date=due_date,
        status=read("status", parse_status),
        rag=_rag(checker, context),
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


def _missing_columns(columns: Mapping[str, tuple[int, str]]) -> str | None:
    """Why a table cannot be read as a plan (a column it lacks), or None."""
    if "reference" not in columns:
        return "no reference column: name one Ref, Reference, No., Action No. or ID"
    if "title" not in columns:
        return "no action column: name one Action, What we will do or Description"
    if "owner_name" in columns and "owner_email" not in columns:
        return (
            f"names owners in '{columns['owner_name'][1]}' but has no owner e-mail column: add "
            "one named Lead Officer Email or Owner Email"
        )
    return None


def _check_required_columns(columns: Mapping[str, tuple[int, str]], filename: str) -> None:
    if "reference" not in columns:
        raise SpreadsheetError(
            f"no reference column in {filename}: name one Ref, Reference, No., Action No. or ID"
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


def priority_named(text: str | None) -> int | None:
    """The priority a sheet name or heading names: "Priority 2", "P2", "2. Meeting needs"."""
    if not text:
        return None
    match = _NAMED_PRIORITY.match(text)
    if match is None:
        return None
    number = int(match[1] or match[2])
    return number if number >= 1 else None


def _fill_column(table: Table, columns: Mapping[str, tuple[int, str]]) -> tuple[int, str] | None:
    """The column whose fill colours are read as RAG: the RAG column when it is coloured,
    else the first coloured status or progress column."""
    coloured = {column for _, column in table.fills}
    if not coloured:
        return None
    headers = {index: header for index, header in columns.values()}
    if "rag" in columns and columns["rag"][0] in coloured:
        return columns["rag"]
    header_cells = tuple(headers.get(i, "") for i in range(max(headers, default=-1) + 1))
    for index in sorted(colour_columns(header_cells) & coloured):
        return index, headers[index]
    return None


@dataclass
class _SheetResult:
    rows: list[PlanRow]
    invalid_rows: list[PlanRow]
    kept_rows: list[PlanRow]
    errors: list[RowError]
    notes: list[RowError]
    summary: SheetSummary


def _beside_priority(table: Table, beside: frozenset[int], number: int, cells: Row) -> int | None:
    """A priority merged down an unmapped column beside the rows ("Priority 2" over 5-12)."""
    for index in beside:
        if (number, index) in table.merged and index < len(cells):
            value = cells[index]
            found = priority_named(value) if isinstance(value, str) else None
            if found is not None:
                return found
    return None


def _read_sheet(
    table: Table,
    columns: dict[str, tuple[int, str]],
    first_row_of: dict[str, tuple[str, int]],
    rag_colours: RagColours,
    *,
    named: bool,
) -> _SheetResult:
    sheet_priority = priority_named(table.sheet_name)
    fill_spot = _fill_column(table, columns)
    mapped = {index for index, _ in columns.values()}
    beside = frozenset(column for _, column in table.merged if column not in mapped)
    result = _SheetResult(
        [],
        [],
        [],
        [],
        [],
        SheetSummary(
            table.sheet_name,
            table.header_row,
            MappingProxyType({f: h for f, (_, h) in columns.items()}),
            0,
            0,
            0,
            sheet_priority,
        ),
    )
    heading_priority: int | None = None
    rows_read = 0
    for number, cells in table.rows:
        if _is_section_heading(columns, cells) or _is_merged_heading(table, columns, number, cells):
            heading_priority = priority_named(_first_text(cells)) or heading_priority
            continue
        if all(index >= len(cells) or is_blank(cells[index]) for index in mapped):
            continue
        rows_read += 1
        priority = (
            _beside_priority(table, beside, number, cells) if beside else None
        ) or heading_priority
        fill = None
        if fill_spot is not None and (number, fill_spot[0]) in table.fills:
            fill = (fill_spot[1], table.fills[(number, fill_spot[0])])
        context = _RowContext(priority or sheet_priority, fill, rag_colours)
        checker = _RowChecker(columns, number, cells, table.sheet_name if named else None)
        plan_row, reference = _check_row(checker, context)
        if reference and reference in first_row_of:
            sheet, first = first_row_of[reference]
            where = f"row {first}" + ("" if sheet == table.sheet_name else f" of sheet '{sheet}'")
            checker.fail("reference", f"duplicate reference {reference}: also on {where}")
        elif reference:
            first_row_of[reference] = (table.sheet_name, number)
        result.errors.extend(checker.errors)
        result.notes.extend(checker.notes)
        (result.invalid_rows if checker.errors else result.rows).append(plan_row)
        if checker.errors and all(error.keeps_stored for error in checker.errors):
            result.kept_rows.append(plan_row)
    result.summary = replace(
        result.summary,
        rows_read=rows_read,
        actions_found=len(result.rows) + len(result.invalid_rows),
        problems=len(result.errors),
    )
    return result


def _first_text(cells: Row) -> str | None:
    for value in cells:
        if isinstance(value, str) and value.strip():
            return value
    return None


def _is_merged_heading(
    table: Table, columns: Mapping[str, tuple[int, str]], number: int, cells: Row
) -> bool:
    """A row holding only a priority heading (typed once, perhaps merged across the sheet)."""
    texts = [value for value in cells if not is_blank(value)]
    if len(texts) != 1 or not isinstance(texts[0], str):
        return False
    index = cells.index(texts[0])
    return (
        (number, index) not in table.merged
        and priority_named(texts[0]) is not None
        and (columns.get("title", (-1, ""))[0] != index)
    )


def read_plan(
    source: str | os.PathLike[str] | bytes | BinaryIO,
    *,
    filename: str,
    max_bytes: int = MAX_BYTES,
    sheets: Sequence[str] = (),
    rag_colours: RagColours = DEFAULT_RAG_COLOURS,
) -> PlanSheet:
    """Read and check an action plan from ``.xlsx`` or ``.csv`` bytes, a path or a file.

    Every sheet whose header row maps to plan columns is read (only ``sheets`` when given);
    the others are listed in ``skipped`` with the reason. Raises SpreadsheetError for a problem
    with the whole file (not a workbook, unsafe, too big, no sheet with a header row, a
    reference and an action column). Problems with single rows are returned in ``errors``,
    every one of them, and those rows are left out of ``rows`` (they are in ``invalid_rows``),
    except problems that only keep a stored value (``keeps_stored``: a due date "TBC").
    Blank rows, and section headings such as "Priority 1: Inclusion" alone in the first
    column, are skipped; a heading, a merged cell beside the rows or the sheet's name
    ("Priority 2", "P2") gives the priority when no column does. A value merged over rows
    applies to each of them. An empty RAG cell's fill colour is read against ``rag_colours``.
    Text keeps what was typed, trimmed; one leading apostrophe before ``= + - @`` is taken off
    because our exports add it to stop formulas (so an export reads back unchanged).
    """
    book = read_tables(source, filename=filename, max_bytes=max_bytes, sheets=sheets)
    if not book.tables:
        if sheets:
            reasons = "; ".join(
                f"'{s.name}': {s.reason}" for s in book.skipped if s.reason != "not chosen"
            )
            raise SpreadsheetError(f"no action plan on the sheets chosen in {filename}: {reasons}")
        raise no_header_error(filename)
    readable: list[tuple[Table, dict[str, tuple[int, str]]]] = []
    skipped = list(book.skipped)
    for table in book.tables:
        columns = dict(table.columns)
        why = _missing_columns(columns)
        if why is not None:
            skipped.append(SkippedSheet(table.sheet_name, why))
            continue
        if _status_holds_rag(columns, table.rows):
            columns["rag"] = columns.pop("status")
        readable.append((table, columns))
    if not readable:
        if len(book.tables) == 1 and not book.skipped:
            _check_required_columns(dict(book.tables[0].columns), filename)
        reasons = "; ".join(f"'{s.name}': {s.reason}" for s in skipped)
        raise SpreadsheetError(f"no sheet of {filename} holds an action plan: {reasons}")
    first_row_of: dict[str, tuple[str, int]] = {}
    named = len(readable) > 1  # one sheet: its rows need no sheet name
    results = [
        _read_sheet(table, columns, first_row_of, rag_colours, named=named)
        for table, columns in readable
    ]
    first = readable[0][0]
    column_map: dict[str, str] = {}
    for _, columns in readable:
        for field, (_, header) in columns.items():
            column_map.setdefault(field, header)
    order = {name: i for i, name in enumerate(book.sheet_names)}
    skipped.sort(key=lambda s: order.get(s.name, len(order)))
    return PlanSheet(
        sheet_name=", ".join(table.sheet_name for table, _ in readable),
        header_row=first.header_row,
        column_map=MappingProxyType(column_map),
        ignored_columns=tuple(
            dict.fromkeys(c for table, _ in readable for c in table.ignored_columns)
        ),
        rows=tuple(row for result in results for row in result.rows),
        errors=tuple(error for result in results for error in result.errors),
        invalid_rows=tuple(row for result in results for row in result.invalid_rows),
        kept_rows=tuple(row for result in results for row in result.kept_rows),
        sheets=tuple(result.summary for result in results),
        skipped=tuple(skipped),
        notes=tuple(note for result in results for note in result.notes),
        workbook_sheets=book.sheet_names,
    )

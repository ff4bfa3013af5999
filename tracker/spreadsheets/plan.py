"""Turn the sheets of an uploaded action plan into validated, typed plan rows.

:func:`read_plan` is the public entry: it reads every sheet whose header maps (see
:mod:`tracker.spreadsheets.workbook`), skipping the others with the reason, then checks every
row as an action (:mod:`tracker.spreadsheets.rows`): a reference used once in the file, its
priority from a column, a heading or merged cell above or beside the rows, or the sheet's name.
Every problem in a row is reported with its sheet, row, column header and value, so a person can
fix the workbook in one pass; rows with a problem are left out of ``rows`` and the caller
decides (the importer refuses the whole file). Each sheet is summarised (rows read, actions
found, problems). Nothing here touches the database.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import BinaryIO

from tracker.spreadsheets.cells import Row, Table, colour_columns, is_blank
from tracker.spreadsheets.colours import DEFAULT_RAG_COLOURS, RagColours
from tracker.spreadsheets.reader import MAX_BYTES, SpreadsheetError, no_header_error
from tracker.spreadsheets.rows import (
    RAG_WORDS,
    REFERENCE,
    STATUS_WORDS,
    PlanRow,
    RowChecker,
    RowContext,
    RowError,
    check_row,
    parse_email,
    parse_priority,
    parse_rag,
    parse_reference,
    parse_status,
    parses,
)
from tracker.spreadsheets.workbook import SkippedSheet, read_tables

__all__ = [
    "RAG_WORDS",
    "STATUS_WORDS",
    "PlanRow",
    "PlanSheet",
    "RowError",
    "SheetSummary",
    "parse_email",
    "parse_priority",
    "parse_rag",
    "parse_reference",
    "parse_status",
    "priority_named",
    "read_plan",
]

# "Priority 2", "P2", "P2 Inclusion", "2. Meeting needs", "Priority 2: Inclusion".
_NAMED_PRIORITY = re.compile(
    r"\s*(?:(?:priority|p)\s*(\d+)\b(?!\s*\.\s*\d)|(\d+)\s*[.:)\-]\s+[a-z])", re.IGNORECASE
)


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
        and all(parses(parse_rag, value) for value in values)
        and any(not parses(parse_status, value) for value in values)
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
        and not REFERENCE.fullmatch(value.strip())
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
        context = RowContext(priority or sheet_priority, fill, rag_colours)
        checker = RowChecker(columns, number, cells, table.sheet_name if named else None)
        plan_row, reference = check_row(checker, context)
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

"""Read every action-plan sheet of a workbook, as teams keep them: fills and merged cells.

:func:`read_tables` opens a file as :mod:`tracker.spreadsheets.reader` does (same refusals of
unsafe files) and returns a table for each sheet whose header row maps to plan columns, or only
the sheets named, with the sheets left out and why (a cover, a key, instructions, a hidden
sheet). Each table carries the fill colours of its RAG, status and progress columns, resolved
through the workbook's theme (:mod:`tracker.spreadsheets.colours`), and the values of merged
ranges copied down every row of the range. The read-only reader reports no merges, and loading
a sheet in full would hold every cell in memory, so each sheet's ``<mergeCells>`` are found by
scanning its XML as a byte stream. A due date Excel shows as a month ("mmm-yy") is read as the
text shown, so it means the month's end.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath
from typing import Any, BinaryIO

import openpyxl
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from tracker.spreadsheets.cells import (
    HEADER_SCAN_ROWS,
    CellValue,
    Row,
    Table,
    build_table,
    colour_columns,
    find_header_row,
    is_blank,
    map_columns,
)
from tracker.spreadsheets.colours import fill_colour, theme_colours
from tracker.spreadsheets.reader import (
    EXCEL_MAX_ROWS,
    MAX_COLUMNS,
    MAX_SHEET_ROWS,
    SpreadsheetError,
    has_formulas,
    mark_uncalculated,
    plain_value,
    read_safely,
    read_source_bytes,
    read_table,
    sheet_rows,
)

__all__ = [
    "MAX_MERGED_RANGES",
    "NO_HEADER_REASON",
    "SkippedSheet",
    "WorkbookTables",
    "read_tables",
    "read_xlsx_tables",
]

MAX_MERGED_RANGES = 50_000
RISK_SHEET_NAME = "risks"  # tracker.spreadsheets.risks.RISK_SHEET, compared without case


@dataclass(frozen=True)
class SkippedSheet:
    """A sheet of the workbook that was not read, and why (a cover, a key, instructions)."""

    name: str
    reason: str


@dataclass(frozen=True)
class WorkbookTables:
    """Every plan table of a file (one per sheet whose header maps), and the sheets left out."""

    tables: tuple[Table, ...]
    skipped: tuple[SkippedSheet, ...] = ()
    sheet_names: tuple[str, ...] = ()  # every sheet of the workbook, in order


def read_tables(
    source: str | os.PathLike[str] | bytes | BinaryIO,
    *,
    filename: str,
    max_bytes: int,
    sheets: Sequence[str] = (),
) -> WorkbookTables:
    """Every plan table of an ``.xlsx`` (each sheet whose header maps; only ``sheets`` when
    given) with fill colours and merged cells, or the one table of a ``.csv``."""
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    if suffix == ".csv" or suffix not in {".xlsx", ".xlsm"}:
        table = read_table(source, filename=filename, max_bytes=max_bytes)
        if sheets:
            raise SpreadsheetError(f"{filename} is a CSV file: it has no sheets to choose")
        return WorkbookTables((table,), (), (table.sheet_name,))
    data = read_source_bytes(source, filename=filename, max_bytes=max_bytes)
    return read_xlsx_tables(data, filename=filename, sheets=sheets)


def read_xlsx_tables(data: bytes, *, filename: str, sheets: Sequence[str] = ()) -> WorkbookTables:
    """Every sheet of a workbook whose header row maps to plan columns (or only ``sheets``),
    with the fill colours of its RAG, status and progress columns and its merged cells."""

    def read(data: bytes, *, filename: str) -> WorkbookTables:
        return _read_workbook_sheets(data, filename=filename, wanted=sheets)

    return read_safely(data, filename=filename, read=read)


NO_HEADER_REASON = (
    f"no header row naming plan columns (such as Ref and Action) in its first {HEADER_SCAN_ROWS} "
    "rows"
)


@dataclass
class _SheetRead:
    index: int
    title: str
    header_row: int
    rows: list[Row]
    fills: dict[tuple[int, int], str]
    merged: set[tuple[int, int]]


def _chosen(names: Sequence[str], wanted: Sequence[str], filename: str) -> set[str]:
    known = {name.casefold(): name for name in names}
    missing = [name for name in wanted if name.strip().casefold() not in known]
    if missing:
        listed = ", ".join(f"'{name}'" for name in names)
        raise SpreadsheetError(
            f"{filename} has no sheet named "
            + ", ".join(f"'{name}'" for name in missing)
            + f": its sheets are {listed}"
        )
    return {known[name.strip().casefold()] for name in wanted}


def _read_workbook_sheets(data: bytes, *, filename: str, wanted: Sequence[str]) -> WorkbookTables:
    book = openpyxl.load_workbook(
        io.BytesIO(data), read_only=True, data_only=True, keep_links=False
    )
    found: list[_SheetRead] = []
    skipped: list[SkippedSheet] = []
    try:
        sheets = [sheet for sheet in book.worksheets if isinstance(sheet, ReadOnlyWorksheet)]
        names = tuple(sheet.title for sheet in sheets)
        chosen = _chosen(names, wanted, filename) if wanted else None
        theme = theme_colours(getattr(book, "loaded_theme", None))
        for index, sheet in enumerate(sheets):
            if chosen is not None and sheet.title not in chosen:
                skipped.append(SkippedSheet(sheet.title, "not chosen"))
                continue
            if chosen is None and sheet.title.casefold() == RISK_SHEET_NAME:
                # The risk register of a plan workbook: read as risks, not as actions.
                skipped.append(SkippedSheet(sheet.title, "the risk register (read as risks)"))
                continue
            if chosen is None and sheet.sheet_state != "visible":
                skipped.append(SkippedSheet(sheet.title, "hidden in Excel (name it to read it)"))
                continue
            sheet.reset_dimensions()  # stale <dimension> tags truncate or inflate rows
            head = list(sheet_rows(sheet, max_row=HEADER_SCAN_ROWS))
            hit = find_header_row(iter(head))
            if hit is None:
                skipped.append(SkippedSheet(sheet.title, NO_HEADER_REASON))
                continue
            header_row = hit[0]
            coloured = colour_columns(head[header_row - 1])
            due = map_columns(head[header_row - 1])[0].get("due_date")
            rows, fills = _rows_and_fills(
                sheet, coloured, theme, filename, due_column=None if due is None else due[0]
            )
            merged = _apply_merges(_merge_ranges(book, sheet), rows, fills)
            found.append(_SheetRead(index, sheet.title, header_row, rows, fills, merged))
    finally:
        book.close()
    if found and has_formulas(data):
        formulas = _find_formulas_in(data, [read.index for read in found])
        for read in found:
            mark_uncalculated(read.rows, formulas.get(read.index, {}))
    tables = tuple(
        _with_extras(
            build_table(read.rows, sheet_name=read.title, header_row=read.header_row), read
        )
        for read in found
    )
    return WorkbookTables(tables, tuple(skipped), names)


def _with_extras(table: Table, read: _SheetRead) -> Table:
    return Table(
        table.sheet_name,
        table.header_row,
        table.columns,
        table.ignored_columns,
        table.rows,
        fills=read.fills,
        merged=frozenset(read.merged),
    )


def _rows_and_fills(
    sheet: ReadOnlyWorksheet,
    coloured: frozenset[int],
    theme: Sequence[str],
    filename: str,
    *,
    due_column: int | None = None,
) -> tuple[list[Row], dict[tuple[int, int], str]]:
    """The sheet's rows (at most MAX_SHEET_ROWS) and the fill colours of ``coloured`` columns,
    resolved once per distinct fill. A due date Excel shows as a month only ("Mar-26", typed
    so and stored as the 1st) is read as the text shown, which means the month's end."""
    cells_by_row: Iterator[tuple[Any, ...]] = sheet.iter_rows(  # type: ignore[misc]
        max_row=EXCEL_MAX_ROWS, max_col=MAX_COLUMNS
    )
    rows: list[Row] = []
    fills: dict[tuple[int, int], str] = {}
    resolved: dict[int, str | None] = {}
    for number, cells in enumerate(cells_by_row, start=1):
        row = tuple(plain_value(cell) for cell in cells)
        if due_column is not None and due_column < len(row):
            shown = _month_only(cells[due_column], row[due_column])
            if shown is not None:
                row = (*row[:due_column], shown, *row[due_column + 1 :])
        if number > MAX_SHEET_ROWS:
            if not all(is_blank(value) for value in row):
                raise SpreadsheetError(
                    f"{filename} has more than {MAX_SHEET_ROWS} rows on sheet '{sheet.title}'"
                )
            continue
        rows.append(row)
        for column in coloured:
            if column >= len(cells) or not getattr(cells[column], "has_style", False):
                continue
            fill = cells[column].fill
            key = id(fill)
            if key not in resolved:
                resolved[key] = fill_colour(fill, theme)
            colour = resolved[key]
            if colour is not None:
                fills[(number, column)] = colour
    return rows, fills


_QUOTED_OR_BRACKETED = re.compile(r'"[^"]*"|\[[^\]]*\]')
_MONTH_ABBREVIATIONS: tuple[str, ...] = ("Jan", "Feb", "Mar", "Apr", "May", "Jun")
_MONTH_ABBREVIATIONS += ("Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _month_only(cell: Any, value: CellValue) -> str | None:
    """A date cell whose number format shows no day ("mmm-yy", "mmmm yyyy"), as Excel shows
    it ("Mar-26", "March 2026"); None for any other cell."""
    if not isinstance(value, date):
        return None
    shape = _QUOTED_OR_BRACKETED.sub("", str(getattr(cell, "number_format", "") or "")).lower()
    if "d" in shape or "m" not in shape or "y" not in shape or "h" in shape or "s" in shape:
        return None
    month = _MONTH_ABBREVIATIONS[value.month - 1]
    if "yyyy" in shape:
        return f"{month} {value.year}"
    return f"{month}-{value.year % 100:02d}"


_MERGE_CELL = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref=\"([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)\""
)


def _merge_ranges(book: Any, sheet: ReadOnlyWorksheet) -> list[tuple[int, int, int, int]]:
    """(first row, first column, last row, last column), 1-based, of the sheet's merged ranges.

    The read-only reader skips <mergeCells>, and loading the sheet in full would cost its
    whole cell tree in memory: the sheet's XML is scanned as a byte stream instead.
    """
    from openpyxl.utils import column_index_from_string

    path = getattr(sheet, "_worksheet_path", None)
    archive = getattr(book, "_archive", None)
    if not path or archive is None:
        return []
    ranges: list[tuple[int, int, int, int]] = []
    with archive.open(path) as part:
        tail = b""
        while chunk := part.read(1024 * 1024):
            text = tail + chunk
            last_end = 0
            for match in _MERGE_CELL.finditer(text):
                first_col = column_index_from_string(match[1].decode())
                last_col = column_index_from_string(match[3].decode())
                ranges.append((int(match[2]), first_col, int(match[4]), last_col))
                last_end = match.end()
            # Keep an unfinished tag for the next chunk, never a tag already counted.
            tail = text[max(last_end, len(text) - 200) :]
    return ranges


def _apply_merges(
    ranges: list[tuple[int, int, int, int]],
    rows: list[Row],
    fills: dict[tuple[int, int], str],
) -> set[tuple[int, int]]:
    """Copy each merged range's value (and fill) down every row of the range, in the range's
    first column: "Priority 2" merged over rows 5-12 applies to each of them. The value stays
    in one column, so a heading merged across the sheet is still one heading."""
    merged: set[tuple[int, int]] = set()
    copies = 0  # cells a value is copied to: overlapping ranges must not multiply the work
    if len(ranges) > MAX_MERGED_RANGES:
        raise SpreadsheetError(f"a sheet has more than {MAX_MERGED_RANGES:,} merged ranges")
    for first_row, first_col, last_row, _ in ranges:
        column = first_col - 1
        if last_row <= first_row or column >= MAX_COLUMNS or first_row > len(rows):
            continue
        top = rows[first_row - 1]
        value = top[column] if column < len(top) else None
        colour = fills.get((first_row, column))
        merged.add((first_row, column))
        copies += max(min(last_row, len(rows)) - first_row, 0)
        if copies > MAX_SHEET_ROWS * MAX_COLUMNS:
            raise SpreadsheetError("a sheet has more merged cells than a plan could hold")
        for number in range(first_row + 1, min(last_row, len(rows)) + 1):
            cells = rows[number - 1]
            if value is not None and (column >= len(cells) or is_blank(cells[column])):
                padded = cells + (None,) * (column + 1 - len(cells))
                rows[number - 1] = (*padded[:column], value, *padded[column + 1 :])
                merged.add((number, column))
            if colour is not None:
                fills.setdefault((number, column), colour)
    return merged


def _find_formulas_in(data: bytes, indexes: list[int]) -> dict[int, dict[tuple[int, int], str]]:
    """Formula cells of each sheet in ``indexes``: one more pass, formulas as written."""
    book = openpyxl.load_workbook(
        io.BytesIO(data), read_only=True, data_only=False, keep_links=False
    )
    try:
        sheets = [sheet for sheet in book.worksheets if isinstance(sheet, ReadOnlyWorksheet)]
        found: dict[int, dict[tuple[int, int], str]] = {}
        for index in indexes:
            sheets[index].reset_dimensions()
            cells_found: dict[tuple[int, int], str] = {}
            rows = sheets[index].iter_rows(max_row=MAX_SHEET_ROWS, max_col=MAX_COLUMNS)
            for row_number, cells in enumerate(rows, start=1):
                for column, cell in enumerate(cells):
                    if cell.data_type == "f":
                        value = str(getattr(cell.value, "text", cell.value))
                        cells_found[(row_number, column)] = value
            found[index] = cells_found
        return found
    finally:
        book.close()

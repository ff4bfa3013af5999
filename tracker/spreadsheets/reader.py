"""Open an uploaded spreadsheet safely and find the plan table inside it.

This module knows files, not actions: it refuses anything dangerous *before* a parser sees it
(size, zip bombs, path tricks in the zip, unsafe XML), reads ``.xlsx`` with openpyxl in read-only,
cached-values mode (formulas are never evaluated) and ``.csv`` in the encodings and delimiters
Excel produces, and hands the rows to :mod:`tracker.spreadsheets.cells`, which finds the header
row below any title block, maps the column names teams use and reads the cell values (those
names are re-exported here, where other modules have always imported them). What the values
mean for an action plan is decided in :mod:`tracker.spreadsheets.plan`.
"""

from __future__ import annotations

import csv
import io
import os
import re
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import PurePosixPath
from typing import Any, BinaryIO

import openpyxl
from defusedxml import DefusedXmlException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from tracker.errors import InvalidInput
from tracker.spreadsheets.cells import (
    COLUMN_ALIASES,
    DATE_HINT,
    FORMULA_TRIGGERS,
    HEADER_SCAN_ROWS,
    MONTHS,
    CellError,
    CellProblem,
    CellValue,
    Row,
    Table,
    build_table,
    colour_columns,
    find_header_row,
    header_text,
    is_blank,
    map_columns,
    normalise_header,
    parse_date,
    parse_text,
    parse_whole_number,
    shown_value,
)
from tracker.spreadsheets.colours import fill_colour, theme_colours

__all__ = [
    "COLUMN_ALIASES",
    "DATE_HINT",
    "FORMULA_TRIGGERS",
    "HEADER_SCAN_ROWS",
    "MAX_BYTES",
    "MONTHS",
    "CellError",
    "CellProblem",
    "CellValue",
    "Row",
    "SkippedSheet",
    "SpreadsheetError",
    "Table",
    "WorkbookTables",
    "build_table",
    "check_zip_container",
    "find_header_row",
    "header_text",
    "is_blank",
    "map_columns",
    "no_header_error",
    "normalise_header",
    "parse_date",
    "parse_text",
    "parse_whole_number",
    "read_csv_table",
    "read_source_bytes",
    "read_table",
    "read_tables",
    "read_xlsx_table",
    "read_xlsx_tables",
    "shown_value",
]

MAX_BYTES = 20 * 1024 * 1024
MAX_ZIP_MEMBERS = 2_000
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
# Sheet XML compresses 10-50 times; zip bombs compress a thousand times or more.
MAX_COMPRESSION_RATIO = 200
RATIO_CHECK_FROM_BYTES = 1024 * 1024
MAX_SHEET_ROWS = 20_000
EXCEL_MAX_ROWS = 1_048_576
MAX_COLUMNS = 60
MAX_MERGED_RANGES = 50_000

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class SpreadsheetError(InvalidInput):
    """The file as a whole cannot be read as an action plan; the message says why."""


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


# --- opening files safely -----------------------------------------------------------------


def read_table(
    source: str | os.PathLike[str] | bytes | BinaryIO, *, filename: str, max_bytes: int
) -> Table:
    """Read the plan table from an ``.xlsx`` or ``.csv`` file, refusing unsafe files."""
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    if suffix not in {".xlsx", ".xlsm", ".csv"}:
        hint = " (the old .xls format: save it as .xlsx in Excel)" if suffix == ".xls" else ""
        raise SpreadsheetError(f"{filename} is not a spreadsheet we read{hint}: use .xlsx or .csv")
    data = read_source_bytes(source, filename=filename, max_bytes=max_bytes)
    if suffix == ".csv":
        return read_csv_table(data, filename=filename)
    return read_xlsx_table(data, filename=filename)


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
        return WorkbookTables((table,), (), (table.sheet_name,))
    data = read_source_bytes(source, filename=filename, max_bytes=max_bytes)
    return read_xlsx_tables(data, filename=filename, sheets=sheets)


def read_source_bytes(
    source: str | os.PathLike[str] | bytes | BinaryIO, *, filename: str, max_bytes: int
) -> bytes:
    """The file's bytes, never reading more than ``max_bytes + 1`` of them."""
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, str | os.PathLike):
        # Reading at most one byte past the limit keeps a huge file out of memory.
        with open(source, "rb") as handle:
            data = handle.read(max_bytes + 1)
    else:
        data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        limit = f"{max_bytes / (1024 * 1024):.0f} MB"
        raise SpreadsheetError(f"{filename} is larger than the {limit} limit")
    if not data:
        raise SpreadsheetError(f"{filename} is empty")
    return data


def check_zip_container(data: bytes, *, filename: str) -> None:
    """Refuse anything that is not a plain, reasonably sized zip before openpyxl opens it."""
    if data.startswith(_OLE_MAGIC):
        raise SpreadsheetError(
            f"{filename} is not an Excel workbook in .xlsx form: it is password-protected or in "
            "the old .xls format; remove the password or save it as .xlsx in Excel"
        )
    not_workbook = f"{filename} is not an Excel workbook (.xlsx)"
    if not data.startswith(_ZIP_MAGIC):
        raise SpreadsheetError(not_workbook)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        raise SpreadsheetError(f"{not_workbook}: the file is damaged") from error
    if len(members) > MAX_ZIP_MEMBERS:
        raise SpreadsheetError(f"{not_workbook}: it holds more than {MAX_ZIP_MEMBERS} parts")
    names = [member.filename for member in members]
    if len(set(names)) != len(names):
        raise SpreadsheetError(f"{not_workbook}: it holds two parts with the same name")
    total = 0
    for member in members:
        _check_member(member, not_workbook=not_workbook)
        total += member.file_size
    if total > MAX_UNCOMPRESSED_BYTES:
        raise SpreadsheetError(
            f"{not_workbook}: it unpacks to more than "
            f"{MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB (a 'zip bomb')"
        )


def _check_member(member: zipfile.ZipInfo, *, not_workbook: str) -> None:
    name = member.filename.replace("\\", "/")
    if name.startswith("/") or re.match(r"[A-Za-z]:", name) or ".." in name.split("/"):
        raise SpreadsheetError(f"{not_workbook}: it holds a part outside the workbook ({name})")
    if member.flag_bits & 0x1:
        raise SpreadsheetError(f"{not_workbook}: it is encrypted")
    if member.file_size > RATIO_CHECK_FROM_BYTES and (
        member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1)
    ):
        raise SpreadsheetError(f"{not_workbook}: a part is compressed suspiciously (a 'zip bomb')")


def read_xlsx_table(data: bytes, *, filename: str) -> Table:
    """The plan table of a workbook: the sheet whose header matches best, read in full."""
    if not openpyxl.DEFUSEDXML:
        # Without defusedxml openpyxl parses XML with the standard library, which expands
        # entities; better to refuse every workbook than to parse one unsafely.
        raise SpreadsheetError("workbooks cannot be read safely here: install defusedxml")
    check_zip_container(data, filename=filename)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it drops (data validation, slicers); not our user's
            # problem, and the tests turn warnings into errors.
            warnings.simplefilter("ignore")
            return _read_workbook(data, filename=filename)
    except SpreadsheetError:
        raise
    except Exception as error:  # a malformed workbook can fail anywhere inside openpyxl
        if _caused_by(error, DefusedXmlException):
            raise SpreadsheetError(
                f"{filename} could not be read: it holds unsafe XML (entity or DTD tricks)"
            ) from error
        raise SpreadsheetError(
            f"{filename} could not be read as an Excel workbook: it is damaged or not a "
            "spreadsheet; open it in Excel and save it again as .xlsx"
        ) from error


def _caused_by(error: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _read_workbook(data: bytes, *, filename: str) -> Table:
    book = openpyxl.load_workbook(
        io.BytesIO(data), read_only=True, data_only=True, keep_links=False
    )
    try:
        sheets = [sheet for sheet in book.worksheets if isinstance(sheet, ReadOnlyWorksheet)]
        best: tuple[int, int, int] | None = None  # (score, sheet index, header row)
        for index, sheet in enumerate(sheets):
            sheet.reset_dimensions()  # stale <dimension> tags truncate or inflate rows
            found = find_header_row(_sheet_rows(sheet, max_row=HEADER_SCAN_ROWS))
            if found is not None and (best is None or found[1] > best[0]):
                best = (found[1], index, found[0])
        if best is None:
            raise no_header_error(filename)
        _, sheet_index, header_row = best
        rows = _keep_rows(_sheet_rows(sheets[sheet_index], max_row=EXCEL_MAX_ROWS), filename)
        sheet_name = sheets[sheet_index].title
    finally:
        book.close()
    formulas = _find_formulas(data, sheet_index=sheet_index) if _has_formulas(data) else {}
    for (row_number, column), formula in formulas.items():
        cells = rows[row_number - 1]
        if cells[column] is None:
            problem = CellProblem("formula without a calculated value", formula)
            rows[row_number - 1] = (*cells[:column], problem, *cells[column + 1 :])
    return build_table(rows, sheet_name=sheet_name, header_row=header_row)


def read_xlsx_tables(data: bytes, *, filename: str, sheets: Sequence[str] = ()) -> WorkbookTables:
    """Every sheet of a workbook whose header row maps to plan columns (or only ``sheets``),
    with the fill colours of its RAG, status and progress columns and its merged cells."""
    if not openpyxl.DEFUSEDXML:
        raise SpreadsheetError("workbooks cannot be read safely here: install defusedxml")
    check_zip_container(data, filename=filename)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _read_workbook_sheets(data, filename=filename, wanted=sheets)
    except SpreadsheetError:
        raise
    except Exception as error:  # a malformed workbook can fail anywhere inside openpyxl
        if _caused_by(error, DefusedXmlException):
            raise SpreadsheetError(
                f"{filename} could not be read: it holds unsafe XML (entity or DTD tricks)"
            ) from error
        raise SpreadsheetError(
            f"{filename} could not be read as an Excel workbook: it is damaged or not a "
            "spreadsheet; open it in Excel and save it again as .xlsx"
        ) from error


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
            if chosen is None and sheet.sheet_state != "visible":
                skipped.append(SkippedSheet(sheet.title, "hidden in Excel (name it to read it)"))
                continue
            sheet.reset_dimensions()  # stale <dimension> tags truncate or inflate rows
            head = list(_sheet_rows(sheet, max_row=HEADER_SCAN_ROWS))
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
    if found and _has_formulas(data):
        formulas = _find_formulas_in(data, [read.index for read in found])
        for read in found:
            _mark_formulas(read.rows, formulas.get(read.index, {}))
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
        row = tuple(_plain_value(cell) for cell in cells)
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


def _mark_formulas(rows: list[Row], formulas: dict[tuple[int, int], str]) -> None:
    for (row_number, column), formula in formulas.items():
        if row_number > len(rows):
            continue
        cells = rows[row_number - 1]
        if column < len(cells) and cells[column] is None:
            problem = CellProblem("formula without a calculated value", formula)
            rows[row_number - 1] = (*cells[:column], problem, *cells[column + 1 :])


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


def _sheet_rows(sheet: ReadOnlyWorksheet, *, max_row: int) -> Iterator[Row]:
    # The stubs give ReadOnlyWorksheet.iter_rows the signature of Worksheet's unbound method.
    rows: Iterator[tuple[Any, ...]] = sheet.iter_rows(  # type: ignore[misc]
        max_row=max_row, max_col=MAX_COLUMNS
    )
    for cells in rows:
        yield tuple(_plain_value(cell) for cell in cells)


def _plain_value(cell: Any) -> CellValue:
    value = cell.value
    if cell.data_type == "e":
        return CellProblem("Excel error value", str(value))
    if value is None and cell.data_type == "str":
        return ""  # a formula that calculated an empty string, unlike one never calculated
    if isinstance(value, str) and not value.strip():
        return None
    if value is None or isinstance(value, str | int | float | date | time | timedelta):
        return value
    return str(value)  # rich text and other wrappers read as their text


def _keep_rows(rows: Iterator[Row], filename: str) -> list[Row]:
    """The first MAX_SHEET_ROWS rows; any content further down refuses the file."""
    kept: list[Row] = []
    for number, row in enumerate(rows, start=1):
        if number <= MAX_SHEET_ROWS:
            kept.append(row)
        elif not all(is_blank(value) for value in row):
            raise SpreadsheetError(f"{filename} has more than {MAX_SHEET_ROWS} rows")
    return kept


_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")


def _has_formulas(data: bytes) -> bool:
    """Whether any XML part has a formula element; most plans have none, and then the
    second, formulas-as-written pass over the sheet can be skipped."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if not name.endswith(".xml"):
                continue
            with archive.open(name) as part:
                tail = b""
                while chunk := part.read(1024 * 1024):
                    if _FORMULA_TAG.search(tail + chunk):
                        return True
                    tail = chunk[-64:]
    return False


def _find_formulas(data: bytes, *, sheet_index: int) -> dict[tuple[int, int], str]:
    """Formula cells as (1-based row, 0-based column) -> formula text.

    The cached-values pass cannot tell an uncalculated formula from an empty cell, so the sheet
    is read a second time, formulas as written, to find the cells that should have had a value.
    """
    book = openpyxl.load_workbook(
        io.BytesIO(data), read_only=True, data_only=False, keep_links=False
    )
    try:
        sheets = [sheet for sheet in book.worksheets if isinstance(sheet, ReadOnlyWorksheet)]
        sheets[sheet_index].reset_dimensions()
        found: dict[tuple[int, int], str] = {}
        rows = sheets[sheet_index].iter_rows(max_row=MAX_SHEET_ROWS, max_col=MAX_COLUMNS)
        for row_number, cells in enumerate(rows, start=1):
            for column, cell in enumerate(cells):
                if cell.data_type == "f":
                    found[(row_number, column)] = str(getattr(cell.value, "text", cell.value))
        return found
    finally:
        book.close()


def read_csv_table(data: bytes, *, filename: str) -> Table:
    """The plan table of a CSV file, in UTF-8 (with or without BOM) or Windows-1252."""
    if data.startswith(_ZIP_MAGIC) or data.startswith(_OLE_MAGIC):
        raise SpreadsheetError(f"{filename} is an Excel workbook, not a CSV file: name it .xlsx")
    if b"\0" in data[:8192]:
        raise SpreadsheetError(f"{filename} is not a CSV text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise SpreadsheetError(
                f"{filename} is not readable text: save it as 'CSV UTF-8' in Excel"
            ) from error
    best: tuple[int, str, int] | None = None  # (score, delimiter, header row)
    for delimiter in (",", ";", "\t"):
        found = find_header_row(_csv_rows(text, delimiter, filename, limit=HEADER_SCAN_ROWS))
        if found is not None and (best is None or found[1] > best[0]):
            best = (found[1], delimiter, found[0])
    if best is None:
        raise no_header_error(filename)
    rows = list(_csv_rows(text, best[1], filename, limit=MAX_SHEET_ROWS + 1))
    if len(rows) > MAX_SHEET_ROWS:
        raise SpreadsheetError(f"{filename} has more than {MAX_SHEET_ROWS} rows")
    return build_table(rows, sheet_name=PurePosixPath(filename).stem, header_row=best[2])


def _csv_rows(text: str, delimiter: str, filename: str, *, limit: int) -> Iterator[Row]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for count, record in enumerate(reader, start=1):
            if count > limit:
                return
            yield tuple(value if value.strip() else None for value in record[:MAX_COLUMNS])
    except csv.Error as error:
        raise SpreadsheetError(f"{filename} is not a well-formed CSV file: {error}") from error


def no_header_error(filename: str) -> SpreadsheetError:
    return SpreadsheetError(
        f"no header row found in {filename}: expected a row with column names such as "
        "Ref, Action, Lead Officer, Target Date, RAG in the first "
        f"{HEADER_SCAN_ROWS} rows"
    )

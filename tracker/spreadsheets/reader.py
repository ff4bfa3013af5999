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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import PurePosixPath
from typing import Any, BinaryIO, TypeVar

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
    "SheetRows",
    "SpreadsheetError",
    "Table",
    "build_table",
    "caused_by",
    "check_zip_container",
    "find_header_row",
    "has_formulas",
    "header_text",
    "is_blank",
    "map_columns",
    "mark_uncalculated",
    "no_header_error",
    "normalise_header",
    "parse_date",
    "parse_text",
    "parse_whole_number",
    "plain_value",
    "read_csv_table",
    "read_safely",
    "read_source_bytes",
    "read_table",
    "read_xlsx_sheet_rows",
    "read_xlsx_table",
    "sheet_rows",
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

_T = TypeVar("_T")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class SpreadsheetError(InvalidInput):
    """The file as a whole cannot be read as an action plan; the message says why."""


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
    return read_safely(data, filename=filename, read=_read_workbook)


@dataclass(frozen=True)
class SheetRows:
    """One worksheet as read: its title and its rows of plain cell values."""

    title: str
    rows: list[Row]


def read_xlsx_sheet_rows(
    data: bytes, *, filename: str, max_row: int, percentages: bool = False
) -> list[SheetRows]:
    """Every worksheet's first ``max_row`` rows, with the same defences and cell problems as
    the plan table (a formula without a calculated value, an Excel error value).

    With ``percentages`` a number formatted as a percentage reads as Excel shows it ("35%"),
    not as the fraction it stores (0.35).
    """

    def read(data: bytes, *, filename: str) -> list[SheetRows]:
        return _read_all_sheets(data, max_row=max_row, percentages=percentages)

    return read_safely(data, filename=filename, read=read)


def read_safely(data: bytes, *, filename: str, read: Callable[..., _T]) -> _T:
    """Run ``read`` over a workbook that passed the container checks, turning whatever openpyxl
    raises on a malformed file into one message a person can act on."""
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
            return read(data, filename=filename)
    except SpreadsheetError:
        raise
    except Exception as error:  # a malformed workbook can fail anywhere inside openpyxl
        if caused_by(error, DefusedXmlException):
            raise SpreadsheetError(
                f"{filename} could not be read: it holds unsafe XML (entity or DTD tricks)"
            ) from error
        raise SpreadsheetError(
            f"{filename} could not be read as an Excel workbook: it is damaged or not a "
            "spreadsheet; open it in Excel and save it again as .xlsx"
        ) from error


def _read_all_sheets(data: bytes, *, max_row: int, percentages: bool) -> list[SheetRows]:
    book = openpyxl.load_workbook(
        io.BytesIO(data), read_only=True, data_only=True, keep_links=False
    )
    try:
        sheets = [sheet for sheet in book.worksheets if isinstance(sheet, ReadOnlyWorksheet)]
        read: list[SheetRows] = []
        for sheet in sheets:
            sheet.reset_dimensions()  # stale <dimension> tags truncate or inflate rows
            rows = list(sheet_rows(sheet, max_row=max_row, percentages=percentages))
            read.append(SheetRows(title=sheet.title, rows=rows))
    finally:
        book.close()
    if has_formulas(data):
        for index, found in enumerate(read):
            mark_uncalculated(found.rows, _find_formulas(data, sheet_index=index))
    return read


def mark_uncalculated(rows: list[Row], formulas: dict[tuple[int, int], str]) -> None:
    """Replace the empty value of each formula cell never calculated with a CellProblem."""
    for (row_number, column), formula in formulas.items():
        if row_number > len(rows) or column >= len(rows[row_number - 1]):
            continue
        cells = rows[row_number - 1]
        if cells[column] is None:
            problem = CellProblem("formula without a calculated value", formula)
            rows[row_number - 1] = (*cells[:column], problem, *cells[column + 1 :])


def caused_by(error: BaseException, kind: type[BaseException]) -> bool:
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
            found = find_header_row(sheet_rows(sheet, max_row=HEADER_SCAN_ROWS))
            if found is not None and (best is None or found[1] > best[0]):
                best = (found[1], index, found[0])
        if best is None:
            raise no_header_error(filename)
        _, sheet_index, header_row = best
        rows = _keep_rows(sheet_rows(sheets[sheet_index], max_row=EXCEL_MAX_ROWS), filename)
        sheet_name = sheets[sheet_index].title
    finally:
        book.close()
    if has_formulas(data):
        mark_uncalculated(rows, _find_formulas(data, sheet_index=sheet_index))
    return build_table(rows, sheet_name=sheet_name, header_row=header_row)


def sheet_rows(
    sheet: ReadOnlyWorksheet, *, max_row: int, percentages: bool = False
) -> Iterator[Row]:
    # The stubs give ReadOnlyWorksheet.iter_rows the signature of Worksheet's unbound method.
    rows: Iterator[tuple[Any, ...]] = sheet.iter_rows(  # type: ignore[misc]
        max_row=max_row, max_col=MAX_COLUMNS
    )
    for cells in rows:
        yield tuple(plain_value(cell, percentages=percentages) for cell in cells)


def plain_value(cell: Any, *, percentages: bool = False) -> CellValue:
    value = cell.value
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if percentages and is_number and "%" in str(getattr(cell, "number_format", "") or ""):
        return f"{value * 100:.10g}%"
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


def has_formulas(data: bytes) -> bool:
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


# The names these helpers had before tracker.spreadsheets.workbook shared them, for callers
# written against them.
_caused_by = caused_by
_has_formulas = has_formulas
_plain_value = plain_value
_sheet_rows = sheet_rows

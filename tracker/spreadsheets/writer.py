"""Write formatted ``.xlsx`` workbooks and CSV files that are safe to open.

A :class:`SheetSpec` says what a sheet holds (columns with a kind and width, rows of plain
values, the RAG colours and words in force); :func:`write_xlsx` and :func:`write_csv` turn it
into bytes for a download or an e-mail attachment. Whatever users typed, no cell can run as a
formula: text starting with ``= + - @``, tab or CR gets a leading apostrophe (the OWASP advice
for CSV injection) and is stored as a string; characters XML forbids are dropped, so odd text
never breaks an export. :func:`build_register_sheet` lays out the action register in the same
columns :func:`tracker.spreadsheets.plan.read_plan` reads back, value for value.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, Literal, get_args

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from tracker.rules import RAG_LABELS, STATUS_LABELS
from tracker.spreadsheets.cells import FORMULA_TRIGGERS
from tracker.spreadsheets.plan import PlanRow

ColumnKind = Literal["text", "date", "int", "rag"]
DATE_FORMAT = "dd/mm/yyyy"
EXCEL_MAX_TEXT = 32_767  # Excel "repairs" (empties) a workbook with a longer cell
DEFAULT_RAG_COLOURS: Mapping[str, str] = MappingProxyType(
    {"blue": "#0070C0", "green": "#00B050", "amber": "#FFC000", "red": "#C00000"}
)
DEFAULT_RAG_LABELS: Mapping[str, str] = MappingProxyType(dict(RAG_LABELS))

_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class ColumnSpec:
    header: str
    kind: ColumnKind = "text"
    width: float = 15.0

    def __post_init__(self) -> None:
        if self.kind not in get_args(ColumnKind):
            raise ValueError(f"column {self.header!r}: unknown kind {self.kind!r}")
        if not 0 < self.width <= 255:
            raise ValueError(f"column {self.header!r}: width must be between 0 and 255")


@dataclass(frozen=True)
class SheetSpec:
    """One sheet: rows are tuples of plain values, one per column, in column order.

    Values by kind: text -> any (shown as text); date -> ``date``/``datetime``; int -> ``int``;
    rag -> a RAG code such as ``"red"``, written as its word on its colour. A value of another
    type is written as text rather than refused, so an export never fails on data.
    """

    title: str
    columns: tuple[ColumnSpec, ...]
    rows: Sequence[tuple[object, ...]]
    rag_colours: Mapping[str, str] = field(default_factory=lambda: DEFAULT_RAG_COLOURS)
    rag_labels: Mapping[str, str] = field(default_factory=lambda: DEFAULT_RAG_LABELS)

    def __post_init__(self) -> None:
        if not self.columns:
            raise ValueError(f"sheet {self.title!r} has no columns")
        for code, colour in self.rag_colours.items():
            if not _COLOUR.fullmatch(colour):
                raise ValueError(f"RAG colour for {code!r} must look like #RRGGBB: {colour!r}")


# --- cell values -----------------------------------------------------------------------------


def neutralise(text: str) -> str:
    """Text that no spreadsheet program will run: forbidden characters dropped, and a leading
    apostrophe before anything that would start a formula or a DDE command.

    Text that already starts with apostrophes before such a character gets one more, so that
    ``read_plan``, which takes exactly one off, gives back what was written.
    """
    text = _XML_FORBIDDEN.sub("", text)[: EXCEL_MAX_TEXT - 1]
    return "'" + text if text.lstrip("'").startswith(FORMULA_TRIGGERS) else text


def _as_text(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return neutralise(str(value))


def _plain_value(value: object, column: ColumnSpec, sheet: SheetSpec) -> object:
    """The value as it goes into a cell: a date, an int or neutralised text (or None)."""
    if value is None or value == "":
        return None
    if column.kind == "date" and isinstance(value, datetime):
        return value.date()
    if column.kind == "date" and isinstance(value, date):
        return value
    if column.kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if column.kind == "rag" and isinstance(value, str) and value in sheet.rag_labels:
        return neutralise(sheet.rag_labels[value])
    return _as_text(value)


def _check_row_lengths(sheet: SheetSpec) -> None:
    """Refuse a malformed spec before anything is written, so nothing is half-written."""
    for index, row in enumerate(sheet.rows, start=1):
        if len(row) != len(sheet.columns):
            raise ValueError(
                f"sheet {sheet.title!r} row {index} has {len(row)} values "
                f"for {len(sheet.columns)} columns"
            )


# --- CSV -------------------------------------------------------------------------------------


def write_csv(sheet: SheetSpec) -> bytes:
    """The sheet as UTF-8 CSV with a byte-order mark, so Excel shows accents and emoji."""
    _check_row_lengths(sheet)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(neutralise(column.header) for column in sheet.columns)
    for row in sheet.rows:
        writer.writerow(
            _csv_text(_plain_value(value, column, sheet))
            for value, column in zip(row, sheet.columns, strict=True)
        )
    return buffer.getvalue().encode("utf-8-sig")


def _csv_text(plain: object) -> str:
    if plain is None:
        return ""
    if isinstance(plain, date):
        return plain.strftime("%d/%m/%Y")
    return str(plain)  # text is already neutralised; ints cannot start a formula


# --- xlsx ------------------------------------------------------------------------------------


class _Styles:
    """The workbook's named styles, registered once and applied by name.

    Setting font, fill and alignment cell by cell hashes style objects for every cell, which
    makes 10,000 rows take seconds; a named style is one lookup.
    """

    def __init__(self, book: Workbook) -> None:
        self.book = book
        self.names: set[str] = set()
        top = Alignment(vertical="top")
        self.header = self._add("Header", font=_font(bold=True), alignment=_WRAP, fill=_GREY)
        self.text = self._add("Text", font=_font(), alignment=_WRAP)
        self.other = self._add("Value", font=_font(), alignment=top)
        self.date = self._add("Date", font=_font(), alignment=top, number_format=DATE_FORMAT)

    def _add(self, name: str, **attributes: Any) -> str:
        if name not in self.names:
            self.book.add_named_style(NamedStyle(name=f"Tracker {name}", **attributes))
            self.names.add(name)
        return f"Tracker {name}"

    def rag(self, code: str, colour: str) -> str:
        """The style of a RAG cell: its colour, with white or black text for contrast."""
        name = f"RAG {code} {colour.upper()}"
        if name in self.names:
            return f"Tracker {name}"
        red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        dark = 0.299 * red + 0.587 * green + 0.114 * blue < 150
        return self._add(
            name,
            font=_font(bold=True, color="FFFFFF" if dark else "000000"),
            fill=PatternFill(fill_type="solid", fgColor=colour[1:].upper()),
            alignment=Alignment(vertical="top", horizontal="center"),
        )


def _font(*, bold: bool = False, color: str | None = None) -> Font:
    # A named style's font replaces the default entirely, so name and size must be given.
    return Font(name="Calibri", size=11, family=2, bold=bold, color=color)


def _row_height(row: Sequence[object], columns: Sequence[ColumnSpec]) -> float | None:
    """Points needed to show every wrapped line, or None for a one-line row.

    Spreadsheet programs do not all grow rows for wrapped text on opening (LibreOffice keeps
    them one line high), so the height is estimated: a width unit holds about 1.2 characters.
    """
    lines = 1
    for value, column in zip(row, columns, strict=True):
        if isinstance(value, str) and column.kind == "text":
            per_line = max(int(column.width * 1.2), 1)
            needed = sum(-(-max(len(part), 1) // per_line) for part in value.split("\n"))
            lines = max(lines, needed)
    return None if lines == 1 else min(15.0 * lines, 409.0)


_WRAP = Alignment(wrap_text=True, vertical="top")
_GREY = PatternFill(fill_type="solid", fgColor="D9D9D9")


def _sheet_title(title: str, used: set[str]) -> str:
    """A title Excel accepts: no []:*?/\\, at most 31 characters, unique in the workbook."""
    base = _SHEET_TITLE_FORBIDDEN.sub("-", _XML_FORBIDDEN.sub("", title)).strip("' ")[:31]
    base = base or "Sheet"
    candidate, number = base, 2
    while candidate.lower() in used:
        suffix = f" ({number})"
        candidate, number = base[: 31 - len(suffix)] + suffix, number + 1
    used.add(candidate.lower())
    return candidate


def _data_cell(
    ws: WriteOnlyWorksheet, value: object, column: ColumnSpec, sheet: SheetSpec, styles: _Styles
) -> Cell:
    plain = _plain_value(value, column, sheet)
    cell = WriteOnlyCell(ws, value=plain)  # type: ignore[arg-type]
    if column.kind == "rag" and isinstance(value, str) and value in sheet.rag_colours:
        cell.style = styles.rag(value, sheet.rag_colours[value])
    elif isinstance(plain, str):
        cell.style = styles.text
    elif isinstance(plain, date):
        cell.style = styles.date
    else:
        cell.style = styles.other
    if isinstance(plain, str):
        cell.data_type = "s"  # never "f": the text was neutralised, and this says so twice
    return cell


def _write_sheet(book: Workbook, sheet: SheetSpec, styles: _Styles, used_titles: set[str]) -> None:
    ws = book.create_sheet(title=_sheet_title(sheet.title, used_titles))
    assert isinstance(ws, WriteOnlyWorksheet)
    # Write-only sheets get column_dimensions and auto_filter from Worksheet._setup at run
    # time; the type stubs do not declare them.
    layout: Any = ws
    for index, column in enumerate(sheet.columns, start=1):
        layout.column_dimensions[get_column_letter(index)].width = column.width
    layout.auto_filter.ref = f"A1:{get_column_letter(len(sheet.columns))}{len(sheet.rows) + 1}"
    ws.freeze_panes = "A2"
    header = []
    for column in sheet.columns:
        cell = WriteOnlyCell(ws, value=neutralise(column.header))
        cell.data_type = "s"
        cell.style = styles.header
        header.append(cell)
    ws.append(header)
    for row_number, row in enumerate(sheet.rows, start=2):
        cells = [
            _data_cell(ws, value, column, sheet, styles)
            for value, column in zip(row, sheet.columns, strict=True)
        ]
        height = _row_height([cell.value for cell in cells], sheet.columns)
        if height is not None:
            layout.row_dimensions[row_number].height = height
        ws.append(cells)


def write_xlsx(sheets: Sequence[SheetSpec]) -> bytes:
    """A workbook with one formatted sheet per spec: bold frozen header, filters, widths,
    real dates shown dd/mm/yyyy, RAG cells in their colour with their word."""
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    for sheet in sheets:
        _check_row_lengths(sheet)
    book = Workbook(write_only=True)
    styles = _Styles(book)
    used_titles: set[str] = set()
    for sheet in sheets:
        _write_sheet(book, sheet, styles, used_titles)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- the action register ---------------------------------------------------------------------

REGISTER_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("Ref", "text", 8),
    ColumnSpec("Priority", "int", 9),
    ColumnSpec("Action", "text", 60),
    ColumnSpec("Lead Officer", "text", 28),
    ColumnSpec("Lead Officer Email", "text", 30),
    ColumnSpec("Lead Organisation", "text", 28),
    ColumnSpec("Workstream", "text", 28),
    ColumnSpec("Governance Board", "text", 26),
    ColumnSpec("Start Date", "date", 12),
    ColumnSpec("Target Date", "date", 12),
    ColumnSpec("Status", "text", 13),
    ColumnSpec("RAG", "rag", 9),
    ColumnSpec("Latest Update", "text", 60),
    ColumnSpec("Update Date", "date", 12),
    ColumnSpec("Rating Inconsistent", "text", 30),
    ColumnSpec("Expected Impact", "text", 50),
    ColumnSpec("Latest Impact", "text", 18),
)


def register_row(row: PlanRow) -> tuple[object, ...]:
    """A plan row in :data:`REGISTER_COLUMNS` order; the status as the word people read."""
    status = STATUS_LABELS.get(row.status, row.status) if row.status else None
    return (
        row.reference,
        row.priority,
        row.title,
        row.owner_name,
        row.owner_email,
        row.lead_organisation,
        row.workstream,
        row.body,
        row.start_date,
        row.due_date,
        status,
        row.rag,
        row.commentary,
        row.updated_on,
        row.rating_flag,
        row.expected_impact,
        row.impact,
    )


def build_register_sheet(
    rows: Iterable[PlanRow],
    *,
    title: str = "Action register",
    rag_colours: Mapping[str, str] = DEFAULT_RAG_COLOURS,
    rag_labels: Mapping[str, str] = DEFAULT_RAG_LABELS,
) -> SheetSpec:
    """The action register as a sheet that ``read_plan`` reads back to the same rows.

    The round trip holds while the RAG labels are words ``read_plan`` knows (Red, Amber,
    Green, Blue, Complete or their initials).
    """
    return SheetSpec(
        title=title,
        columns=REGISTER_COLUMNS,
        rows=[register_row(row) for row in rows],
        rag_colours=rag_colours,
        rag_labels=rag_labels,
    )

"""Loading success-measure values from a spreadsheet (.xlsx or .csv), all or nothing.

The sheet needs a header row naming the measure reference, the period and the value (a note,
a period label, a source and a coverage or caveat note are optional; a file without a Source or
Caveat column keeps what is stored for them); names are matched without regard to case, spacing or
punctuation, with the aliases below. Every row is checked as ``enter_value`` would check it,
plus: the measure exists, the person importing may enter its values, and no measure and period
appears twice. Any problem rejects the whole file with one message per row and column; nothing
is written. Without ``commit`` the import is a dry run reporting what would be new, corrected or
unchanged. Files are opened with the defences of :mod:`tracker.spreadsheets.reader` (size
limit, zip-bomb and renamed-file checks, openpyxl read-only with cached values, so formulas are
never evaluated).
"""

from __future__ import annotations

import csv
import io
import os
import re
from calendar import monthrange
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Any, BinaryIO

from sqlmodel import Session, col, select

from tracker import clock
from tracker.models import MeasureValue, SuccessMeasure
from tracker.permissions import Actor, Operation, can
from tracker.rules.measures import parse_number
from tracker.services.actions import ValidationFailed
from tracker.services.measures._changes import CleanValue, store_value, validate_value
from tracker.services.measures._summaries import normalise_reference
from tracker.spreadsheets.reader import (
    CellError,
    SpreadsheetError,
    normalise_header,
    parse_date,
    parse_text,
    read_source_bytes,
    read_xlsx_sheet_rows,
    shown_value,
)

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5_000
HEADER_SCAN_ROWS = 30
MAX_COLUMNS = 30
REQUIRED = ("measure", "period", "value")
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    field: tuple(normalise_header(word) for word in words.split("|"))
    for field, words in {
        "measure": "Measure|Measure Ref|Measure Reference|Measure No|Measure ID|Reference|Ref"
        "|KPI|KPI Ref|Success Measure",
        "period": "Period|Period End|Period Ending|Period End Date|Date|As At|As At Date|Month",
        "value": "Value|Result|Actual|Figure|Measure Value|Score",
        "note": "Note|Notes|Comment|Comments|Commentary",
        "period_label": "Period Label|Label|Period Name",
        "source": "Source|Data Source|Value Source",
        "caveat": "Caveat|Caveats|Coverage|Coverage Caveat|Data Quality",
    }.items()
}
_FIELD_OF_ERROR = {"period_end": "period", "value": "value", "note": "note"}
# Columns a file may leave out: then what is stored for them is kept, not cleared.
_KEPT_WHEN_ABSENT = ("source", "caveat")
_MONTH_YEAR = re.compile(r"([a-z]+)\.?\s+(\d{4})", re.IGNORECASE)
_YEAR_MONTH = re.compile(r"(\d{4})-(\d{1,2})|(\d{1,2})/(\d{4})")
_MONTH_NAMES = (
    "january february march april may june july august september october november december"
)
_MONTHS = {
    **{name: number for number, name in enumerate(_MONTH_NAMES.split(), start=1)},
    **{name[:3]: number for number, name in enumerate(_MONTH_NAMES.split(), start=1)},
    "sept": 9,
}
PERIOD_HINT = "use 30/09/2025, 2025-09-30, or a month such as Sep 2025 for its last day"


@dataclass(frozen=True)
class RowProblem:
    """One problem in one row: the sheet row (1-based), the column header and the value."""

    row: int
    column: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}" + (f", {self.column}" if self.column else "")
        shown = f" ('{self.value}')" if self.value is not None else ""
        return f"{where}: {self.message}{shown}"


@dataclass(frozen=True)
class PlannedValue:
    """One row that passed, and what storing it would do."""

    row: int
    reference: str
    unit: str
    period_end: date
    period_label: str | None
    value: float | None
    note: str | None
    change: str  # "new" | "correction" | "unchanged"
    old_value: float | None


@dataclass(frozen=True)
class MeasureImport:
    filename: str
    sheet: str
    rows: tuple[PlannedValue, ...]
    problems: tuple[RowProblem, ...]
    committed: bool

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, change: str) -> int:
        return sum(1 for row in self.rows if row.change == change)


@dataclass(frozen=True)
class _Sheet:
    name: str
    header_row: int
    columns: dict[str, tuple[int, str]]
    rows: list[tuple[int, tuple[Any, ...]]]


# --- reading the file --------------------------------------------------------------------------


def _map_header(row: tuple[Any, ...]) -> dict[str, tuple[int, str]]:
    columns: dict[str, tuple[int, str]] = {}
    for index, cell in enumerate(row):
        text = parse_text(cell) if isinstance(cell, str) else None
        if not text:
            continue
        key = normalise_header(text)
        for field, aliases in COLUMN_ALIASES.items():
            if key in aliases and field not in columns:
                columns[field] = (index, text)
    return columns


def _find_table(name: str, rows: list[tuple[Any, ...]], filename: str) -> _Sheet | None:
    for number, row in enumerate(rows[:HEADER_SCAN_ROWS], start=1):
        columns = _map_header(row)
        if all(field in columns for field in REQUIRED):
            data = [
                (n, r)
                for n, r in enumerate(rows, start=1)
                if n > number and any(v is not None for v in r)
            ]
            if len(data) > MAX_ROWS:
                raise SpreadsheetError(f"{filename} has more than {MAX_ROWS} rows of values")
            return _Sheet(name, number, columns, data)
    return None


def _no_header(filename: str) -> SpreadsheetError:
    return SpreadsheetError(
        f"no header row found in {filename}: expected columns named Measure, Period and Value "
        f"(and optionally Note) in the first {HEADER_SCAN_ROWS} rows"
    )


def _read_xlsx(data: bytes, filename: str) -> _Sheet:
    # The plan import's reader: the same defences, and the same message for a formula without
    # a calculated value or an Excel error value.
    sheets = read_xlsx_sheet_rows(data, filename=filename, max_row=MAX_ROWS + 100, percentages=True)
    for sheet in sheets:
        found = _find_table(sheet.title, list(sheet.rows), filename)
        if found is not None:
            return found
    raise _no_header(filename)


def _read_csv(data: bytes, filename: str) -> _Sheet:
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise SpreadsheetError(f"{filename} is an Excel workbook, not a CSV file: name it .xlsx")
    if b"\0" in data[:8192]:
        raise SpreadsheetError(f"{filename} is not a CSV text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    for delimiter in (",", ";", "\t"):
        try:
            rows = [
                tuple(v if v.strip() else None for v in record[:MAX_COLUMNS])
                for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
            ]
        except csv.Error as error:
            raise SpreadsheetError(f"{filename} is not a well-formed CSV file: {error}") from error
        found = _find_table(PurePosixPath(filename).stem, rows, filename)
        if found is not None:
            return found
    raise _no_header(filename)


def read_value_sheet(source: str | os.PathLike[str] | bytes | BinaryIO, *, filename: str) -> _Sheet:
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    if suffix not in {".xlsx", ".xlsm", ".csv"}:
        raise SpreadsheetError(f"{filename} is not a spreadsheet we read: use .xlsx or .csv")
    data = read_source_bytes(source, filename=filename, max_bytes=MAX_IMPORT_BYTES)
    return _read_csv(data, filename) if suffix == ".csv" else _read_xlsx(data, filename)


# --- checking rows -----------------------------------------------------------------------------


def parse_period(value: Any) -> date | None:
    """A period end: a date, or a month ("Sep 2025", "2025-09", "09/2025") meaning its last day."""
    try:
        return parse_date(value)
    except CellError as error:
        text = (parse_text(value) or "").strip()
        unreal = "real calendar date" in str(error)
    year = month = None
    if (match := _MONTH_YEAR.fullmatch(text)) and match[1].lower() in _MONTHS:
        year, month = int(match[2]), _MONTHS[match[1].lower()]
    elif match := _YEAR_MONTH.fullmatch(text):
        year, month = (int(match[1]), int(match[2])) if match[1] else (int(match[4]), int(match[3]))
    if year is None or month is None or not 1 <= month <= 12:
        raise CellError(f"not a {'real calendar ' if unreal else ''}date ({PERIOD_HINT})")
    return date(year, month, monthrange(year, month)[1])


def _parse_value(cell: Any, unit: str) -> float | None:
    if isinstance(cell, bool):
        raise CellError("is not a number")
    if isinstance(cell, int | float):
        return float(cell)
    if isinstance(cell, datetime | date):
        raise CellError("is a date, not a number")
    text = parse_text(cell)
    if text is None:
        return None
    try:
        return parse_number(text, unit)
    except ValueError as error:
        raise CellError(str(error)) from None


class _RowChecker:
    """Checks rows one by one, remembering problems and the measure+periods already seen."""

    def __init__(self, session: Session, *, actor: Actor, sheet: _Sheet, today: date) -> None:
        self.actor, self.sheet, self.today = actor, sheet, today
        self.measures = {m.reference: m for m in session.exec(select(SuccessMeasure)).all()}
        self.problems: list[RowProblem] = []
        self.seen: dict[tuple[str, date], int] = {}

    def raw_value(self, row: tuple[Any, ...], field: str) -> Any:
        index = self.sheet.columns[field][0] if field in self.sheet.columns else None
        return row[index] if index is not None and index < len(row) else None

    def problem(self, number: int, field: str, cell: Any, message: str) -> None:
        column = self.sheet.columns[field][1] if field in self.sheet.columns else field
        self.problems.append(RowProblem(number, column, shown_value(cell), message))

    def check(self, number: int, row: tuple[Any, ...]) -> tuple[SuccessMeasure, CleanValue] | None:
        before = len(self.problems)
        measure = self._measure(number, row)
        unit = measure.unit if measure else "survey_score"
        parsed: dict[str, Any] = {}
        for field, parse in (
            ("period", parse_period),
            ("value", lambda cell: _parse_value(cell, unit)),
            ("note", parse_text),
            ("period_label", parse_text),
            ("source", parse_text),
            ("caveat", parse_text),
        ):
            try:
                parsed[field] = parse(self.raw_value(row, field))
            except CellError as error:
                self.problem(number, field, self.raw_value(row, field), str(error))
        if len(self.problems) > before or measure is None:
            return None
        try:
            clean = validate_value(
                unit=unit,
                period_end=parsed["period"],
                value=parsed["value"],
                note=parsed["note"],
                period_label=parsed["period_label"],
                today=self.today,
                source=parsed["source"],
                caveat=parsed["caveat"],
            )
        except ValidationFailed as failed:
            for key, message in failed.errors.items():
                field = _FIELD_OF_ERROR.get(key, key)
                self.problem(number, field, self.raw_value(row, field), message)
            return None
        return self._unique(number, row, measure, clean)

    def _measure(self, number: int, row: tuple[Any, ...]) -> SuccessMeasure | None:
        cell = self.raw_value(row, "measure")
        try:
            text = parse_text(cell)
        except CellError as error:
            self.problem(number, "measure", cell, str(error))
            return None
        measure = self.measures.get(normalise_reference(text or ""))
        if not text:
            self.problem(number, "measure", cell, "the measure reference (such as M2.3) is missing")
        elif measure is None:
            self.problem(number, "measure", cell, "no success measure has this reference")
        elif not can(
            self.actor,
            Operation.ENTER_MEASURE_VALUE,
            is_owner=measure.owner_id == self.actor.person_id,
        ):
            message = f"you may not enter values for {measure.reference} (not its owner)"
            self.problem(number, "measure", cell, message)
            return None
        return measure

    def _unique(
        self, number: int, row: tuple[Any, ...], measure: SuccessMeasure, clean: CleanValue
    ) -> tuple[SuccessMeasure, CleanValue] | None:
        key = (measure.reference, clean.period_end)
        if key in self.seen:
            when = f"{clean.period_end:%d %b %Y}"
            message = f"{measure.reference} for {when} is also in row {self.seen[key]}"
            self.problem(number, "period", self.raw_value(row, "period"), message)
            return None
        self.seen[key] = number
        return measure, clean


def _stored_values(session: Session, measure_ids: set[int]) -> dict[tuple[int, date], MeasureValue]:
    query = select(MeasureValue).where(col(MeasureValue.measure_id).in_(sorted(measure_ids)))
    return {(v.measure_id, v.period_end): v for v in session.exec(query).all()}


def _keep_absent(
    session: Session, checked: list[tuple[int, SuccessMeasure, CleanValue]], columns: set[str]
) -> list[tuple[int, SuccessMeasure, CleanValue]]:
    """A file without a Source (or Caveat) column keeps what is stored for it."""
    absent = [name for name in _KEPT_WHEN_ABSENT if name not in columns]
    if not absent:
        return checked
    stored = _stored_values(session, {m.id for _, m, _ in checked if m.id is not None})
    kept = []
    for number, measure, clean in checked:
        old = stored.get((measure.id or 0, clean.period_end))
        if old is not None:
            clean = replace(clean, **{name: getattr(old, name) for name in absent})
        kept.append((number, measure, clean))
    return kept


def _plan(
    session: Session, checked: list[tuple[int, SuccessMeasure, CleanValue]]
) -> list[PlannedValue]:
    stored = _stored_values(session, {m.id for _, m, _ in checked if m.id is not None})
    planned = []
    for number, measure, clean in checked:
        key = (measure.id or 0, clean.period_end)
        row = stored.get(key)
        old = (
            None if row is None else (row.value, row.note, row.period_label, row.source, row.caveat)
        )
        if old is None:
            change = "new"
        elif old == (clean.value, clean.note, clean.period_label, clean.source, clean.caveat):
            change = "unchanged"
        else:
            change = "correction"
        planned.append(
            PlannedValue(
                row=number,
                reference=measure.reference,
                unit=measure.unit,
                period_end=clean.period_end,
                period_label=clean.period_label,
                value=clean.value,
                note=clean.note,
                change=change,
                old_value=old[0] if old else None,
            )
        )
    return planned


def import_measure_values(
    session: Session,
    *,
    actor: Actor,
    source: str | os.PathLike[str] | bytes | BinaryIO,
    filename: str,
    commit: bool = False,
    today: date | None = None,
    now: datetime | None = None,
) -> MeasureImport:
    """Check a values file whole; store every row only if ``commit`` and nothing is wrong.

    Raises SpreadsheetError when the file itself is unreadable; row problems come back in the
    result (``ok`` False) with nothing written.
    """
    sheet = read_value_sheet(source, filename=filename)
    checker = _RowChecker(session, actor=actor, sheet=sheet, today=today or clock.today())
    checked = []
    for number, row in sheet.rows:
        if (result := checker.check(number, row)) is not None:
            checked.append((number, *result))
    if checker.problems:
        return MeasureImport(filename, sheet.name, (), tuple(checker.problems), committed=False)
    checked = _keep_absent(session, checked, set(sheet.columns))
    planned = _plan(session, checked)
    if commit:
        reason = f"imported from {PurePosixPath(filename.replace(chr(92), '/')).name}"
        for _, measure, clean in checked:
            store_value(session, actor=actor, measure=measure, clean=clean, reason=reason, now=now)
    return MeasureImport(filename, sheet.name, tuple(planned), (), committed=commit)

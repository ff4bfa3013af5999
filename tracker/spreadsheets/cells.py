"""What the cells of a plan table say: header words mapped to fields, and values read strictly.

This module knows neither files nor actions. It finds the header row (the row naming most of
the columns teams use, below any title block), maps header words to canonical field names
case-, spacing- and punctuation-insensitively, and turns raw cell values into text, dates and
whole numbers, raising :class:`CellError` with a person-readable reason for anything it will
not guess at ("TBC", 31/02/2026). Opening files safely is :mod:`tracker.spreadsheets.reader`;
what the values mean for an action plan is :mod:`tracker.spreadsheets.plan`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from tracker.errors import InvalidInput
from tracker.rules import clean_text

HEADER_SCAN_ROWS = 30
# What starts a formula (or a DDE command) in a spreadsheet program; see writer.neutralise.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# Canonical field -> the header words teams use for it, "|"-separated (compared normalised).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    field: tuple(words.split("|"))
    for field, words in {
        "reference": "Ref|Ref No|Reference|Reference Number|Action Ref|Action No|Action Number"
        "|ID|Action ID|No|Number|Ref.",
        "priority": "Priority|Priority No|Priority Number",
        "title": "Action|What we will do|Action Description|Description",
        "owner_name": "Lead Officer|Action Owner|Owner|Lead|Responsible Officer",
        "owner_email": "Lead Officer Email|Owner Email|Action Owner Email|Email|E-mail|Lead Email",
        "lead_organisation": "Lead Organisation|Organisation|Lead Org|Lead Organization",
        "workstream": "Workstream|Priority Workstream",
        "body": "Governance Board|Board|Governance|Overseeing Body|Reports To",
        "start_date": "Start Date|Start",
        "due_date": "Target Date|Due|Due Date|Deadline|Completion Date|Target Completion Date"
        "|Completion|Timescale|Timescales|By When",
        "status": "Status|Progress Status",
        "rag": "RAG|BRAG|RAG Status|BRAG Status|Rating",
        "commentary": "Latest Update|Commentary|Progress|Update|Comments",
        "updated_on": "Update Date|Last Updated|Date of Update",
        "rating_flag": "Rating Inconsistent",
        "expected_impact": "Expected Impact|Expected Outcome|Expected Outcomes|Intended Impact"
        "|Impact Expected",
        "impact": "Latest Impact|Impact Rating",
    }.items()
}

_MONTH_NAMES: tuple[str, ...] = ("january", "february", "march", "april", "may", "june")
_MONTH_NAMES += ("july", "august", "september", "october", "november", "december")
MONTHS = {
    **{name: number for number, name in enumerate(_MONTH_NAMES, start=1)},
    **{name[:3]: number for number, name in enumerate(_MONTH_NAMES, start=1)},
    "sept": 9,
}
_DMY = re.compile(r"(\d{1,2})([/.])(\d{1,2})\2(\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_D_MONTH_Y = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{4})", re.IGNORECASE)
_WHOLE_NUMBER = re.compile(r"[+-]?\d+(?:\.0+)?")
DATE_HINT = "use dd/mm/yyyy, 3 March 2026 or 2026-03-03"


class CellError(InvalidInput):
    """One cell's value is unusable; the message says what is wrong with it."""


@dataclass(frozen=True)
class CellProblem:
    """A cell that holds no usable value at all (uncalculated formula, Excel error)."""

    message: str
    shown: str


CellValue = str | int | float | bool | datetime | date | time | timedelta | CellProblem | None
Row = tuple[CellValue, ...]


@dataclass(frozen=True)
class Table:
    """The plan table found in a file: its header, mapped columns and data rows."""

    sheet_name: str
    header_row: int
    columns: dict[str, tuple[int, str]]  # canonical field -> (0-based column index, header)
    ignored_columns: tuple[str, ...]
    rows: tuple[tuple[int, Row], ...]  # (1-based sheet row, cells)
    # (1-based sheet row, 0-based column) -> fill colour "RRGGBB", for the columns that may
    # hold a RAG rating as a colour (see colour_columns); empty for CSV.
    fills: Mapping[tuple[int, int], str] = field(default_factory=dict)
    # Cells whose value was copied down from the top of a merged range.
    merged: frozenset[tuple[int, int]] = frozenset()


def is_blank(value: CellValue) -> bool:
    return value is None or value == ""


# --- header detection and column mapping -------------------------------------------------


def normalise_header(text: str) -> str:
    """Header text compared without case, spacing, punctuation or a bracketed note."""
    without_note = re.sub(r"\(.*?\)", "", text)
    return re.sub(r"[^0-9a-z]", "", without_note.lower())


_ALIAS_TO_FIELD = {
    normalise_header(alias): field for field, aliases in COLUMN_ALIASES.items() for alias in aliases
}


def map_columns(header: Row) -> tuple[dict[str, tuple[int, str]], tuple[str, ...]]:
    """Canonical field -> (column index, header text), and the named headers left unused."""
    columns: dict[str, tuple[int, str]] = {}
    ignored: list[str] = []
    for index, value in enumerate(header):
        text = header_text(value)
        if not text:
            continue
        field = _ALIAS_TO_FIELD.get(normalise_header(text))
        if field is None or field in columns:
            ignored.append(text)
        else:
            columns[field] = (index, text)
    return columns, tuple(ignored)


_COLOUR_HEADER_WORDS = ("rag", "brag", "status", "progress", "rating")


def colour_columns(header: Row) -> frozenset[int]:
    """The columns whose fill colour may be a RAG rating: RAG, status or progress columns."""
    found: set[int] = set()
    for index, value in enumerate(header):
        text = normalise_header(header_text(value))
        if text and any(word in text for word in _COLOUR_HEADER_WORDS):
            found.add(index)
    return frozenset(found)


def header_text(value: CellValue) -> str:
    if value is None or isinstance(value, CellProblem):
        return ""
    return clean_text(str(value)) or ""


def find_header_row(rows: Iterator[Row]) -> tuple[int, int] | None:
    """(1-based row, score) of the row naming most known columns, or None.

    A header must name at least two known columns, one of them the reference or the action,
    so a title such as "Action plan" above the table is never taken for the header.
    """
    best: tuple[int, int] | None = None
    for row_number, row in enumerate(rows, start=1):
        if row_number > HEADER_SCAN_ROWS:
            break
        columns, _ = map_columns(row)
        score = len(columns)
        is_header = score >= 2 and bool({"reference", "title"} & columns.keys())
        if is_header and (best is None or score > best[1]):
            best = (row_number, score)
    return best


def build_table(rows: Sequence[Row], *, sheet_name: str, header_row: int) -> Table:
    columns, ignored = map_columns(rows[header_row - 1])
    data_rows = tuple(
        (number, row)
        for number, row in enumerate(rows, start=1)
        if number > header_row and not all(is_blank(value) for value in row)
    )
    return Table(sheet_name, header_row, columns, ignored, data_rows)


# --- cell values -----------------------------------------------------------------------------


def shown_value(value: CellValue) -> str | None:
    """A cell's value as a person would read it in an error message."""
    if value is None:
        return None
    if isinstance(value, CellProblem):
        return value.shown
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if len(text) <= 200 else text[:199] + "…"


def parse_text(value: CellValue) -> str | None:
    """Cell text, trimmed, without XML-forbidden characters; None when blank.

    Line breaks become ``\n`` (XML turns a stored CR LF into LF anyway). One leading apostrophe
    is dropped when the apostrophes lead to ``= + - @``, tab or CR: the exports add it to stop
    spreadsheet programs running text as a formula (see ``writer.neutralise``), so taking it off
    makes the round trip lossless. Other leading apostrophes are kept as typed.
    """
    if value is None:
        return None
    if isinstance(value, CellProblem):
        raise CellError(value.message)
    if isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, datetime | date | float):
        text = shown_value(value) or ""
    else:
        text = str(value)
    text = clean_text(text.replace("\r\n", "\n").replace("\r", "\n")) or ""
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_TRIGGERS):
        text = clean_text(text[1:]) or ""
    return text or None


def parse_date(value: CellValue) -> date | None:
    """A real Excel date, dd/mm/yyyy, "3 March 2026" or yyyy-mm-dd; never a guess."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = parse_text(value)
    if text is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise CellError(f"a number, not a date ({DATE_HINT})")
    if match := _DMY.fullmatch(text):
        day, month, year = int(match[1]), int(match[3]), int(match[4])
    elif match := _ISO.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    elif (match := _D_MONTH_Y.fullmatch(text)) and match[2].lower() in MONTHS:
        day, month, year = int(match[1]), MONTHS[match[2].lower()], int(match[3])
    else:
        raise CellError(f"not a date ({DATE_HINT})")
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError(f"not a real calendar date ({DATE_HINT})") from None


def parse_whole_number(value: CellValue) -> int | None:
    """A whole number from a number cell or digits typed as text."""
    if isinstance(value, bool):
        raise CellError("not a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise CellError("not a whole number")
    text = parse_text(value)
    if text is None:
        return None
    if _WHOLE_NUMBER.fullmatch(text):
        return int(float(text))
    raise CellError("not a whole number")

"""Due dates as people write them in action plans, read to the day they mean.

Besides what :func:`tracker.spreadsheets.cells.parse_date` reads (a real date, 31/03/2026,
31.03.2026, 3 March 2026, 2026-03-31), a due date may be a month ("March 2026", "Sept 2026",
"Mar-26", "end of March 2026": the month's last day) or a UK financial quarter ("Q3 2025/26",
"2025/26 Q3": Q1 is April to June ... Q4 January to March; the quarter's last day).
:func:`read_due_date` says how such a text was read, so the dry run can show it. School terms
and words such as "Ongoing", "TBC" or "n/a" are not dates: they raise :class:`NotADate`, which
a caller may treat as "keep the stored date" rather than refusing the row.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from tracker.formatting import format_date
from tracker.spreadsheets.cells import MONTHS, CellError, CellValue, parse_date, parse_text

_MONTH_YEAR = re.compile(
    r"(?:(?:by\s+)?(?:the\s+)?end\s+(?:of\s+)?)?([a-z]+)\.?[\s\-/']*(\d{4}|\d{2})", re.IGNORECASE
)
_FINANCIAL_YEAR = r"(?:fy\s*)?(\d{4}|\d{2})\s*[/-]\s*(\d{4}|\d{2})"
_QUARTER_FIRST = re.compile(rf"q([1-4])\s*,?\s*{_FINANCIAL_YEAR}", re.IGNORECASE)
_QUARTER_LAST = re.compile(rf"{_FINANCIAL_YEAR}\s*,?\s*q([1-4])", re.IGNORECASE)
_QUARTER_ALONE = re.compile(r"q[1-4]\s*(?:\d{4})?|(?:\d{4})\s*q[1-4]", re.IGNORECASE)
_TERM = re.compile(r"\b(autumn|spring|summer)\b.*\bterm\b|\bterm\s*\d\b", re.IGNORECASE)
_NOT_DATES = frozenset(
    {"ongoing", "on going", "continuous", "continual", "tbc", "tba", "tbd", "to be confirmed"}
    | {"n a", "na", "not applicable", "none", "various", "rolling"}
)
_GIVE_DAY = "give the day it is due (31/03/2026, March 2026 or Q4 2025/26)"
# The quarter's last month and whether it falls in the second calendar year of the FY.
_QUARTER_END = {1: (6, False), 2: (9, False), 3: (12, False), 4: (3, True)}


class NotADate(CellError):
    """A due date written as words that name no day: a term, "Ongoing", "TBC", "n/a"."""


@dataclass(frozen=True)
class DueDate:
    """A due date and, when it was not written as a plain date, how it was read."""

    day: date
    read_as: str | None = None  # e.g. "end of March 2026"; None for a plain date


def _full_year(text: str) -> int:
    year = int(text)
    return 2000 + year if len(text) == 2 else year


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _quarter(number: int, first: str, second: str) -> DueDate:
    start, end = _full_year(first), _full_year(second)
    if end != start + 1 and end % 100 != (start + 1) % 100:
        raise CellError("not a financial year: write it as 2025/26")
    month, next_year = _QUARTER_END[number]
    day = _month_end(start + 1 if next_year else start, month)
    return DueDate(day, f"end of Q{number} of the financial year {start}/{str(start + 1)[-2:]}")


def _words(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def read_due_date(value: CellValue) -> DueDate | None:
    """A due date from a date cell or the texts teams write; None for a blank cell."""
    try:
        day = parse_date(value)
    except CellError:
        day = None
        if not isinstance(value, str):
            raise
    if day is not None:
        return DueDate(day)
    text = parse_text(value)
    if text is None:
        return None
    words = _words(text)
    if words in _NOT_DATES:
        raise NotADate(f"not a date: it names no day; {_GIVE_DAY}")
    if _TERM.search(text):
        raise NotADate(f"not a date: a school term names no day; {_GIVE_DAY}")
    if match := _QUARTER_FIRST.fullmatch(text):
        return _quarter(int(match[1]), match[2], match[3])
    if match := _QUARTER_LAST.fullmatch(text):
        return _quarter(int(match[3]), match[1], match[2])
    if _QUARTER_ALONE.fullmatch(text):
        raise CellError("a quarter without its financial year: write it as Q3 2025/26")
    if (match := _MONTH_YEAR.fullmatch(text)) and match[1].lower() in MONTHS:
        year = _full_year(match[2])
        month = MONTHS[match[1].lower()]
        day = _month_end(year, month)
        return DueDate(day, f"end of {calendar.month_name[month]} {year}")
    return DueDate(_reraise(value))


def _reraise(value: CellValue) -> date:
    """The plain reader's own refusal, with its hint about the forms it reads."""
    try:
        day = parse_date(value)
    except CellError as error:
        if "calendar" in str(error):
            raise
        raise CellError(
            f"{error}; or a month (March 2026, Mar-26) or quarter (Q3 2025/26)"
        ) from None
    assert day is not None  # only reached for text parse_date refused
    return day


def describe(reading: DueDate) -> str:
    """'read as 31 Mar 2026 (end of March 2026)' for the report."""
    return f"read as {format_date(reading.day)} ({reading.read_as})"

"""Words and numbers as a board paper prints them, and the one sanitiser for user text.

Every string a person typed reaches the document through :func:`clean_text`, which removes only
the characters XML 1.0 cannot carry (so Word and python-docx would refuse the file) and keeps
everything else exactly as typed: emoji, right-to-left scripts, ``<script>`` and ampersands are
just text to Word. Dates are written out with English month and day names rather than through
``strftime`` so the server's locale cannot change a paper.
"""

from __future__ import annotations

import re
from datetime import date, datetime

# C0 controls other than tab, LF and CR; lone UTF-16 surrogates; the two non-characters
# U+FFFE and U+FFFF. These are exactly the code points outside XML 1.0's Char production.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
LINE_BREAK = re.compile("\r\n|\r|\n")

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

STATUS_LABELS = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "complete": "Complete",
    "withdrawn": "Withdrawn",
}
DIRECTION_LABELS = {
    "improving": "Improving",
    "stable": "Stable",
    "deteriorating": "Deteriorating",
}
PURPOSE_LABELS = {
    "noting": "For noting",
    "assurance": "For assurance",
    "decision": "For decision",
}
# Units that are a count rather than a measurement print as a bare number.
_BARE_UNITS = {"", "number", "count", "no.", "n"}


def clean_text(value: str) -> str:
    """Remove the characters XML 1.0 forbids; keep every other character as typed."""
    return _XML_FORBIDDEN.sub("", value)


def format_long_date(day: date) -> str:
    """``Wednesday 17 June 2026``, the way a council paper writes a meeting date."""
    return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


DUE_TO_CONFIRM = "Due date to be confirmed"


def format_date(day: date | None, *, missing: str = "No date") -> str:
    """``17 Jun 2026``, short enough for a narrow table column; ``missing`` when None."""
    if day is None:
        return missing
    return f"{day.day} {_MONTHS[day.month - 1][:3]} {day.year}"


def format_due_date(day: date | None, *, confirmed: bool = True) -> str:
    """An action's due date as a paper prints it: "Due date to be confirmed" while the date is
    still the seed's guess, for no board should read it as a promise."""
    if not confirmed:
        return DUE_TO_CONFIRM
    return format_date(day)


def format_timestamp(moment: datetime) -> str:
    """``12 June 2026 at 14:03``."""
    return f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year} at {moment:%H:%M}"


def format_status(status: str) -> str:
    """``In progress`` for ``in_progress``; unknown codes are shown readably, not dropped."""
    return STATUS_LABELS.get(status, clean_text(status).replace("_", " ").capitalize())


def format_direction(direction: str | None) -> str:
    """``Improving``, ``Stable``, ``Deteriorating`` or ``Not known``."""
    if direction is None:
        return "Not known"
    return DIRECTION_LABELS.get(direction, clean_text(direction).capitalize())


def format_number(value: float | None) -> str:
    """``1,250`` or ``58.5``; at most one decimal place, none when the value is whole."""
    if value is None:
        return "Not available"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def format_measure_value(value: float | None, unit: str) -> str:
    """A measure's value with its unit: ``58%``, ``18 weeks``, ``1,250``."""
    if value is None:
        return "Not available"
    number = format_number(value)
    unit = clean_text(unit).strip()
    if unit.lower() in _BARE_UNITS:
        return number
    if unit in {"%", "percent", "per cent"}:
        return f"{number}%"
    return f"{number} {unit}"


def count_phrase(count: int, singular: str, plural: str | None = None) -> str:
    """``1 action`` / ``3 actions``."""
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"

"""Words and numbers as a board paper prints them, and the one sanitiser for user text.

Every string a person typed reaches the document through :func:`clean_text`, which removes only
the characters XML 1.0 cannot carry (so Word and python-docx would refuse the file) and keeps
everything else exactly as typed: emoji, right-to-left scripts, ``<script>`` and ampersands are
just text to Word. Dates are written out with English month and day names rather than through
``strftime`` so the server's locale cannot change a paper.
"""

from __future__ import annotations

import re
from datetime import date

from tracker import formatting
from tracker.formatting import format_long_date as format_long_date
from tracker.formatting import format_timestamp as format_timestamp

# C0 controls other than tab, LF and CR; lone UTF-16 surrogates; the two non-characters
# U+FFFE and U+FFFF. These are exactly the code points outside XML 1.0's Char production.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
LINE_BREAK = re.compile("\r\n|\r|\n")

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


def format_date(day: date | None, *, missing: str = "No date") -> str:
    """``17 Jun 2026``, short enough for a narrow table column; ``missing`` when None."""
    return formatting.format_date(day, missing=missing)


DUE_TO_CONFIRM = "Due date to be confirmed"


def format_due_date(day: date | None, *, confirmed: bool = True) -> str:
    """An action's due date as a paper prints it: "Due date to be confirmed" while the date is
    still the seed's guess, for no board should read it as a promise."""
    if not confirmed:
        return DUE_TO_CONFIRM
    return format_date(day)


def format_status(status: str) -> str:
    """``In progress`` for ``in_progress``; unknown codes are shown readably, not dropped."""
    return STATUS_LABELS.get(status, clean_text(status).replace("_", " ").capitalize())


def format_direction(direction: str | None) -> str:
    """``Improving``, ``Stable``, ``Deteriorating`` or ``Not known``."""
    if direction is None:
        return "Not known"
    return DIRECTION_LABELS.get(direction, clean_text(direction).capitalize())


def format_number(value: float | None) -> str:
    """``1,250`` or ``58.55``: the one number format (``tracker.formatting``)."""
    return formatting.format_number(value, missing="Not available")


def format_measure_value(value: float | None, unit: str) -> str:
    """A measure's value with its unit: ``58%``, ``18 weeks``, ``1 day``, ``1,250``."""
    unit = clean_text(unit).strip()
    if unit.lower() in _BARE_UNITS:
        unit = ""
    return formatting.format_quantity(value, unit, missing="Not available")


def count_phrase(count: int, singular: str, plural: str | None = None) -> str:
    """``1 action`` / ``3 actions``."""
    return formatting.plural(count, singular, plural)

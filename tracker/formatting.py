"""The one place where numbers, shares, durations, dates and times become text for people.

Pages, papers, e-mails, exports and the command line all call these functions, so a figure
reads the same everywhere: ``4.25`` and ``58.55%`` on the Measures page are ``4.25`` and
``58.55%`` in the Word paper, ``1 day`` is never ``1 days``, dates are in UK form (``1 Dec
2026``), and clock times are in the partnership's time zone (stored times are UTC). Nothing
is written through ``strftime``'s locale-dependent names, so the server's locale cannot change
a paper. ``MISSING`` ("—") stands for a value that is not there; ``format_*`` functions never
print ``None``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from tracker.clock import partnership_zone

MISSING = "—"
DEFAULT_ZONE = "Europe/London"  # until a governance file says otherwise (tracker.clock)
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (  # the months by name, January first
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
# Figures carry at most this many decimal places, rounded half up as people round.
DECIMALS = 2


def _rounded(value: float, places: int) -> Decimal:
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def format_number(value: float | int | None, *, missing: str = MISSING) -> str:
    """``13,402``, ``35.5``, ``4.25``: thousands separated, at most two decimals, none trailing."""
    if value is None:
        return missing
    text = f"{_rounded(value, DECIMALS):,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def format_percent(value: float | None, *, missing: str = MISSING) -> str:
    """A value already in per cent: ``58.55%``."""
    if value is None:
        return missing
    return f"{format_number(value)}%"


def share_percent(part: int, whole: int) -> int | None:
    """``part`` of ``whole`` as a whole per cent (half up), None when there is no whole."""
    if whole <= 0:
        return None
    return int(_rounded(100 * part / whole, 0))


def format_share(part: int, whole: int, *, of: str = "", missing: str = MISSING) -> str:
    """``33% (1 of 3 rated)``: a share with the counts it is made of, ``of`` naming the whole."""
    percent = share_percent(part, whole)
    if percent is None:
        return missing
    whole_words = f"{whole:,} {of}".strip()
    return f"{percent}% ({part:,} of {whole_words})"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 action`` / ``3 actions`` / ``1 day`` / ``2 days``."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count:,} {word}"


def format_days(count: int | None, *, missing: str = MISSING) -> str:
    """A duration in whole days: ``1 day``, ``154 days``."""
    if count is None:
        return missing
    return plural(count, "day")


def format_date(day: date | datetime | None, *, missing: str = MISSING) -> str:
    """``17 Jun 2026``: UK order, short month, for tables and running text.

    A stored moment (timezone-aware) is dated by the partnership's clock, not UTC's."""
    if day is None:
        return missing
    if isinstance(day, datetime) and day.tzinfo is not None:
        day = local_time(day)
    return f"{day.day} {MONTHS[day.month - 1][:3]} {day.year}"


def format_long_date(day: date) -> str:
    """``Wednesday 17 June 2026``, the way a council paper writes a meeting date."""
    return f"{_DAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def local_time(moment: datetime, zone: str | tzinfo | None = None) -> datetime:
    """``moment`` in ``zone``, by default the partnership's (governance.yaml
    ``partnership.timezone``); a naive value (never stored by the app) is UTC."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    if zone is None:
        zone = partnership_zone()
    return aware.astimezone(ZoneInfo(zone) if isinstance(zone, str) else zone)


def format_moment(
    moment: datetime | None, zone: str | tzinfo | None = None, *, missing: str = MISSING
) -> str:
    """``28 Nov 2026 14:03`` in the partnership's local time (in London GMT, or BST in summer)."""
    if moment is None:
        return missing
    local = local_time(moment, zone)
    return f"{format_date(local)} {local:%H:%M}"


def format_time_of_day(moment: datetime, zone: str | tzinfo | None = None) -> str:
    """``14:03``, the clock time of ``moment`` in the partnership's zone."""
    return f"{local_time(moment, zone):%H:%M}"


def format_timestamp(moment: datetime, zone: str | tzinfo | None = None) -> str:
    """``12 June 2026 at 14:03``; converted to ``zone`` when one is given."""
    local = local_time(moment, zone) if zone else moment
    return f"{local.day} {MONTHS[local.month - 1]} {local.year} at {local:%H:%M}"


def format_quantity(value: float | None, unit: str, *, missing: str = MISSING) -> str:
    """A figure in its unit: ``58.55%``, ``1 day``, ``2.5 weeks``, ``1,250`` (no unit)."""
    if value is None:
        return missing
    number = format_number(value)
    unit = unit.strip()
    if unit in {"%", "percent", "per cent", "percentage"}:
        return f"{number}%"
    if not unit:
        return number
    if number == "1" and unit in {"days", "weeks", "months", "years"}:
        unit = unit[:-1]
    return f"{number} {unit}"

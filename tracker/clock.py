"""The one clock: what time it is now, and what day it is in the partnership's time zone.

Everything that needs "now" or "today" asks here rather than calling ``datetime.now`` or
``date.today`` itself, so a demonstration or a test can pin the day in one place:
``TRACKER_TODAY=YYYY-MM-DD`` pins today's date (the time of day stays the real one), and
``pinned(moment)`` pins the whole clock inside a ``with`` block. Stored times are UTC; the day
is the partnership's (``governance.yaml`` ``partnership.timezone``), so a reminder sent at
00:30 in London belongs to London's day, not UTC's. Loading the governance file sets that
zone here, so every time the formatting module shows is in it without each caller passing it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo

from tracker.errors import ConfigurationError

TODAY_ENV = "TRACKER_TODAY"
DEFAULT_ZONE = ZoneInfo("Europe/London")

_pinned: list[datetime] = []
_zone: list[ZoneInfo] = [DEFAULT_ZONE]


def partnership_zone() -> ZoneInfo:
    """The zone of the governance file in force: the last one ``load_governance`` read (the
    app, the command line and the scheduler each load theirs before showing a time)."""
    return _zone[-1]


def use_partnership_zone(zone: ZoneInfo) -> None:
    """Called by ``load_governance``: every time shown from now on is in ``zone``."""
    _zone[-1] = zone


def pinned_day() -> date | None:
    """The date ``TRACKER_TODAY`` pins, if it is set."""
    text = os.environ.get(TODAY_ENV, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigurationError(f"{TODAY_ENV}={text!r} is not a date (YYYY-MM-DD)") from None


def now() -> datetime:
    """This moment, timezone-aware in UTC (as the database stores it)."""
    if _pinned:
        return _pinned[-1]
    return datetime.now(UTC)


def today(zone: tzinfo | None = None) -> date:
    """Today's date in ``zone`` (pass the partnership's), or the date ``TRACKER_TODAY`` pins."""
    day = pinned_day()
    if day is not None:
        return day
    return now().astimezone(zone or partnership_zone()).date()


def local_now(zone: tzinfo | None = None) -> datetime:
    """This moment on the clock in ``zone``, on the pinned day if ``TRACKER_TODAY`` is set."""
    moment = now().astimezone(zone or partnership_zone())
    day = pinned_day()
    return moment if day is None else datetime.combine(day, moment.timetz())


@contextmanager
def pinned(moment: datetime) -> Iterator[datetime]:
    """Inside the block, ``now()`` is ``moment`` (which must be timezone-aware)."""
    if moment.tzinfo is None:
        raise ValueError("pin the clock to a timezone-aware moment")
    _pinned.append(moment.astimezone(UTC))
    try:
        yield _pinned[-1]
    finally:
        _pinned.pop()

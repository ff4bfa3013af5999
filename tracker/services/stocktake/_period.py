"""The period a stocktake pack covers: its default, its checks and the moments it spans.

A period is a run of whole days in the partnership's time zone, both ends included. By default
it starts the day after the last stocktake's period ended (so consecutive packs neither overlap
nor leave a gap) and ends today; before the first stocktake it starts three months back, the
quarterly rhythm DfE and NHS England advisers keep. A pack asked for again on the day the last
one ended covers that day alone rather than an impossible period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from sqlmodel import Session, col, select

from tracker.errors import InvalidInput
from tracker.formatting import format_long_date
from tracker.models import Stocktake
from tracker.papers.history import deadline_cutoff

FIRST_PERIOD_MONTHS = 3
EARLIEST_DAY = date(2000, 1, 1)  # before any SEND strategy this tracker could hold


class PeriodInvalid(InvalidInput):
    """The period asked for cannot be used; ``fields`` names ``period_from`` or ``period_to``."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.fields = {field: message}


@dataclass(frozen=True)
class Period:
    """Whole days ``start`` to ``end``, both included."""

    start: date
    end: date

    def moments(self, timezone: str) -> tuple[datetime, datetime]:
        """The first moment of ``start`` and the first moment after ``end``, in UTC."""
        return (
            deadline_cutoff(self.start - timedelta(days=1), timezone),
            deadline_cutoff(self.end, timezone),
        )

    def describe(self) -> str:
        """``1 September 2026 to 2 December 2026``."""
        return f"{format_long_date(self.start)} to {format_long_date(self.end)}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def last_period_end(session: Session) -> date | None:
    """Where the latest stocktake's period ended, if one was ever made."""
    return session.exec(
        select(col(Stocktake.period_to)).order_by(col(Stocktake.period_to).desc()).limit(1)
    ).first()


def default_period(session: Session, *, today: date) -> Period:
    """From the day after the last stocktake's period (three months back before the first)
    to today."""
    last = last_period_end(session)
    if last is None:
        start = today - relativedelta(months=FIRST_PERIOD_MONTHS)
    else:
        start = min(last + timedelta(days=1), today)
    return Period(start=start, end=today)


def resolve_period(
    session: Session, *, period_from: date | None, period_to: date | None, today: date
) -> Period:
    """The period asked for, each missing end taken from the default; refused naming the end
    at fault when it is impossible."""
    default = default_period(session, today=today)
    end = period_to or today
    start = period_from or (default.start if default.start <= end else end)
    if end > today:
        raise PeriodInvalid(
            f"the period cannot end after today ({format_long_date(today)}): "
            f"{format_long_date(end)} is still to come",
            field="period_to",
        )
    if start < EARLIEST_DAY:
        raise PeriodInvalid(
            f"the period cannot start before {format_long_date(EARLIEST_DAY)}: "
            f"{start.isoformat()} looks mistyped",
            field="period_from",
        )
    if start > end:
        raise PeriodInvalid(
            f"the period starts ({format_long_date(start)}) after it ends "
            f"({format_long_date(end)})",
            field="period_from",
        )
    return Period(start=start, end=end)

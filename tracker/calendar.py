"""The meeting calendar: working days, meeting dates, update cycles and their iCalendar feed.

Pure functions with no database and no clock of their own: callers pass `today`. Working days
are Monday to Friday except England and Wales bank holidays, as the `holidays` package knows
them (substitute days and one-off holidays such as a coronation included). Meeting dates come
from explicit dates and an RFC 5545 recurrence rule; each meeting gives an update cycle whose
paper deadline and update window are counted back from the meeting in working days.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import holidays
import icalendar
from dateutil.rrule import rrule as RRule
from dateutil.rrule import rrulestr

from tracker import clock
from tracker.errors import ConfigurationError

__all__ = [
    "MAX_RULE_OCCURRENCES",
    "CalendarError",
    "CycleDates",
    "add_working_days",
    "current_cycle_start",
    "cycle_dates",
    "england_bank_holidays",
    "expand_meeting_dates",
    "is_working_day",
    "list_non_working_days",
    "next_cycle",
    "render_ics",
    "working_days_before",
    "working_days_between",
]

# A meeting calendar with more occurrences than this is a mistake in the rule (say DAILY for
# MONTHLY); stopping early keeps a bad governance.yaml from hanging the loader.
MAX_RULE_OCCURRENCES = 1000

_DAY_LEVEL_FREQUENCIES = frozenset({"DAILY", "WEEKLY", "MONTHLY", "YEARLY"})
_PRODID = "-//SEND Partnership Action Tracker//Meeting calendar//EN"
_DOMAIN_PATTERN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")


class CalendarError(ConfigurationError):
    """A meeting calendar that cannot be used: a bad rule, missing start, inconsistent dates."""


# --- Working days -----------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _bank_holidays_in_year(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def england_bank_holidays(years: Iterable[int]) -> frozenset[date]:
    """Return the England and Wales bank holidays (substitute days included) in `years`.

    Each year is computed once per process and cached, so callers may ask freely.
    """
    found: set[date] = set()
    for year in set(years):
        found |= _bank_holidays_in_year(year)
    return frozenset(found)


def is_working_day(day: date) -> bool:
    """Return True for Monday to Friday unless it is an England and Wales bank holiday."""
    return day.weekday() < 5 and day not in _bank_holidays_in_year(day.year)


def add_working_days(day: date, n: int) -> date:
    """Return the date `n` working days after `day` (before it when `n` is negative).

    `day` itself is never counted: n=1 is the first working day after `day`, n=-1 the last
    working day before it, whether or not `day` is a working day (Saturday + 1 is Monday).
    n=0 returns `day` if it is a working day, otherwise the next working day: "0 working days
    after a deadline" that falls on a weekend means the Monday after.
    """
    if n == 0:
        while not is_working_day(day):
            day += timedelta(days=1)
        return day
    step = timedelta(days=1 if n > 0 else -1)
    remaining = abs(n)
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_before(day: date, n: int) -> date:
    """Return the date `n` working days before `day` (`day` itself is not counted).

    A paper deadline 5 working days before a Thursday meeting is the Thursday before, or
    earlier when bank holidays fall in between. n=0 returns `day` if it is a working day,
    otherwise the working day before it: a deadline rolls back, never past its meeting.
    """
    if n < 0:
        raise CalendarError(f"working days before must be 0 or more, got {n}")
    if n == 0:
        while not is_working_day(day):
            day -= timedelta(days=1)
        return day
    return add_working_days(day, -n)


def list_non_working_days(days: Iterable[date]) -> list[date]:
    """Return the days, sorted and unique, that fall at a weekend or on a bank holiday.

    A rule such as "first Thursday" can land a meeting on New Year's Day; governance checks
    use this to point that out rather than silently moving the meeting.
    """
    return sorted({day for day in days if not is_working_day(day)})


def _weekdays_up_to(day: date) -> int:
    # Ordinal 1 (0001-01-01) is a Monday, so each whole week of ordinals holds five weekdays.
    weeks, extra_days = divmod(day.toordinal(), 7)
    return weeks * 5 + min(extra_days, 5)


def working_days_between(start: date, end: date) -> int:
    """Count the working days after `start` up to and including `end`.

    This is the inverse of `add_working_days`: for working days a and b,
    add_working_days(a, working_days_between(a, b)) == b. It is negative when `end` is before
    `start`, and 0 when they are the same day.
    """
    if end < start:
        return -working_days_between(end, start)
    weekdays = _weekdays_up_to(end) - _weekdays_up_to(start)
    holidays_on_weekdays = sum(
        1
        for holiday in england_bank_holidays(range(start.year, end.year + 1))
        if start < holiday <= end and holiday.weekday() < 5
    )
    return weekdays - holidays_on_weekdays


# --- Meeting dates ----------------------------------------------------------------------------


def _parse_rule_parts(rule: str) -> dict[str, str]:
    """Split 'FREQ=MONTHLY;BYDAY=WE' into upper-case keys, rejecting what is not one RRULE."""
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    if not text:
        raise CalendarError("recurrence rule is empty; write e.g. FREQ=MONTHLY;BYDAY=WE;BYSETPOS=3")
    if "\n" in text or "\r" in text or ":" in text:
        raise CalendarError(
            f"recurrence rule {rule!r} must be a single RRULE such as "
            "FREQ=MONTHLY;BYDAY=WE;BYSETPOS=3; give the start date separately and list extra "
            "meetings as explicit dates"
        )
    parts: dict[str, str] = {}
    for part in filter(None, (piece.strip() for piece in text.split(";"))):
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise CalendarError(f"recurrence rule {rule!r}: {part!r} is not NAME=VALUE")
        name = key.strip().upper()
        if name in parts:
            raise CalendarError(f"recurrence rule {rule!r} gives {name} more than once")
        parts[name] = value.strip()
    return parts


def _normalise_rule(rule: str) -> tuple[str, dict[str, str]]:
    parts = _parse_rule_parts(rule)
    freq = parts.get("FREQ", "").upper()
    if freq not in _DAY_LEVEL_FREQUENCIES:
        raise CalendarError(
            f"recurrence rule {rule!r}: FREQ must be one of DAILY, WEEKLY, MONTHLY or YEARLY "
            f"(meetings are whole days), got {parts.get('FREQ', 'nothing')!r}"
        )
    if "UNTIL" in parts:
        # Meetings are whole days, so only the date of UNTIL matters; dropping a time or a UTC
        # "Z" avoids dateutil refusing a UTC UNTIL against our date-only start.
        parts["UNTIL"] = parts["UNTIL"].split("T", 1)[0]
    return ";".join(f"{key}={value}" for key, value in parts.items()), parts


def _expand_rule(rule: str, start: date, until: date | None) -> list[date]:
    text, parts = _normalise_rule(rule)
    if until is None and "COUNT" not in parts and "UNTIL" not in parts:
        raise CalendarError(
            f"recurrence rule {rule!r} never ends: give an until date, or COUNT= or UNTIL= in "
            "the rule"
        )
    try:
        recurrence = rrulestr(text, dtstart=datetime.combine(start, time()))
    except (ValueError, TypeError, OverflowError) as error:
        raise CalendarError(f"recurrence rule {rule!r} is not valid: {error}") from error
    if not isinstance(recurrence, RRule):  # pragma: no cover - a single RRULE parses to rrule
        raise CalendarError(f"recurrence rule {rule!r} must be a single RRULE")
    found: list[date] = []
    for occurrence in recurrence:
        day = occurrence.date()
        if until is not None and day > until:
            break
        if len(found) >= MAX_RULE_OCCURRENCES:
            raise CalendarError(
                f"recurrence rule {rule!r} gives more than {MAX_RULE_OCCURRENCES} meetings; "
                "check FREQ, INTERVAL and the until date"
            )
        found.append(day)
    return found


def _as_date(value: date) -> date:
    # datetime is a date subclass but does not compare with date: keep only its day.
    return value.date() if isinstance(value, datetime) else value


def expand_meeting_dates(
    *,
    dates: Sequence[date] = (),
    rrule: str | None = None,
    start: date | None = None,
    until: date | None = None,
) -> list[date]:
    """Return the meeting dates: explicit `dates` merged with `rrule`, sorted and unique.

    `rrule` is an RFC 5545 RRULE (e.g. FREQ=MONTHLY;BYDAY=WE;BYSETPOS=3) expanded from `start`;
    `start` itself is a meeting only if it matches the rule. `until` (inclusive) bounds the
    rule, not the explicit dates. Raises CalendarError for an invalid rule, a rule without
    `start`, or a rule with no end (no `until`, COUNT or UNTIL).
    """
    meetings = {_as_date(day) for day in dates}
    if rrule is not None:
        if start is None:
            raise CalendarError(f"recurrence rule {rrule!r} needs a start date")
        bound = None if until is None else _as_date(until)
        meetings.update(_expand_rule(rrule, _as_date(start), bound))
    return sorted(meetings)


# --- Update cycles ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CycleDates:
    """One board meeting and the dates counted back from it."""

    board: str
    meeting: date
    paper_deadline: date
    window_opens: date

    def __post_init__(self) -> None:
        if not self.window_opens <= self.paper_deadline <= self.meeting:
            raise CalendarError(
                f"{self.board} meeting on {self.meeting}: the update window must open "
                f"({self.window_opens}) on or before the paper deadline ({self.paper_deadline}), "
                "which must be on or before the meeting"
            )


def cycle_dates(
    *,
    board: str,
    meeting: date,
    paper_deadline_working_days: int,
    update_window_working_days: int,
) -> CycleDates:
    """Return the cycle for a meeting: deadline N working days before, window M before that."""
    for name, value in (
        ("paper_deadline_working_days", paper_deadline_working_days),
        ("update_window_working_days", update_window_working_days),
    ):
        if value < 0:
            raise CalendarError(f"{board}: {name} must be 0 or more, got {value}")
    deadline = working_days_before(meeting, paper_deadline_working_days)
    return CycleDates(
        board=board,
        meeting=meeting,
        paper_deadline=deadline,
        window_opens=working_days_before(deadline, update_window_working_days),
    )


def current_cycle_start(cycles: Sequence[CycleDates], today: date) -> date | None:
    """Return the latest update window opening on or before `today`, or None if none has."""
    opened = [cycle.window_opens for cycle in cycles if cycle.window_opens <= today]
    return max(opened, default=None)


def next_cycle(cycles: Sequence[CycleDates], today: date) -> CycleDates | None:
    """Return the cycle with the earliest meeting on or after `today`, or None if none is left."""
    coming = [cycle for cycle in cycles if cycle.meeting >= today]
    return min(coming, key=lambda cycle: (cycle.meeting, cycle.board), default=None)


# --- iCalendar feed ---------------------------------------------------------------------------


def _clean_text(text: str) -> str:
    """Make user text safe for iCalendar: no control characters, no lone surrogates."""
    cleaned = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Cs":
            cleaned.append("\N{REPLACEMENT CHARACTER}")
        elif category == "Cc":
            cleaned.append(" ")
        else:
            cleaned.append(char)
    return " ".join("".join(cleaned).split())


def _event_uid(board: str, kind: str, meeting: date, domain: str) -> str:
    # Keyed on the meeting, not the event's own date, so moving a deadline (a changed number of
    # working days) updates the event in Outlook instead of adding a second one.
    key = f"{board}\x1f{kind}\x1f{meeting.isoformat()}".encode("utf-8", "surrogatepass")
    return f"{hashlib.sha1(key, usedforsecurity=False).hexdigest()}@{domain}"


def _all_day_event(
    *, uid: str, summary: str, first: date, last: date, description: str, stamp: datetime
) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("summary", summary)
    event.add("description", description)
    event.add("dtstart", first)
    event.add("dtend", last + timedelta(days=1))  # DTEND of an all-day event is exclusive
    # Meeting times are not known here, so no event should block a whole day as busy.
    event.add("transp", "TRANSPARENT")
    return event


def _cycle_events(cycle: CycleDates, *, domain: str, stamp: datetime) -> Iterable[icalendar.Event]:
    board = _clean_text(cycle.board)
    meeting_day = f"{cycle.meeting:%A} {cycle.meeting.day} {cycle.meeting:%B %Y}"
    deadline_day = (
        f"{cycle.paper_deadline:%A} {cycle.paper_deadline.day} {cycle.paper_deadline:%B %Y}"
    )
    yield _all_day_event(
        uid=_event_uid(cycle.board, "meeting", cycle.meeting, domain),
        summary=f"{board} meeting",
        first=cycle.meeting,
        last=cycle.meeting,
        description=f"{board} meets. Papers were due on {deadline_day}.",
        stamp=stamp,
    )
    yield _all_day_event(
        uid=_event_uid(cycle.board, "paper-deadline", cycle.meeting, domain),
        summary=f"{board} paper deadline",
        first=cycle.paper_deadline,
        last=cycle.paper_deadline,
        description=f"Paper deadline for the {board} meeting on {meeting_day}.",
        stamp=stamp,
    )
    yield _all_day_event(
        uid=_event_uid(cycle.board, "update-window", cycle.meeting, domain),
        summary=f"{board} update window",
        first=cycle.window_opens,
        last=cycle.paper_deadline,
        description=(
            f"Action owners update RAG status and commentary for the {board} meeting on "
            f"{meeting_day}. The window closes at the paper deadline, {deadline_day}."
        ),
        stamp=stamp,
    )


def render_ics(
    cycles: Sequence[CycleDates],
    *,
    calendar_name: str,
    domain: str = "send-tracker.example.org",
    stamp: datetime | None = None,
) -> bytes:
    """Render the cycles as an iCalendar (.ics) file Outlook can import or subscribe to.

    Each cycle gives three all-day events: the meeting, the paper deadline and the update
    window (from its opening to the paper deadline, inclusive). UIDs are stable, so importing
    a newer file updates events rather than duplicating them. `stamp` (timezone-aware) is the
    DTSTAMP; it defaults to now.
    """
    if not _DOMAIN_PATTERN.fullmatch(domain):
        raise CalendarError(f"calendar domain {domain!r} must be a host name like example.org")
    if stamp is None:
        stamp = clock.now()
    elif stamp.tzinfo is None:
        raise CalendarError("calendar stamp must be timezone-aware")
    stamp = stamp.astimezone(UTC).replace(microsecond=0)
    calendar = icalendar.Calendar()
    calendar.add("prodid", _PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # icalendar does not know X-WR-CALNAME is text; vText escapes ";", "," and "\\" for clients.
    calendar.add("x-wr-calname", icalendar.vText(_clean_text(calendar_name)))
    for cycle in sorted(cycles, key=lambda cycle: (cycle.meeting, cycle.board)):
        for event in _cycle_events(cycle, domain=domain, stamp=stamp):
            calendar.add_component(event)
    return bytes(calendar.to_ical())

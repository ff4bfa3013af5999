"""Tests for the meeting calendar: working days, meeting dates, update cycles and the .ics feed.

Expected dates are written out by hand from the GOV.UK bank holiday list for England and Wales,
so a change in the `holidays` package or in our arithmetic shows up as a named case.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import icalendar
import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.calendar import (
    MAX_RULE_OCCURRENCES,
    CalendarError,
    CycleDates,
    add_working_days,
    current_cycle_start,
    cycle_dates,
    england_bank_holidays,
    expand_meeting_dates,
    is_working_day,
    list_non_working_days,
    next_cycle,
    render_ics,
    working_days_before,
    working_days_between,
)

D = date
OPS = "SEND Operations Board"
THIRD_WEDNESDAY = "FREQ=MONTHLY;BYDAY=WE;BYSETPOS=3"
ALTERNATE_THIRD_TUESDAY = "FREQ=MONTHLY;INTERVAL=2;BYDAY=TU;BYSETPOS=3"
STAMP = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


# --- Bank holidays and working days -----------------------------------------------------------


def test_bank_holidays_2025_and_2026_are_exactly_the_england_and_wales_list() -> None:
    assert england_bank_holidays([2025, 2026]) == {
        D(2025, 1, 1),
        D(2025, 4, 18),
        D(2025, 4, 21),
        D(2025, 5, 5),
        D(2025, 5, 26),
        D(2025, 8, 25),
        D(2025, 12, 25),
        D(2025, 12, 26),
        D(2026, 1, 1),
        D(2026, 4, 3),
        D(2026, 4, 6),
        D(2026, 5, 4),
        D(2026, 5, 25),
        D(2026, 8, 31),
        D(2026, 12, 25),
        D(2026, 12, 26),  # a Saturday: the holiday is taken on the substitute day below
        D(2026, 12, 28),
    }


def test_bank_holidays_accept_any_iterable_of_years_and_repeat_years() -> None:
    assert england_bank_holidays(iter([2026, 2026])) == england_bank_holidays(range(2026, 2027))
    assert england_bank_holidays([]) == frozenset()


@pytest.mark.parametrize(
    ("day", "working"),
    [
        pytest.param(D(2025, 12, 24), True, id="christmas-eve-is-a-working-day"),
        pytest.param(D(2025, 12, 25), False, id="christmas-day-2025-thursday"),
        pytest.param(D(2025, 12, 26), False, id="boxing-day-2025-friday"),
        pytest.param(D(2025, 12, 29), True, id="monday-after-christmas-2025"),
        pytest.param(D(2026, 12, 25), False, id="christmas-day-2026-friday"),
        pytest.param(D(2026, 12, 28), False, id="boxing-day-2026-saturday-substitute-monday"),
        pytest.param(D(2026, 12, 29), True, id="tuesday-after-boxing-substitute-2026"),
        pytest.param(D(2027, 12, 27), False, id="christmas-2027-saturday-substitute-monday"),
        pytest.param(D(2027, 12, 28), False, id="boxing-day-2027-sunday-substitute-tuesday"),
        pytest.param(D(2027, 12, 29), True, id="wednesday-after-double-substitute-2027"),
        pytest.param(D(2026, 1, 1), False, id="new-years-day-2026"),
        pytest.param(D(2026, 1, 2), True, id="2-january-is-scotland-only"),
        pytest.param(D(2022, 1, 3), False, id="new-year-2022-saturday-substitute-monday"),
        pytest.param(D(2026, 4, 3), False, id="good-friday-2026"),
        pytest.param(D(2026, 4, 6), False, id="easter-monday-2026"),
        pytest.param(D(2026, 4, 2), True, id="maundy-thursday-2026"),
        pytest.param(D(2026, 4, 7), True, id="tuesday-after-easter-2026"),
        pytest.param(D(2027, 3, 26), False, id="good-friday-2027"),
        pytest.param(D(2027, 3, 29), False, id="easter-monday-2027"),
        pytest.param(D(2026, 5, 4), False, id="early-may-bank-holiday-2026"),
        pytest.param(D(2026, 5, 25), False, id="spring-bank-holiday-2026"),
        pytest.param(D(2027, 5, 3), False, id="early-may-bank-holiday-2027"),
        pytest.param(D(2027, 5, 31), False, id="spring-bank-holiday-2027"),
        pytest.param(D(2026, 8, 31), False, id="summer-bank-holiday-england-2026"),
        pytest.param(D(2026, 8, 3), True, id="scotland-summer-bank-holiday-is-worked-in-england"),
        pytest.param(
            D(2026, 6, 15), True, id="scotland-world-cup-holiday-2026-is-worked-in-england"
        ),
        pytest.param(D(2026, 11, 30), True, id="st-andrews-day-is-scotland-only"),
        pytest.param(D(2026, 3, 17), True, id="st-patricks-day-is-northern-ireland-only"),
        pytest.param(D(2026, 7, 13), True, id="battle-of-the-boyne-is-northern-ireland-only"),
        pytest.param(D(2022, 6, 3), False, id="platinum-jubilee-2022"),
        pytest.param(D(2022, 9, 19), False, id="state-funeral-2022"),
        pytest.param(D(2023, 5, 8), False, id="coronation-2023"),
        pytest.param(D(2026, 3, 28), False, id="saturday"),
        pytest.param(D(2026, 3, 29), False, id="sunday-clocks-go-forward"),
        pytest.param(D(2026, 3, 30), True, id="monday-after-clocks-go-forward"),
        pytest.param(D(2026, 10, 25), False, id="sunday-clocks-go-back"),
        pytest.param(D(2026, 10, 26), True, id="monday-after-clocks-go-back"),
    ],
)
def test_is_working_day(day: date, working: bool) -> None:
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        pytest.param(D(2026, 2, 9), 4, D(2026, 2, 13), id="within-a-plain-week"),
        pytest.param(D(2026, 2, 13), 1, D(2026, 2, 16), id="friday-plus-one-is-monday"),
        pytest.param(D(2026, 2, 16), -1, D(2026, 2, 13), id="monday-minus-one-is-friday"),
        pytest.param(D(2025, 12, 24), 1, D(2025, 12, 29), id="over-christmas-and-boxing-2025"),
        pytest.param(D(2025, 12, 29), -1, D(2025, 12, 24), id="back-over-christmas-2025"),
        pytest.param(D(2026, 12, 24), 1, D(2026, 12, 29), id="over-boxing-substitute-2026"),
        pytest.param(D(2026, 12, 24), 2, D(2026, 12, 30), id="two-over-boxing-substitute-2026"),
        pytest.param(D(2027, 12, 24), 1, D(2027, 12, 29), id="over-double-substitute-2027"),
        pytest.param(D(2025, 12, 31), 1, D(2026, 1, 2), id="over-new-year-2026"),
        pytest.param(D(2026, 4, 2), 1, D(2026, 4, 7), id="over-easter-2026"),
        pytest.param(D(2026, 4, 7), -1, D(2026, 4, 2), id="back-over-easter-2026"),
        pytest.param(D(2027, 3, 25), 1, D(2027, 3, 30), id="over-easter-2027"),
        pytest.param(D(2026, 5, 1), 1, D(2026, 5, 5), id="over-early-may-2026"),
        pytest.param(D(2026, 5, 22), 1, D(2026, 5, 26), id="over-spring-bank-holiday-2026"),
        pytest.param(D(2026, 8, 28), 1, D(2026, 9, 1), id="over-summer-bank-holiday-2026"),
        pytest.param(D(2026, 7, 31), 1, D(2026, 8, 3), id="scotland-summer-holiday-not-skipped"),
        pytest.param(D(2026, 3, 27), 1, D(2026, 3, 30), id="over-clocks-forward-29-march-2026"),
        pytest.param(D(2026, 3, 30), -1, D(2026, 3, 27), id="back-over-clocks-forward-2026"),
        pytest.param(D(2026, 3, 27), 5, D(2026, 4, 7), id="clocks-forward-then-easter-2026"),
        pytest.param(D(2026, 10, 23), 1, D(2026, 10, 26), id="over-clocks-back-25-october-2026"),
        pytest.param(D(2026, 10, 26), -1, D(2026, 10, 23), id="back-over-clocks-back-2026"),
        pytest.param(D(2026, 3, 28), 1, D(2026, 3, 30), id="saturday-plus-one-is-monday"),
        pytest.param(D(2026, 3, 28), -1, D(2026, 3, 27), id="saturday-minus-one-is-friday"),
        pytest.param(D(2026, 4, 3), 1, D(2026, 4, 7), id="good-friday-plus-one-is-tuesday"),
        pytest.param(D(2026, 2, 11), 0, D(2026, 2, 11), id="zero-on-a-working-day-is-that-day"),
        pytest.param(D(2026, 3, 28), 0, D(2026, 3, 30), id="zero-on-saturday-rolls-to-monday"),
        pytest.param(D(2026, 4, 3), 0, D(2026, 4, 7), id="zero-on-good-friday-rolls-past-easter"),
        pytest.param(D(2026, 12, 25), 0, D(2026, 12, 29), id="zero-on-christmas-2026-rolls"),
    ],
)
def test_add_working_days(day: date, n: int, expected: date) -> None:
    assert add_working_days(day, n) == expected


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        pytest.param(D(2026, 2, 12), 5, D(2026, 2, 5), id="five-before-a-thursday-is-thursday"),
        pytest.param(D(2026, 4, 7), 3, D(2026, 3, 31), id="meeting-day-after-easter-monday"),
        pytest.param(D(2026, 5, 26), 3, D(2026, 5, 20), id="meeting-day-after-spring-holiday"),
        pytest.param(D(2026, 9, 1), 5, D(2026, 8, 24), id="meeting-day-after-summer-holiday"),
        pytest.param(D(2026, 12, 29), 5, D(2026, 12, 18), id="meeting-day-after-boxing-sub"),
        pytest.param(D(2026, 5, 5), 1, D(2026, 5, 1), id="meeting-day-after-early-may"),
        pytest.param(D(2026, 1, 2), 1, D(2025, 12, 31), id="meeting-day-after-new-year"),
        pytest.param(D(2026, 4, 1), 5, D(2026, 3, 25), id="across-clocks-forward-2026"),
        pytest.param(D(2026, 10, 28), 5, D(2026, 10, 21), id="across-clocks-back-2026"),
        pytest.param(D(2026, 2, 11), 0, D(2026, 2, 11), id="zero-on-a-working-day-is-that-day"),
        pytest.param(D(2026, 3, 28), 0, D(2026, 3, 27), id="zero-on-saturday-rolls-back-to-friday"),
        pytest.param(D(2026, 4, 6), 0, D(2026, 4, 2), id="zero-on-easter-monday-rolls-back"),
    ],
)
def test_working_days_before(day: date, n: int, expected: date) -> None:
    assert working_days_before(day, n) == expected


def test_working_days_before_refuses_a_negative_count() -> None:
    with pytest.raises(CalendarError, match="0 or more, got -1"):
        working_days_before(D(2026, 2, 12), -1)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        pytest.param(D(2026, 2, 11), D(2026, 2, 11), 0, id="same-day-is-zero"),
        pytest.param(D(2026, 2, 9), D(2026, 2, 13), 4, id="monday-to-friday"),
        pytest.param(D(2026, 2, 13), D(2026, 2, 16), 1, id="friday-to-monday"),
        pytest.param(D(2026, 2, 16), D(2026, 2, 13), -1, id="backwards-is-negative"),
        pytest.param(D(2026, 3, 28), D(2026, 3, 29), 0, id="saturday-to-sunday"),
        pytest.param(D(2026, 3, 28), D(2026, 3, 30), 1, id="saturday-to-monday"),
        pytest.param(D(2025, 12, 24), D(2025, 12, 29), 1, id="over-christmas-2025"),
        pytest.param(D(2026, 12, 24), D(2026, 12, 29), 1, id="over-boxing-substitute-2026"),
        pytest.param(D(2025, 12, 31), D(2026, 1, 2), 1, id="over-new-year-2026"),
        pytest.param(D(2026, 4, 2), D(2026, 4, 7), 1, id="over-easter-2026"),
        pytest.param(D(2026, 3, 27), D(2026, 3, 30), 1, id="over-clocks-forward-2026"),
        pytest.param(D(2026, 10, 23), D(2026, 10, 26), 1, id="over-clocks-back-2026"),
        pytest.param(D(2025, 12, 31), D(2026, 12, 31), 253, id="whole-of-2026"),
    ],
)
def test_working_days_between(start: date, end: date, expected: int) -> None:
    assert working_days_between(start, end) == expected


dates_2020s = st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 12, 31))


@settings(max_examples=150, deadline=None)
@given(start=dates_2020s, end=dates_2020s)
def test_working_days_between_counts_what_a_day_by_day_walk_counts(start: date, end: date) -> None:
    low, high = sorted((start, end))
    walked = sum(is_working_day(low + timedelta(days=i + 1)) for i in range((high - low).days))
    assert working_days_between(start, end) == (walked if end >= start else -walked)


@settings(max_examples=150, deadline=None)
@given(start=dates_2020s, n=st.integers(min_value=-300, max_value=300))
def test_adding_the_working_days_between_two_working_days_gets_back(start: date, n: int) -> None:
    first = add_working_days(start, 0)
    second = add_working_days(first, n)
    assert is_working_day(second)
    assert working_days_between(first, second) == n
    assert add_working_days(first, working_days_between(first, second)) == second


def test_list_non_working_days_finds_a_first_thursday_meeting_on_new_years_day() -> None:
    meetings = expand_meeting_dates(
        rrule="FREQ=MONTHLY;BYDAY=TH;BYSETPOS=1", start=D(2025, 9, 1), until=D(2026, 8, 31)
    )
    assert list_non_working_days([*meetings, D(2026, 3, 28), D(2026, 1, 1)]) == [
        D(2026, 1, 1),
        D(2026, 3, 28),
    ]


# --- Meeting dates ----------------------------------------------------------------------------


def test_third_wednesdays_from_september_2025_to_august_2026() -> None:
    assert expand_meeting_dates(
        rrule=THIRD_WEDNESDAY, start=D(2025, 9, 1), until=D(2026, 8, 31)
    ) == [
        D(2025, 9, 17),
        D(2025, 10, 15),
        D(2025, 11, 19),
        D(2025, 12, 17),
        D(2026, 1, 21),
        D(2026, 2, 18),
        D(2026, 3, 18),
        D(2026, 4, 15),
        D(2026, 5, 20),
        D(2026, 6, 17),
        D(2026, 7, 15),
        D(2026, 8, 19),
    ]


def test_third_tuesday_every_other_month_counts_from_the_start_month() -> None:
    assert expand_meeting_dates(
        rrule=ALTERNATE_THIRD_TUESDAY, start=D(2025, 9, 1), until=D(2026, 8, 31)
    ) == [
        D(2025, 9, 16),
        D(2025, 11, 18),
        D(2026, 1, 20),
        D(2026, 3, 17),
        D(2026, 5, 19),
        D(2026, 7, 21),
    ]


@pytest.mark.parametrize(
    ("rrule", "start", "until", "expected"),
    [
        pytest.param(
            THIRD_WEDNESDAY,
            D(2025, 9, 17),
            D(2025, 10, 15),
            [D(2025, 9, 17), D(2025, 10, 15)],
            id="start-and-until-are-inclusive",
        ),
        pytest.param(
            THIRD_WEDNESDAY,
            D(2025, 9, 18),
            D(2025, 11, 1),
            [D(2025, 10, 15)],
            id="start-not-matching-the-rule-is-not-a-meeting",
        ),
        pytest.param(
            f"{THIRD_WEDNESDAY};COUNT=3",
            D(2025, 9, 1),
            None,
            [D(2025, 9, 17), D(2025, 10, 15), D(2025, 11, 19)],
            id="count-bounds-a-rule-without-until",
        ),
        pytest.param(
            f"{THIRD_WEDNESDAY};UNTIL=20251119",
            D(2025, 9, 1),
            None,
            [D(2025, 9, 17), D(2025, 10, 15), D(2025, 11, 19)],
            id="until-in-the-rule-bounds-it",
        ),
        pytest.param(
            f"{THIRD_WEDNESDAY};UNTIL=20251119T000000Z",
            D(2025, 9, 1),
            None,
            [D(2025, 9, 17), D(2025, 10, 15), D(2025, 11, 19)],
            id="utc-until-in-the-rule-counts-by-date",
        ),
        pytest.param(
            f"{THIRD_WEDNESDAY};COUNT=10",
            D(2025, 9, 1),
            D(2025, 10, 31),
            [D(2025, 9, 17), D(2025, 10, 15)],
            id="earlier-of-count-and-until-wins",
        ),
        pytest.param(
            f"RRULE:{THIRD_WEDNESDAY.lower()};",
            D(2025, 9, 1),
            D(2025, 10, 31),
            [D(2025, 9, 17), D(2025, 10, 15)],
            id="rrule-prefix-lower-case-and-trailing-semicolon-accepted",
        ),
        pytest.param(
            THIRD_WEDNESDAY,
            D(2026, 1, 1),
            D(2025, 12, 31),
            [],
            id="until-before-start-gives-no-meetings",
        ),
    ],
)
def test_expand_rule(rrule: str, start: date, until: date | None, expected: list[date]) -> None:
    assert expand_meeting_dates(rrule=rrule, start=start, until=until) == expected


def test_explicit_dates_merge_with_the_rule_sorted_and_without_duplicates() -> None:
    meetings = expand_meeting_dates(
        dates=[D(2026, 1, 7), D(2025, 10, 15), D(2025, 8, 1), D(2026, 1, 7)],
        rrule=THIRD_WEDNESDAY,
        start=D(2025, 9, 1),
        until=D(2025, 12, 31),
    )
    assert meetings == [
        D(2025, 8, 1),  # before `start`: explicit dates are not bounded by the rule
        D(2025, 9, 17),
        D(2025, 10, 15),
        D(2025, 11, 19),
        D(2025, 12, 17),
        D(2026, 1, 7),  # after `until`, likewise
    ]


def test_explicit_dates_alone_are_sorted_and_unique() -> None:
    assert expand_meeting_dates(dates=[D(2026, 3, 4), D(2026, 1, 7), D(2026, 3, 4)]) == [
        D(2026, 1, 7),
        D(2026, 3, 4),
    ]
    assert expand_meeting_dates() == []


def test_explicit_datetimes_count_as_their_day() -> None:
    assert expand_meeting_dates(dates=[datetime(2026, 1, 7, 14, 0), D(2026, 1, 7)]) == [
        D(2026, 1, 7)
    ]


@pytest.mark.parametrize(
    ("rrule", "message"),
    [
        pytest.param("", "empty", id="empty-rule"),
        pytest.param("FREQ=FORTNIGHTLY", "FREQ must be one of", id="unknown-frequency"),
        pytest.param("BYDAY=WE;BYSETPOS=3", "FREQ must be one of", id="missing-frequency"),
        pytest.param("FREQ=HOURLY", "meetings are whole days", id="hourly-frequency"),
        pytest.param("every third wednesday", "is not NAME=VALUE", id="plain-english"),
        pytest.param("FREQ=MONTHLY;BYDAY=XX", "is not valid: invalid 'BYDAY'", id="bad-day"),
        pytest.param("FREQ=MONTHLY;BYDAY=WE;BYSETPOS=0", "is not valid", id="bysetpos-zero"),
        pytest.param("FREQ=MONTHLY;COUNT=abc", "is not valid", id="count-not-a-number"),
        pytest.param("FREQ=MONTHLY;UNTIL=2026-13-45", "is not valid", id="until-not-a-date"),
        pytest.param("FREQ=MONTHLY;NEVER=1", "is not valid", id="unknown-part"),
        pytest.param("FREQ=WEEKLY;FREQ=MONTHLY", "FREQ more than once", id="repeated-part"),
        pytest.param(
            "DTSTART:20250901\nRRULE:FREQ=WEEKLY", "single RRULE", id="several-properties"
        ),
    ],
)
def test_invalid_rule_is_refused_with_the_rule_named(rrule: str, message: str) -> None:
    with pytest.raises(CalendarError, match=message) as caught:
        expand_meeting_dates(rrule=rrule, start=D(2025, 9, 1), until=D(2026, 8, 31))
    assert repr(rrule) in str(caught.value) or rrule == ""


def test_rule_without_start_is_refused() -> None:
    with pytest.raises(CalendarError, match="needs a start date"):
        expand_meeting_dates(rrule=THIRD_WEDNESDAY, until=D(2026, 8, 31))


def test_rule_that_never_ends_is_refused() -> None:
    with pytest.raises(CalendarError, match="never ends: give an until date, or COUNT="):
        expand_meeting_dates(rrule=THIRD_WEDNESDAY, start=D(2025, 9, 1))


def test_rule_with_runaway_occurrences_is_refused() -> None:
    with pytest.raises(CalendarError, match=f"more than {MAX_RULE_OCCURRENCES} meetings"):
        expand_meeting_dates(rrule="FREQ=DAILY", start=D(2025, 9, 1), until=D(2035, 8, 31))


def test_calendar_error_is_a_value_error() -> None:
    assert issubclass(CalendarError, ValueError)


# --- Update cycles ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("meeting", "deadline_days", "window_days", "deadline", "opens"),
    [
        pytest.param(
            D(2025, 9, 17), 3, 5, D(2025, 9, 12), D(2025, 9, 5), id="operations-board-wednesday"
        ),
        pytest.param(
            D(2026, 4, 7), 5, 10, D(2026, 3, 27), D(2026, 3, 13), id="meeting-day-after-easter"
        ),
        pytest.param(
            D(2026, 1, 7), 3, 5, D(2026, 1, 2), D(2025, 12, 23), id="window-spans-christmas"
        ),
        pytest.param(
            D(2026, 2, 12), 0, 0, D(2026, 2, 12), D(2026, 2, 12), id="zero-days-all-on-meeting"
        ),
    ],
)
def test_cycle_dates_count_back_in_working_days(
    meeting: date, deadline_days: int, window_days: int, deadline: date, opens: date
) -> None:
    assert cycle_dates(
        board=OPS,
        meeting=meeting,
        paper_deadline_working_days=deadline_days,
        update_window_working_days=window_days,
    ) == CycleDates(board=OPS, meeting=meeting, paper_deadline=deadline, window_opens=opens)


@pytest.mark.parametrize(
    ("deadline_days", "window_days", "field"),
    [
        pytest.param(-1, 5, "paper_deadline_working_days", id="negative-deadline"),
        pytest.param(3, -2, "update_window_working_days", id="negative-window"),
    ],
)
def test_cycle_dates_refuse_negative_counts(
    deadline_days: int, window_days: int, field: str
) -> None:
    with pytest.raises(CalendarError, match=f"{OPS}: {field} must be 0 or more"):
        cycle_dates(
            board=OPS,
            meeting=D(2026, 2, 18),
            paper_deadline_working_days=deadline_days,
            update_window_working_days=window_days,
        )


def test_cycle_with_window_opening_after_the_deadline_is_refused() -> None:
    with pytest.raises(CalendarError, match="must open"):
        CycleDates(
            board=OPS,
            meeting=D(2026, 2, 18),
            paper_deadline=D(2026, 2, 13),
            window_opens=D(2026, 2, 16),
        )


def ops_cycles() -> list[CycleDates]:
    """Sep, Oct and Nov 2025: windows open 5 Sep, 3 Oct, 7 Nov; meetings 17 Sep, 15 Oct, 19 Nov."""
    meetings = expand_meeting_dates(
        rrule=THIRD_WEDNESDAY, start=D(2025, 9, 1), until=D(2025, 11, 30)
    )
    return [
        cycle_dates(
            board=OPS, meeting=m, paper_deadline_working_days=3, update_window_working_days=5
        )
        for m in meetings
    ]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        pytest.param(D(2025, 9, 4), None, id="before-the-first-window-opens"),
        pytest.param(D(2025, 9, 5), D(2025, 9, 5), id="on-the-first-window-opening"),
        pytest.param(D(2025, 10, 2), D(2025, 9, 5), id="day-before-the-next-window-opens"),
        pytest.param(D(2025, 10, 3), D(2025, 10, 3), id="today-equal-to-window-opens"),
        pytest.param(D(2025, 10, 15), D(2025, 10, 3), id="on-the-meeting-day"),
        pytest.param(D(2026, 6, 1), D(2025, 11, 7), id="long-after-the-last-meeting"),
    ],
)
def test_current_cycle_start(today: date, expected: date | None) -> None:
    assert current_cycle_start(ops_cycles(), today) == expected
    assert current_cycle_start(list(reversed(ops_cycles())), today) == expected


@pytest.mark.parametrize(
    ("today", "expected_meeting"),
    [
        pytest.param(D(2025, 1, 1), D(2025, 9, 17), id="before-the-first-cycle"),
        pytest.param(D(2025, 9, 17), D(2025, 9, 17), id="on-a-meeting-day-that-meeting"),
        pytest.param(D(2025, 9, 18), D(2025, 10, 15), id="day-after-a-meeting-the-next"),
        pytest.param(D(2025, 11, 19), D(2025, 11, 19), id="on-the-last-meeting"),
        pytest.param(D(2025, 11, 20), None, id="after-the-last-meeting"),
    ],
)
def test_next_cycle(today: date, expected_meeting: date | None) -> None:
    found = next_cycle(list(reversed(ops_cycles())), today)
    assert (found.meeting if found else None) == expected_meeting


def test_no_cycles_means_no_start_and_no_next() -> None:
    assert current_cycle_start([], D(2026, 1, 1)) is None
    assert next_cycle([], D(2026, 1, 1)) is None


def test_next_cycle_across_boards_is_the_earliest_meeting() -> None:
    transformation = cycle_dates(
        board="SEND Transformation Board",
        meeting=D(2025, 10, 2),
        paper_deadline_working_days=5,
        update_window_working_days=10,
    )
    found = next_cycle([*ops_cycles(), transformation], D(2025, 9, 18))
    assert found == transformation


# --- iCalendar feed ---------------------------------------------------------------------------


def unescape_text(value: str) -> str:
    """Undo RFC 5545 TEXT escaping (\\; \\, \\\\ \\n) as a calendar client does."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


def parse_events(ics: bytes) -> list[icalendar.Component]:
    return list(icalendar.Calendar.from_ical(ics).walk("VEVENT"))


def test_ics_round_trip_has_three_all_day_events_per_cycle() -> None:
    ics = render_ics(ops_cycles()[:2], calendar_name="SEND Operations Board", stamp=STAMP)
    calendar = icalendar.Calendar.from_ical(ics)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert "SEND Partnership Action Tracker" in str(calendar["PRODID"])
    assert b"X-WR-CALNAME:SEND Operations Board\r\n" in ics
    events = {
        (str(e["SUMMARY"]), e.decoded("DTSTART"), e.decoded("DTEND")) for e in parse_events(ics)
    }
    assert events == {
        (f"{OPS} meeting", D(2025, 9, 17), D(2025, 9, 18)),
        (f"{OPS} paper deadline", D(2025, 9, 12), D(2025, 9, 13)),
        (f"{OPS} update window", D(2025, 9, 5), D(2025, 9, 13)),  # DTEND is exclusive
        (f"{OPS} meeting", D(2025, 10, 15), D(2025, 10, 16)),
        (f"{OPS} paper deadline", D(2025, 10, 10), D(2025, 10, 11)),
        (f"{OPS} update window", D(2025, 10, 3), D(2025, 10, 11)),
    }
    for event in parse_events(ics):
        assert event.decoded("DTSTAMP") == STAMP
        assert str(event["UID"]).endswith("@send-tracker.example.org")
        assert str(event["TRANSP"]) == "TRANSPARENT"


def test_ics_uids_are_unique_and_stable_across_renders_and_changed_deadlines() -> None:
    first = [str(e["UID"]) for e in parse_events(render_ics(ops_cycles(), calendar_name="x"))]
    assert len(set(first)) == len(first) == 9
    later = [
        cycle_dates(
            board=c.board,
            meeting=c.meeting,
            paper_deadline_working_days=5,
            update_window_working_days=10,
        )
        for c in ops_cycles()
    ]
    stamp = datetime(2026, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=1)))
    again = [str(e["UID"]) for e in parse_events(render_ics(later, calendar_name="y", stamp=stamp))]
    assert again == first


def test_ics_uids_differ_between_boards_meeting_on_the_same_day() -> None:
    same_day = [
        cycle_dates(
            board=board,
            meeting=D(2026, 2, 18),
            paper_deadline_working_days=3,
            update_window_working_days=5,
        )
        for board in (OPS, "SEND Transformation Board")
    ]
    uids = [str(e["UID"]) for e in parse_events(render_ics(same_day, calendar_name="All"))]
    assert len(set(uids)) == 6


@pytest.mark.parametrize(
    ("board", "shown"),
    [
        pytest.param('Board; with, "quotes" \\ and: colon', None, id="ical-special-characters"),
        pytest.param("Bwrdd Gweithrediadau SEND – Ysgol 🎓", None, id="non-ascii-and-emoji"),
        pytest.param("Two\nline\r\nboard", "Two line board", id="newlines-become-spaces"),
        pytest.param("Ctrl\x00\x07\x1bchars", "Ctrl chars", id="control-characters-removed"),
        pytest.param(
            "Lone \ud800 surrogate", "Lone \N{REPLACEMENT CHARACTER} surrogate", id="surrogate"
        ),
        pytest.param("B" * 500, None, id="very-long-name-folded"),
    ],
)
def test_ics_survives_any_board_name(board: str, shown: str | None) -> None:
    cycle = cycle_dates(
        board=board,
        meeting=D(2026, 2, 18),
        paper_deadline_working_days=3,
        update_window_working_days=5,
    )
    ics = render_ics([cycle], calendar_name=board, stamp=STAMP)
    for line in ics.split(b"\r\n"):
        assert len(line) <= 75  # RFC 5545 folds content lines at 75 octets
    summaries = sorted(str(e["SUMMARY"]) for e in parse_events(ics))
    name = board if shown is None else shown
    assert summaries == [f"{name} meeting", f"{name} paper deadline", f"{name} update window"]
    # icalendar parses X- properties raw, so undo the TEXT escaping as a calendar client does.
    calname = str(icalendar.Calendar.from_ical(ics)["X-WR-CALNAME"])
    assert unescape_text(calname) == name


def test_ics_of_no_cycles_is_an_empty_valid_calendar() -> None:
    ics = render_ics([], calendar_name="Nothing yet", stamp=STAMP)
    assert parse_events(ics) == []
    assert ics.startswith(b"BEGIN:VCALENDAR\r\n") and ics.endswith(b"END:VCALENDAR\r\n")


def test_ics_stamp_defaults_to_now() -> None:
    with time_machine.travel(datetime(2026, 3, 29, 1, 30, 15, tzinfo=UTC), tick=False):
        ics = render_ics(ops_cycles()[:1], calendar_name="x")
    assert {e.decoded("DTSTAMP") for e in parse_events(ics)} == {
        datetime(2026, 3, 29, 1, 30, 15, tzinfo=UTC)
    }


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"domain": "bad domain/"}, "must be a host name", id="bad-domain"),
        pytest.param({"domain": ""}, "must be a host name", id="empty-domain"),
        pytest.param({"stamp": datetime(2026, 1, 5, 9, 30)}, "timezone-aware", id="naive-stamp"),
    ],
)
def test_ics_refuses_bad_settings(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(CalendarError, match=message):
        render_ics(ops_cycles(), calendar_name="x", **kwargs)

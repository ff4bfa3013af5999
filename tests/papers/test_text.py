"""How dates, numbers and colours are written in a paper."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tracker.papers.text import (
    format_date,
    format_direction,
    format_long_date,
    format_measure_value,
    format_status,
    format_timestamp,
)
from tracker.papers.word.docxml import contrast_colour


@pytest.mark.parametrize(
    ("day", "written"),
    [
        (date(2026, 6, 17), "Wednesday 17 June 2026"),
        (date(2025, 9, 1), "Monday 1 September 2025"),
        (date(2028, 2, 29), "Tuesday 29 February 2028"),
    ],
)
def test_meeting_dates_are_written_in_full(day, written):
    assert format_long_date(day) == written


def test_table_dates_are_short_and_missing_ones_say_so():
    assert format_date(date(2026, 9, 30)) == "30 Sep 2026"
    assert format_date(None) == "No date"
    assert format_date(None, missing="Never") == "Never"


def test_timestamps_include_the_time():
    assert format_timestamp(datetime(2026, 6, 12, 9, 5)) == "12 June 2026 at 09:05"


@pytest.mark.parametrize(
    ("value", "unit", "written"),
    [
        (52.5, "%", "52.5%"),
        (60.0, "%", "60%"),
        (18.0, "weeks", "18 weeks"),
        (1250.0, "number", "1,250"),
        (3.14, "", "3.14"),
        (58.555, "%", "58.56%"),
        (1.0, "days", "1 day"),
        (None, "%", "Not available"),
    ],
)
def test_measure_values_carry_their_unit(value, unit, written):
    assert format_measure_value(value, unit) == written


@pytest.mark.parametrize(
    ("status", "written"),
    [("in_progress", "In progress"), ("not_started", "Not started"), ("on_hold", "On hold")],
)
def test_statuses_are_readable(status, written):
    assert format_status(status) == written


def test_direction_of_travel_words():
    assert [format_direction(d) for d in ("improving", "stable", "deteriorating", None)] == [
        "Improving",
        "Stable",
        "Deteriorating",
        "Not known",
    ]


@pytest.mark.parametrize(
    ("fill", "text"),
    [
        ("C00000", "FFFFFF"),  # red
        ("2E75B6", "FFFFFF"),  # blue
        ("FFC000", "000000"),  # amber
        ("70AD47", "000000"),  # green
        ("D9D9D9", "000000"),  # not rated
    ],
)
def test_text_on_a_rag_fill_is_whichever_of_black_or_white_contrasts_more(fill, text):
    assert contrast_colour(fill) == text

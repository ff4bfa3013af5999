"""The one formatting module: the same figure reads the same on screens, papers and e-mails."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tracker import formatting
from tracker.papers.text import format_measure_value
from tracker.papers.text import format_number as paper_number
from tracker.rules.measures import format_value


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (4.25, "4.25"),
        (58.555, "58.56"),
        (2.675, "2.68"),  # half up, as people round (binary floats would give 2.67)
        (13402, "13,402"),
        (154.0, "154"),
        (-0.001, "0"),
        (None, "—"),
    ],
)
def test_numbers(value: float | None, written: str) -> None:
    assert formatting.format_number(value) == written


@pytest.mark.parametrize(
    ("count", "written"), [(0, "0 days"), (1, "1 day"), (2, "2 days"), (1500, "1,500 days")]
)
def test_durations(count: int, written: str) -> None:
    assert formatting.format_days(count) == written


@pytest.mark.parametrize(
    ("part", "whole", "of", "written"),
    [
        (1, 3, "rated", "33% (1 of 3 rated)"),
        (2, 3, "rated", "67% (2 of 3 rated)"),
        (1, 42, "actions", "2% (1 of 42 actions)"),
        (0, 0, "rated", "—"),
    ],
)
def test_shares_say_what_they_are_a_share_of(part: int, whole: int, of: str, written: str) -> None:
    assert formatting.format_share(part, whole, of=of) == written


@pytest.mark.parametrize(
    ("moment", "written"),
    [
        (datetime(2026, 7, 1, 13, 5, tzinfo=UTC), "1 Jul 2026 14:05"),  # BST
        (datetime(2026, 12, 1, 13, 5, tzinfo=UTC), "1 Dec 2026 13:05"),  # GMT
        (datetime(2026, 7, 1, 23, 30), "2 Jul 2026 00:30"),  # naive is UTC
        (None, "—"),
    ],
)
def test_times_are_in_the_partnerships_zone(moment: datetime | None, written: str) -> None:
    assert formatting.format_moment(moment) == written


def test_dates_are_in_uk_form() -> None:
    assert formatting.format_date(date(2026, 6, 17)) == "17 Jun 2026"
    assert formatting.format_long_date(date(2026, 6, 17)) == "Wednesday 17 June 2026"
    assert formatting.format_date(None) == "—"


@pytest.mark.parametrize(
    ("value", "unit", "page", "paper"),
    [
        (58.55, "percentage", "58.55%", "58.55%"),
        (4.25, "rate", "4.25", "4.25"),
        (1.0, "days", "1 day", "1 day"),
        (2.0, "weeks", "2 weeks", "2 weeks"),
    ],
)
def test_measures_page_and_paper_agree(value: float, unit: str, page: str, paper: str) -> None:
    paper_unit = {"percentage": "%", "rate": ""}.get(unit, unit)
    assert format_value(value, unit) == page
    assert format_measure_value(value, paper_unit) == paper
    assert paper_number(value) == formatting.format_number(value)

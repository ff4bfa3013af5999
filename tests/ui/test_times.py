"""Clock times on screen are UK local time, never UTC with a "UTC" label."""

from __future__ import annotations

from datetime import UTC, datetime

from tracker.ui.components import format_moment


def test_a_summer_time_is_shown_in_british_summer_time() -> None:
    assert format_moment(datetime(2026, 6, 2, 13, 5, tzinfo=UTC)) == "2 Jun 2026 14:05"


def test_a_winter_time_is_shown_in_greenwich_mean_time() -> None:
    assert format_moment(datetime(2026, 11, 28, 3, 34, tzinfo=UTC)) == "28 Nov 2026 03:34"


def test_the_local_day_is_shown_when_it_differs_from_the_utc_day() -> None:
    # 23:30 UTC on 30 June is 00:30 on 1 July in London.
    assert format_moment(datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) == "1 Jul 2026 00:30"

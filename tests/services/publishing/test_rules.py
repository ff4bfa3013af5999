"""Statuses in words a parent can read, and the front page's counts, as tables of cases."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.services.publishing import public_status
from tracker.services.publishing._rules import describe_counts

TODAY = date(2026, 10, 1)
PAST, FUTURE = date(2026, 9, 1), date(2027, 3, 31)


@pytest.mark.parametrize(
    ("status", "rag", "due", "confirmed", "words", "progress"),
    [
        ("complete", "blue", PAST, True, "Delivered", "delivered"),
        ("in_progress", "blue", FUTURE, True, "Delivered", "delivered"),
        ("in_progress", "green", FUTURE, True, "On track", "on_track"),
        ("in_progress", "green", PAST, True, "Behind", "behind"),  # Green but overdue
        ("in_progress", "green", PAST, False, "On track", "on_track"),  # date to confirm
        ("in_progress", "amber", FUTURE, True, "Behind: some delay", "behind"),
        ("in_progress", "red", FUTURE, True, "Behind", "behind"),
        ("in_progress", None, FUTURE, True, "Started", "on_track"),
        ("not_started", None, FUTURE, True, "Not started yet", "not_started"),
        ("withdrawn", "red", PAST, True, "Stopped", "stopped"),
    ],
)
def test_status_in_words(
    status: str, rag: str | None, due: date, confirmed: bool, words: str, progress: str
) -> None:
    shown = public_status(
        status=status, rag=rag, due_date=due, due_confirmed=confirmed, today=TODAY
    )
    assert (shown.words, shown.progress) == (words, progress)
    assert shown.explanation.endswith(".")


@pytest.mark.parametrize(
    ("counts", "sentence"),
    [
        ({}, "We have not reported on any actions for this priority yet."),
        ({"on_track": 1}, "Of the 1 action we report on: 1 on track."),
        (
            {"delivered": 2, "on_track": 3, "behind": 1},
            "Of the 6 actions we report on: 2 delivered, 3 on track and 1 behind.",
        ),
        (
            {"behind": 2, "not_started": 1},
            "Of the 3 actions we report on: 2 behind and 1 not started yet.",
        ),
    ],
)
def test_counts_in_a_sentence(counts: dict[str, int], sentence: str) -> None:
    assert describe_counts(counts) == sentence  # type: ignore[arg-type]

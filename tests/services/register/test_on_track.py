"""One definition of "on track": the overview, the paper, its preview and `tracker status` agree."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.factories import add_update
from tests.papers.scenario import MEETINGS, gather
from tracker.db import session_scope
from tracker.rules import OnTrack, on_track_share
from tracker.services.operations import status_summary
from tracker.services.register import summarise_headline

TODAY = datetime(2026, 10, 1, tzinfo=UTC).date()


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({"green": 1, "amber": 1, "red": 1, "not_rated": 39}, "33% (1 of 3 rated)"),
        ({"green": 1, "blue": 1, "amber": 1}, "67% (2 of 3 rated)"),
        ({"not_rated": 42}, "—"),
        ({"blue": 2}, "100% (2 of 2 rated)"),
    ],
)
def test_on_track_is_a_share_of_rated_actions(counts: dict[str, int], expected: str) -> None:
    assert on_track_share(counts).describe() == expected


def test_overview_status_and_paper_give_the_same_figure(engine) -> None:
    at = datetime(2026, 4, 20, tzinfo=UTC)  # before the SIB paper deadline of 8 May
    add_update(engine, "P1.1", rag="green", at=at)
    add_update(engine, "P1.2", rag="amber", commentary="Slipping.", at=at)
    add_update(engine, "P1.3", rag="red", commentary="Off track.", at=at)
    with session_scope(engine) as session:
        overview = summarise_headline(session, today=TODAY).on_track_share
        status = status_summary(session, database_url="sqlite://", today=TODAY)
    assert overview == OnTrack(on_track=1, rated=3)
    assert status["on_track_of_rated"] == overview.describe() == "33% (1 of 3 rated)"
    paper = gather(engine, "SIB", MEETINGS["SIB"][1]).paper
    summary = " ".join(paper.executive_summary)
    assert "Of the 3 actions rated, 1 (33%) is on track or complete" in summary

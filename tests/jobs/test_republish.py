"""The scheduler republishes the public site the working day after each Improvement Board
meeting, once, catching up a missed morning, into TRACKER_PUBLISH_DIR, audited as the scheduler."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from jobs.tasks import JobContext, republish_site_job
from tests.reminders.helpers import RecordingTransport, make_settings
from tracker.db import session_scope
from tracker.governance import GovernanceConfig
from tracker.models import AuditLog
from tracker.services.operations import acquire_scheduler_lock
from tracker.services.publishing import meeting_awaiting_publication

# SEND Improvement Board meetings in the shipped calendar: 20 January and 17 March 2026.
FEB_9 = datetime(2026, 2, 9, 7, 30, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = FEB_9

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def context(sqlite_engine: Engine, tmp_path: Path) -> Iterator[JobContext]:
    lock = acquire_scheduler_lock(sqlite_engine)
    yield JobContext(
        settings=make_settings(str(sqlite_engine.url), tmp_path, publish_dir=tmp_path / "public"),
        engine=sqlite_engine,
        transport=RecordingTransport(),
        lock=lock,
        holder="app1 pid 7",
        started_at=FEB_9,
        clock=Clock(),
    )
    lock.release()


def _publications(engine: Engine) -> list[AuditLog]:
    with session_scope(engine) as session:
        return list(session.exec(select(AuditLog).where(AuditLog.entity == "public_site")).all())


def test_the_site_is_republished_once_after_each_meeting(
    context: JobContext, sqlite_engine: Engine, tmp_path: Path
) -> None:
    assert republish_site_job(context)["published"] == 1  # the January meeting, caught up
    assert (tmp_path / "public" / "index.html").is_file()
    assert republish_site_job(context) == {"published": 0}  # once only
    assert isinstance(context.clock, Clock)
    context.clock.now = datetime(2026, 3, 17, 7, 30, tzinfo=UTC)
    assert republish_site_job(context) == {"published": 0}  # the meeting is today, not yet
    context.clock.now = datetime(2026, 3, 18, 7, 30, tzinfo=UTC)
    assert republish_site_job(context)["published"] == 1
    assert (tmp_path / "public.previous" / "index.html").is_file()
    labels = [row.actor_label for row in _publications(sqlite_engine)]
    assert labels == [
        "scheduler (after the meeting of 2026-01-20)",
        "scheduler (after the meeting of 2026-03-17)",
    ]


def test_nothing_is_due_without_a_republishing_board(
    sqlite_engine: Engine, governance: GovernanceConfig
) -> None:
    assert governance.publishing is not None
    by_hand = governance.model_copy(
        update={
            "publishing": governance.publishing.model_copy(
                update={"republish_after_meetings_of": None}
            )
        }
    )
    with session_scope(sqlite_engine) as session:
        assert (
            meeting_awaiting_publication(session, config=by_hand, today=date(2026, 3, 18)) is None
        )
        assert meeting_awaiting_publication(
            session, config=governance, today=date(2026, 3, 18)
        ) == date(2026, 3, 17)

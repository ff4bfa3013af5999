"""The job functions: one unit of work each, logged, recorded as a job run, never raising."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from jobs.tasks import JobContext, dispatch_outbox_job, reminders_job, weekly_digest_job
from tests.reminders.helpers import (
    RecordingTransport,
    load_test_governance,
    make_settings,
    outbox_rows,
)
from tracker.db import session_scope
from tracker.models import JobRun
from tracker.services.operations import acquire_scheduler_lock, read_scheduler_status
from tracker.services.reminders import queue_due_reminders

MONDAY = datetime(2026, 2, 9, 7, 30, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = MONDAY

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def context(sqlite_engine: Engine, tmp_path: Path) -> Iterator[JobContext]:
    lock = acquire_scheduler_lock(sqlite_engine)
    yield JobContext(
        settings=make_settings(str(sqlite_engine.url), tmp_path),
        engine=sqlite_engine,
        transport=RecordingTransport(),
        lock=lock,
        holder="app1 pid 7",
        started_at=MONDAY,
        clock=Clock(),
    )
    lock.release()


def runs(engine: Engine) -> list[JobRun]:
    with session_scope(engine) as session:
        return list(session.execute(select(JobRun).order_by(JobRun.id)).scalars())


def test_the_reminders_job_queues_sends_and_records_its_counts(context: JobContext) -> None:
    counts = reminders_job(context)
    (run,) = runs(context.engine)
    assert run.job_id == "reminders" and run.error is None
    assert run.counts == dict(counts)
    assert counts["queued"] == counts["sent"] == len(outbox_rows(context.engine)) > 0
    assert counts["planned_weekly_digest"] == 0  # the digest is its own job
    again = reminders_job(context)
    assert again["queued"] == 0 and again["already_queued"] == counts["queued"]


def test_the_digest_job_sends_only_the_digest(context: JobContext) -> None:
    counts = weekly_digest_job(context)
    assert counts["planned"] == counts["planned_weekly_digest"] == 2
    assert {r.rule for r in outbox_rows(context.engine)} == {"weekly_digest"}


def test_the_dispatcher_beats_the_heart_and_records_only_runs_that_did_something(
    context: JobContext,
) -> None:
    assert dispatch_outbox_job(context)["sent"] == 0
    assert runs(context.engine) == []
    with session_scope(context.engine) as session:
        status = read_scheduler_status(session, now=MONDAY + timedelta(minutes=1))
    assert status is not None and status.alive and status.holder == "app1 pid 7"
    assert status.expires_at == datetime(2026, 2, 9, 7, 33, tzinfo=UTC)  # next beat + 2 min


def test_the_last_heartbeat_before_the_night_pause_lasts_until_after_it(
    context: JobContext,
) -> None:
    assert isinstance(context.clock, Clock)
    context.clock.now = datetime(2026, 2, 10, 0, 59, 5, tzinfo=UTC)  # 00:59 in London, winter
    dispatch_outbox_job(context)
    with session_scope(context.engine) as session:
        during = read_scheduler_status(session, now=datetime(2026, 2, 10, 2, 30, tzinfo=UTC))
    assert during is not None and during.alive
    assert during.expires_at == datetime(2026, 2, 10, 3, 2, tzinfo=UTC)


def test_a_failing_job_is_recorded_and_does_not_raise(context: JobContext, tmp_path: Path) -> None:
    broken = tmp_path / "governance.yaml"
    broken.write_text("partnership: [not, a, mapping\n", encoding="utf-8")
    context.settings = make_settings(str(context.engine.url), tmp_path, governance_file=broken)
    assert reminders_job(context) == {}
    (run,) = runs(context.engine)
    assert run.error is not None and "GovernanceError" in run.error


class LostLock:
    description = "lost"

    def verify(self) -> bool:
        return False

    def release(self) -> None:
        return None


def test_a_scheduler_that_lost_its_lock_stops_instead_of_sending(context: JobContext) -> None:
    queued = queue_due_reminders(
        context.engine,
        governance=load_test_governance(),
        app_url="https://tracker.example.org",
        today=MONDAY.date(),
        now=MONDAY,
    )
    assert queued.added
    stopped: list[bool] = []
    context.lock = LostLock()
    context.stop = lambda: stopped.append(True)
    transport = context.transport
    assert isinstance(transport, RecordingTransport)
    assert dispatch_outbox_job(context) == {}
    assert stopped == [True]
    assert transport.sent == []
    assert {r.state for r in outbox_rows(context.engine)} == {"pending"}


def test_queued_mail_still_goes_while_governance_yaml_is_broken(
    context: JobContext, tmp_path: Path
) -> None:
    queue_due_reminders(
        context.engine,
        governance=load_test_governance(),
        app_url="https://tracker.example.org",
        today=MONDAY.date(),
        now=MONDAY,
    )
    broken = tmp_path / "governance.yaml"
    broken.write_text("partnership: [not, a, mapping\n", encoding="utf-8")
    context.settings = make_settings(str(context.engine.url), tmp_path, governance_file=broken)
    counts = dispatch_outbox_job(context)
    assert counts["sent"] == len(outbox_rows(context.engine)) > 0
    transport = context.transport
    assert isinstance(transport, RecordingTransport)
    assert {m.reply_to for m in transport.sent} == {None}

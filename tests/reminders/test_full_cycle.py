"""A whole update cycle of the SEND Operations Board, day by day, with the clock under control.

The scheduler's own job functions run each working morning at 07:30 (and the digest on Monday
at 08:00) while time-machine moves the clock through February 2026; owners update some actions
in between. The board meets on Wednesday 18 February: window opens Friday 6, chaser Wednesday
11, deadline Friday 13, escalation and paper-ready notice Monday 16.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import Engine
from sqlalchemy import update as sql_update
from sqlmodel import col

from jobs.schedule import LONDON
from jobs.tasks import JobContext, reminders_job, weekly_digest_job
from tests.factories import add_update
from tests.reminders.helpers import (
    SOB,
    RecordingTransport,
    Row,
    make_settings,
    open_actions_by_owner,
    outbox_rows,
)
from tracker.db import session_scope
from tracker.models import Action
from tracker.services.operations import acquire_scheduler_lock

MEETING = date(2026, 2, 18)


@pytest.fixture
def context(sqlite_engine: Engine, tmp_path: Path) -> Iterator[JobContext]:
    lock = acquire_scheduler_lock(sqlite_engine)
    yield JobContext(
        settings=make_settings(str(sqlite_engine.url), tmp_path),
        engine=sqlite_engine,
        transport=RecordingTransport(),
        lock=lock,
        holder="test scheduler",
        started_at=datetime(2026, 2, 1, tzinfo=LONDON),
    )
    lock.release()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def update(engine: Engine, day: date, *references: str, **fields: object) -> None:
    for reference in references:
        add_update(engine, reference, at=at(day, 11), **fields)  # type: ignore[arg-type]


def sob_or_digest(row: Row) -> bool:
    return row.rule == "weekly_digest" or (row.board_key == SOB and row.meeting_date == MEETING)


def run_the_month(context: JobContext) -> dict[date, list[Row]]:
    """Run the scheduled jobs each day; returns what each day added to the outbox."""
    engine = context.engine
    seen: set[int] = set()
    by_day: dict[date, list[Row]] = defaultdict(list)
    day = date(2026, 2, 5)
    while day <= date(2026, 2, 20):
        if day.weekday() < 5:
            with time_machine.travel(at(day, 7, 30), tick=False):
                reminders_job(context)
        if day.weekday() == 0:
            with time_machine.travel(at(day, 8), tick=False):
                weekly_digest_job(context)
        for row in outbox_rows(engine):
            if row.id not in seen:
                seen.add(row.id)
                if sob_or_digest(row):
                    by_day[day].append(row)
        # What owners do during the day, after the morning's e-mails.
        if day == date(2026, 2, 9):
            update(engine, day, "P2.3", "P3.6", "P4.9")
        if day == date(2026, 2, 10):
            update(engine, day, "P1.2", rag="red", commentary="Trainer withdrew.")
            # The PMO corrects the plan: P1.2 was due on 2 February (an owner may not set a
            # revised date in the past, so the correction goes straight into the plan).
            with session_scope(engine, write=True) as session:
                session.execute(
                    sql_update(Action)
                    .where(col(Action.reference) == "P1.2")
                    .values(due_date=date(2026, 2, 2))
                )
        if day == date(2026, 2, 12):
            update(engine, day, "P4.3", "P4.4", "P4.5", "P4.6", "P4.7")
        day += timedelta(days=1)
    return by_day


def recipients(rows: list[Row], rule: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for row in rows:
        if row.rule == rule:
            found[row.recipient_email] = set(re.findall(r"\?action=(P[\d.]+)", row.body_text))
    return found


def test_a_full_cycle_sends_each_reminder_on_its_day_and_only_once(context: JobContext) -> None:
    owners = open_actions_by_owner(context.engine, SOB)
    by_day = run_the_month(context)

    assert date(2026, 2, 5) not in by_day
    assert recipients(by_day[date(2026, 2, 6)], "update_request") == owners

    monday = by_day[date(2026, 2, 9)]
    assert {r.rule for r in monday} == {"weekly_digest"}
    assert {r.recipient_email for r in monday} == {
        "exec.director.education@example.org",
        "chief.nurse@example.nhs.uk",
    }
    assert date(2026, 2, 10) not in by_day

    chasers = recipients(by_day[date(2026, 2, 11)], "chaser")
    assert "head.of.send@example.org" not in chasers  # updated both actions on the 9th
    assert chasers["cochair@example-lpcf.org.uk"] == {"P4.10"}
    assert chasers["workforce.lead@example.org"] == {"P5.9"}
    assert set(chasers) == set(owners) - {"head.of.send@example.org"}
    assert date(2026, 2, 12) not in by_day and date(2026, 2, 13) not in by_day

    after = by_day[date(2026, 2, 16)]
    escalations = recipients(after, "escalation")
    assert escalations["participation@example.org"] == {"P4.8", "P4.10"}
    assert escalations["head.of.send@example.org"] == {"P2.4", "P2.6", "P2.8", "P5.3"}
    assert escalations["workforce.lead@example.org"] == {"P1.1", "P5.9"}
    (notice,) = [r for r in after if r.rule == "paper_ready"]
    assert notice.recipient_email == "operations.board@example.org"
    assert notice.subject == "SEND Operations Board paper: 9 of 25 actions updated"
    (digest, _) = [r for r in after if r.rule == "weekly_digest"]
    assert digest.subject == "Weekly digest: 1 overdue action, 1 rated Red"
    assert "P1.2" in digest.body_text and "14 days overdue" in digest.body_text

    assert all(day < date(2026, 2, 17) for day in by_day)  # nothing after, to the meeting

    transport = context.transport
    assert isinstance(transport, RecordingTransport)
    everything = outbox_rows(context.engine)
    assert {r.state for r in everything} == {"sent"}
    assert len(transport.sent) == len(everything) == len({r.dedupe_key for r in everything})

"""The scheduler process: catching up after downtime, restarts, reruns, and a changed schedule.

The real scheduler runs in this process (APScheduler's BackgroundScheduler in place of the
BlockingScheduler ``tracker scheduler`` uses) with time-machine holding the date, sending to a
real SMTP server. Restarting it and running ``tracker remind`` twice must deliver everything
once and nothing twice.
"""

from __future__ import annotations

import shutil
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import time_machine
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from jobs.schedule import DIGEST_JOB, LONDON, REMINDERS_JOB, REPUBLISH_JOB
from jobs.scheduler import (
    CATCH_UP_SUFFIX,
    close_context,
    prepare_scheduler,
    reload_schedule_job,
)
from tests.conftest import GOVERNANCE_FILE
from tests.mail.conftest import SmtpServer
from tests.reminders.helpers import make_settings, outbox_rows, parse_envelope
from tracker.cli import _register_commands
from tracker.commands import app
from tracker.config import Settings
from tracker.db import session_scope
from tracker.models import JobRun

_register_commands()
MONDAY_MORNING = datetime(2026, 2, 9, 10, 0, tzinfo=LONDON)


def count_runs(engine: Engine, job_id: str) -> int:
    with session_scope(engine) as session:
        return int(
            session.execute(
                select(func.count()).select_from(JobRun).where(JobRun.job_id == job_id)
            ).scalar_one()
        )


def wait_until(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the scheduler did not get there in time"
        time.sleep(0.05)


def smtp_settings(url: str, smtp_server: SmtpServer, tmp_path: Path) -> Settings:
    return make_settings(
        url, tmp_path, mail_transport="smtp", smtp_host="127.0.0.1", smtp_port=smtp_server.port
    )


def test_restarts_and_reruns_of_remind_deliver_everything_once(
    sqlite_url: str, sqlite_engine: Engine, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    settings = smtp_settings(sqlite_url, smtp_server, tmp_path)
    envelopes = smtp_server.handler.envelopes
    with time_machine.travel(MONDAY_MORNING, tick=True):
        # Started at 10:00 on a Monday: this morning's 07:30 reminders and 08:00 digest were
        # missed while no scheduler ran, so both run once now.
        scheduler, context = prepare_scheduler(settings, scheduler_class=BackgroundScheduler)
        assert {j.id for j in scheduler.get_jobs() if j.id.endswith(CATCH_UP_SUFFIX)} == {
            REMINDERS_JOB + CATCH_UP_SUFFIX,
            DIGEST_JOB + CATCH_UP_SUFFIX,
            REPUBLISH_JOB + CATCH_UP_SUFFIX,
        }
        scheduler.start()
        try:
            wait_until(
                lambda: (
                    count_runs(sqlite_engine, REMINDERS_JOB) == 1
                    and count_runs(sqlite_engine, DIGEST_JOB) == 1
                )
            )
        finally:
            scheduler.shutdown(wait=True)
            close_context(context)
        first_delivery = len(envelopes)
        assert first_delivery == len(outbox_rows(sqlite_engine)) > 0

        # Restarted: nothing was missed, so nothing is caught up; forcing a run sends nothing.
        scheduler, context = prepare_scheduler(settings, scheduler_class=BackgroundScheduler)
        assert not [j for j in scheduler.get_jobs() if j.id.endswith(CATCH_UP_SUFFIX)]
        scheduler.start()
        try:
            scheduler.modify_job(REMINDERS_JOB, next_run_time=datetime.now(LONDON))
            wait_until(lambda: count_runs(sqlite_engine, REMINDERS_JOB) == 2)
        finally:
            scheduler.shutdown(wait=True)
            close_context(context)

        env = {
            "TRACKER_DATABASE_URL": sqlite_url,
            "TRACKER_GOVERNANCE_FILE": str(GOVERNANCE_FILE),
            "TRACKER_MAIL_TRANSPORT": "smtp",
            "TRACKER_SMTP_HOST": "127.0.0.1",
            "TRACKER_SMTP_PORT": str(smtp_server.port),
        }
        for _ in range(2):
            result = CliRunner().invoke(app, ["remind", "--as-of", "2026-02-09"], env=env)
            assert result.exit_code == 0, result.output
            assert "0 queued" in result.stdout

    assert len(envelopes) == first_delivery
    delivered = Counter((e.rcpt_tos[0], parse_envelope(e.content)["Subject"]) for e in envelopes)
    assert set(delivered.values()) == {1}
    rows = outbox_rows(sqlite_engine)
    assert {r.state for r in rows} == {"sent"}
    assert Counter((r.recipient_email, r.subject) for r in rows) == delivered


def test_a_changed_governance_file_re_declares_the_jobs(sqlite_url: str, tmp_path: Path) -> None:
    governance_file = tmp_path / "governance.yaml"
    shutil.copyfile(GOVERNANCE_FILE, governance_file)
    settings = make_settings(sqlite_url, tmp_path, governance_file=governance_file)
    with time_machine.travel(datetime(2026, 2, 9, 6, 0, tzinfo=LONDON), tick=False):
        scheduler, context = prepare_scheduler(settings, scheduler_class=BackgroundScheduler)
    scheduler.start(paused=True)  # jobs in the job store, none running
    try:
        reload = scheduler.get_job("reload-schedule")
        state = reload.kwargs["state"]
        text = governance_file.read_text(encoding="utf-8")
        governance_file.write_text(text.replace('send_time: "07:30"', 'send_time: "09:45"'))
        reload_schedule_job(context, scheduler, state)
        fire = scheduler.get_job(REMINDERS_JOB).trigger.get_next_fire_time(
            None, datetime(2026, 2, 9, 6, 0, tzinfo=LONDON)
        )
        assert fire == datetime(2026, 2, 9, 9, 45, tzinfo=LONDON)

        governance_file.write_text(
            text.replace(
                "weekly_digest:\n      enabled: true", "weekly_digest:\n      enabled: false"
            )
        )
        reload_schedule_job(context, scheduler, state)
        assert scheduler.get_job(DIGEST_JOB) is None

        governance_file.write_text("partnership: [broken\n")
        reload_schedule_job(context, scheduler, state)  # refused: the schedule stays as it was
        declared = {j.id for j in scheduler.get_jobs() if not j.id.endswith(CATCH_UP_SUFFIX)}
        assert declared == {
            "dispatch-outbox",
            "reload-schedule",
            "audit-verify",
            REMINDERS_JOB,
            REPUBLISH_JOB,
        }
    finally:
        scheduler.shutdown(wait=True)
        close_context(context)

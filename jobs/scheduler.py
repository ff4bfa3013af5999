"""The scheduler process behind ``tracker scheduler``: APScheduler 3 in its own process.

Start-up, in order: take the one-scheduler lock for the database (a second scheduler exits with
a clear message), build the mail transport once, declare the jobs from governance.yaml
(``jobs.schedule``) with explicit ids and ``replace_existing=True``, then catch up: a job whose
last scheduled run was missed while no scheduler ran (its latest fire time is after its last
successful ``job_run``) runs once now, or at 03:00 if now is inside the 01:00-03:00 window.
The rules are idempotent, so a catch-up that was not needed sends nothing.

Jobs run in a small thread pool with ``coalesce=True`` (a backlog of missed ticks runs once),
``max_instances=1`` and a real ``misfire_grace_time`` (four hours for the morning reminders, so
a machine resumed from sleep at 10:00 still sends them, under a minute for the dispatcher).
SIGTERM and SIGINT stop it cleanly: running jobs finish, the lock and heartbeat are released.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_SCHEDULER_STARTED
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.base import STATE_STOPPED, BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.date import DateTrigger

from jobs.schedule import (
    LONDON,
    RELOAD_JOB,
    JobSpec,
    build_job_specs,
    first_moment_outside_maintenance,
    previous_run,
)
from jobs.tasks import JobContext
from tracker.config import Settings
from tracker.db import make_engine, session_scope
from tracker.governance import GovernanceError, load_governance
from tracker.mail.protocol import MailTransport
from tracker.mail.transports import build_transport
from tracker.services.operations import (
    acquire_scheduler_lock,
    clear_heartbeat,
    describe_this_process,
    last_successful_runs,
)
from tracker.services.outbox import Clock, utc_now

log = logging.getLogger("jobs.scheduler")
CATCH_UP_SUFFIX = "-catch-up"


@dataclass
class ScheduleState:
    """Which governance file the declared jobs came from, to notice when it changes."""

    path: Path
    signature: tuple[float, int] | None


def _signature(path: Path) -> tuple[float, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime, stat.st_size


def create_scheduler(
    scheduler_class: type[BaseScheduler] = BlockingScheduler, *, zone: ZoneInfo = LONDON
) -> BaseScheduler:
    return scheduler_class(
        timezone=zone,
        executors={"default": ThreadPoolExecutor(max_workers=4)},
        job_defaults={"coalesce": True, "max_instances": 1},
    )


def declare_jobs(
    scheduler: BaseScheduler, specs: Sequence[JobSpec], context: JobContext, state: ScheduleState
) -> None:
    """Add every job (replacing one with the same id) and drop jobs no longer declared."""
    for spec in specs:
        kwargs: dict[str, Any] = {"context": context}
        if spec.id == RELOAD_JOB:
            kwargs.update(scheduler=scheduler, state=state)
        scheduler.add_job(
            spec.func,
            trigger=spec.trigger,
            id=spec.id,
            name=spec.name,
            kwargs=kwargs,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=spec.misfire_grace_time,
        )
    wanted = {spec.id for spec in specs}
    for job in scheduler.get_jobs():
        if job.id not in wanted and not job.id.endswith(CATCH_UP_SUFFIX):
            log.info("job %s is no longer in governance.yaml; removed", job.id)
            scheduler.remove_job(job.id)


def missed_jobs(specs: Sequence[JobSpec], context: JobContext, *, now: datetime) -> list[JobSpec]:
    """Jobs whose latest scheduled time passed with no successful run since."""
    candidates = [spec for spec in specs if spec.catch_up]
    with session_scope(context.engine) as session:
        last = last_successful_runs(session, job_ids=[spec.id for spec in candidates])
    missed = []
    for spec in candidates:
        due = previous_run(spec, now=now)
        if due is not None and (spec.id not in last or last[spec.id] < due):
            missed.append(spec)
    return missed


def schedule_catch_up(
    scheduler: BaseScheduler, specs: Sequence[JobSpec], context: JobContext, *, now: datetime
) -> list[str]:
    """Run each missed job once, now (or at 03:00 if now is in the maintenance window)."""
    zone = context.zone()
    when = first_moment_outside_maintenance(now, zone)
    caught_up = []
    for spec in missed_jobs(specs, context, now=now):
        log.info("catching up %s, missed while no scheduler ran; running at %s", spec.id, when)
        scheduler.add_job(
            spec.func,
            trigger=DateTrigger(run_date=when, timezone=zone),
            id=spec.id + CATCH_UP_SUFFIX,
            name=f"{spec.name} (catch-up)",
            kwargs={"context": context},
            replace_existing=True,
            misfire_grace_time=spec.misfire_grace_time,
        )
        caught_up.append(spec.id)
    return caught_up


def reload_schedule_job(
    context: JobContext, scheduler: BaseScheduler, state: ScheduleState
) -> None:
    """Re-declare the jobs when governance.yaml has changed (a new send time, a rule off)."""
    signature = _signature(state.path)
    if signature == state.signature:
        return
    try:
        specs = build_job_specs(load_governance(state.path))
    except (GovernanceError, ValueError) as exc:
        log.error("governance.yaml changed but cannot be used; keeping the schedule: %s", exc)
        return
    state.signature = signature
    declare_jobs(scheduler, specs, context, state)
    log.info("governance.yaml changed; schedule re-declared")


def _stop_on_signal(scheduler: BaseScheduler) -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        log.info("received %s; stopping after running jobs finish", signal.Signals(signum).name)
        if scheduler.state == STATE_STOPPED:
            # Not started yet (or already stopping): nothing runs, so leave through `finally`.
            raise SystemExit(0)
        scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def prepare_scheduler(
    settings: Settings,
    *,
    transport: MailTransport | None = None,
    scheduler_class: type[BaseScheduler] = BlockingScheduler,
    clock: Clock = utc_now,
) -> tuple[BaseScheduler, JobContext]:
    """Lock, build and declare everything, without starting; raises SchedulerAlreadyRunning."""
    governance = load_governance(settings.governance_file)
    specs = build_job_specs(governance)
    engine = make_engine(settings.database_url)
    try:
        lock = acquire_scheduler_lock(engine)
    except BaseException:
        engine.dispose()
        raise
    try:
        context = JobContext(
            settings=settings,
            engine=engine,
            transport=transport or build_transport(settings),
            lock=lock,
            holder=describe_this_process(),
            started_at=clock(),
            clock=clock,
        )
        scheduler = create_scheduler(scheduler_class, zone=governance.partnership.zone)
        context.stop = lambda: scheduler.shutdown(wait=False)
        state = ScheduleState(settings.governance_file, _signature(settings.governance_file))
        declare_jobs(scheduler, specs, context, state)
        schedule_catch_up(scheduler, specs, context, now=clock())
    except BaseException:
        # A bad mail setting or a database not yet initialised: give the lock back at once.
        lock.release()
        engine.dispose()
        raise
    log.info("scheduler ready (%s)", lock.description)
    return scheduler, context


def close_context(context: JobContext) -> None:
    """Release what the scheduler held: heartbeat, lock, transport, connections."""
    try:
        with session_scope(context.engine, write=True) as session:
            clear_heartbeat(session, holder=context.holder)
    except Exception:
        log.exception("could not clear the scheduler heartbeat")
    context.lock.release()
    close = getattr(context.transport, "close", None)
    if callable(close):
        close()
    context.engine.dispose()


def run_scheduler(settings: Settings) -> None:
    """The ``tracker scheduler`` process: runs until SIGTERM or SIGINT."""
    scheduler, context = prepare_scheduler(settings)
    _stop_on_signal(scheduler)
    scheduler.add_listener(
        lambda _: log.info(
            "scheduler started; jobs: %s", ", ".join(j.id for j in scheduler.get_jobs())
        ),
        EVENT_SCHEDULER_STARTED,
    )
    try:
        scheduler.start()
    finally:
        close_context(context)
        log.info("scheduler stopped")

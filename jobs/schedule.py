"""The scheduler's jobs, declared from governance.yaml: ids, triggers and misfire grace times.

``build_job_specs`` is the single definition of what runs when. The scheduler process adds
exactly these jobs; the Reminders page calls ``next_runs`` on the same specs to show the coming
runs without starting a scheduler. Every trigger is a cron trigger in the partnership's time
zone (governance.yaml ``partnership.timezone``), built and checked when the specs are built:
none may fire between 01:00 and 03:00 local time, the nightly maintenance window, which also
holds the daylight-saving changes (a job there could run twice or not at all on those nights).

* ``dispatch-outbox``: every minute (except 01:00-03:00), sends what is queued and due.
* ``reminders``: Monday to Friday at ``update_cycle.send_time``, runs the four cycle rules and
  the risk review reminders.
* ``weekly-digest``: on ``weekly_digest.day_of_week`` at its ``time``.
* ``reload-schedule``: every five minutes, re-declares these jobs if governance.yaml changed.
* ``audit-verify``: daily at 03:30, walks the audit trail's hash chain (``tracker audit verify``).
* ``republish-site``: Monday to Friday at ``update_cycle.send_time``, when governance.yaml names
  ``publishing.republish_after_meetings_of``: republishes the public site into
  TRACKER_PUBLISH_DIR the working day after each meeting of that body.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

from tracker.errors import ConfigurationError
from tracker.governance import GovernanceConfig

TIMEZONE = "Europe/London"  # the default zone, when no governance file says otherwise
LONDON = ZoneInfo(TIMEZONE)
MAINTENANCE_START, MAINTENANCE_END = time(1), time(3)
OUTSIDE_MAINTENANCE_HOURS = "0,3-23"

DISPATCH_JOB = "dispatch-outbox"
REMINDERS_JOB = "reminders"
DIGEST_JOB = "weekly-digest"
RELOAD_JOB = "reload-schedule"
AUDIT_JOB = "audit-verify"  # the same id as tracker.services.operations.AUDIT_VERIFY_JOB
REPUBLISH_JOB = "republish-site"


class ScheduleError(ConfigurationError):
    """A job definition that would break the rules of the schedule."""


@dataclass(frozen=True)
class JobSpec:
    id: str
    name: str
    func: str  # "module:function", resolved by APScheduler
    trigger: BaseTrigger
    misfire_grace_time: int  # seconds
    catch_up: bool  # run once at start-up if the last scheduled run was missed


def _at(value: str) -> time:
    return time.fromisoformat(value)


def in_maintenance_window(moment: datetime, zone: ZoneInfo = LONDON) -> bool:
    local = moment.astimezone(zone).time()
    return MAINTENANCE_START <= local < MAINTENANCE_END


def _check_outside_maintenance(job_id: str, trigger: BaseTrigger, zone: ZoneInfo) -> None:
    """Refuse a trigger that fires in 01:00-03:00 local time on any night of a year (which
    holds the zone's clock changes, wherever they fall): the first fire time from 01:00 each
    night must be 03:00 or later."""
    for offset in range(366):
        night = datetime.combine(date(2026, 1, 1) + timedelta(days=offset), MAINTENANCE_START)
        fire = trigger.get_next_fire_time(None, night.replace(tzinfo=zone))
        if fire is not None and in_maintenance_window(fire, zone):
            raise ScheduleError(
                f"job {job_id} would run at {fire.astimezone(zone):%H:%M} local time; "
                "nothing may run between 01:00 and 03:00 (maintenance and clock changes)"
            )


def _cron(job_id: str, zone: ZoneInfo, **fields: str | int) -> CronTrigger:
    trigger = CronTrigger(timezone=zone, **fields)
    _check_outside_maintenance(job_id, trigger, zone)
    return trigger


@lru_cache(maxsize=8)
def dispatch_trigger(zone: ZoneInfo = LONDON) -> CronTrigger:
    """Every minute, except 01:00-03:00: the dispatcher, and the scheduler's heartbeat."""
    return _cron(DISPATCH_JOB, zone, minute="*", hour=OUTSIDE_MAINTENANCE_HOURS)


def build_job_specs(governance: GovernanceConfig) -> list[JobSpec]:
    """The jobs the scheduler runs, from the governance file in force, in its time zone."""
    zone = governance.partnership.zone
    cycle = governance.update_cycle
    reminders = cycle.reminders
    specs = [
        JobSpec(
            id=DISPATCH_JOB,
            name="Send queued e-mail",
            func="jobs.tasks:dispatch_outbox_job",
            trigger=dispatch_trigger(zone),
            misfire_grace_time=50,
            catch_up=False,
        ),
        JobSpec(
            id=RELOAD_JOB,
            name="Reload the schedule if governance.yaml changed",
            func="jobs.scheduler:reload_schedule_job",
            trigger=_cron(RELOAD_JOB, zone, minute="*/5", hour=OUTSIDE_MAINTENANCE_HOURS),
            misfire_grace_time=240,
            catch_up=False,
        ),
        JobSpec(
            id=AUDIT_JOB,
            name="Verify the audit trail's hash chain",
            func="jobs.tasks:audit_verify_job",
            trigger=_cron(AUDIT_JOB, zone, hour=3, minute=30),
            misfire_grace_time=6 * 3600,
            catch_up=False,
        ),
    ]
    cycle_rules = (
        reminders.update_request,
        reminders.chaser,
        reminders.escalation,
        reminders.paper_ready,
        reminders.risk_review,
    )
    if any(rule.enabled for rule in cycle_rules):
        send = _at(cycle.send_time)
        specs.append(
            JobSpec(
                id=REMINDERS_JOB,
                name="Update requests, chasers, escalations, paper-ready notices and risk reviews",
                func="jobs.tasks:reminders_job",
                trigger=_cron(
                    REMINDERS_JOB, zone, day_of_week="mon-fri", hour=send.hour, minute=send.minute
                ),
                misfire_grace_time=4 * 3600,
                catch_up=True,
            )
        )
    digest = reminders.weekly_digest
    if digest.enabled:
        at = _at(digest.time or cycle.send_time)
        specs.append(
            JobSpec(
                id=DIGEST_JOB,
                name="Weekly digest to executives",
                func="jobs.tasks:weekly_digest_job",
                trigger=_cron(
                    DIGEST_JOB, zone, day_of_week=digest.day_of_week, hour=at.hour, minute=at.minute
                ),
                misfire_grace_time=4 * 3600,
                catch_up=True,
            )
        )
    publishing = governance.publishing
    if publishing is not None and publishing.republish_after_meetings_of is not None:
        send = _at(cycle.send_time)
        specs.append(
            JobSpec(
                id=REPUBLISH_JOB,
                name="Republish the public site after the board meets",
                func="jobs.tasks:republish_site_job",
                trigger=_cron(
                    REPUBLISH_JOB, zone, day_of_week="mon-fri", hour=send.hour, minute=send.minute
                ),
                misfire_grace_time=4 * 3600,
                catch_up=True,
            )
        )
    return specs


@dataclass(frozen=True)
class NextRun:
    job_id: str
    name: str
    at: datetime


def next_runs(specs: Sequence[JobSpec], *, now: datetime, per_job: int = 1) -> list[NextRun]:
    """The next ``per_job`` fire times of each job after ``now``, soonest first."""
    runs: list[NextRun] = []
    for spec in specs:
        previous: datetime | None = None
        moment = now
        for _ in range(per_job):
            fire = spec.trigger.get_next_fire_time(previous, moment)
            if fire is None:
                break
            runs.append(NextRun(spec.id, spec.name, fire))
            previous, moment = fire, fire + timedelta(seconds=1)
    return sorted(runs, key=lambda run: (run.at, run.job_id))


def previous_run(
    spec: JobSpec, *, now: datetime, lookback: timedelta = timedelta(days=8)
) -> datetime | None:
    """The latest time ``spec`` was due to fire at or before ``now`` (within ``lookback``)."""
    latest: datetime | None = None
    moment = now - lookback
    while True:
        fire = spec.trigger.get_next_fire_time(latest, moment)
        if fire is None or fire > now:
            return latest
        latest, moment = fire, fire + timedelta(seconds=1)


def first_moment_outside_maintenance(moment: datetime, zone: ZoneInfo = LONDON) -> datetime:
    """``moment``, or 03:00 local time that night if it falls in the maintenance window."""
    if not in_maintenance_window(moment, zone):
        return moment
    local = moment.astimezone(zone)
    return datetime.combine(local.date(), MAINTENANCE_END, tzinfo=zone)

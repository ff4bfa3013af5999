"""The job functions the scheduler runs: each one unit of work, logged and recorded.

Every function is module level (APScheduler refers to them as ``jobs.tasks:name``) and takes
the process's ``JobContext``: settings, the engine, the mail transport (built once, so Microsoft
Graph's token is reused) and the scheduler lock. Each opens its own sessions through the
services, logs its counts and records a ``job_run`` row; the dispatcher, which runs every
minute, records one only when it did something. No exception escapes a job: it is logged and
recorded, and the scheduler carries on.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from jobs.schedule import (
    AUDIT_JOB,
    DIGEST_JOB,
    DISPATCH_JOB,
    LONDON,
    REMINDERS_JOB,
    REPUBLISH_JOB,
    dispatch_trigger,
)
from tracker.config import Settings
from tracker.db import session_scope
from tracker.governance import GovernanceConfig, GovernanceError, current_governance
from tracker.mail.protocol import MailTransport
from tracker.permissions import Actor
from tracker.services.audit import AuditChainBroken, verify_audit_chain
from tracker.services.operations import (
    HEARTBEAT_MARGIN,
    SchedulerLock,
    record_heartbeat,
    record_job_run,
)
from tracker.services.outbox import Clock, utc_now
from tracker.services.publishing import meeting_awaiting_publication, publish_site
from tracker.services.reminders import CYCLE_RULES, RuleName, queue_due_reminders, send_queued_mail

log = logging.getLogger("jobs")


@dataclass
class JobContext:
    """What every job needs, created once when the scheduler starts."""

    settings: Settings
    engine: Engine
    transport: MailTransport
    lock: SchedulerLock
    holder: str
    started_at: datetime
    clock: Clock = utc_now
    # Called when the scheduler must stop (its lock was taken over); set by the scheduler.
    stop: Callable[[], None] = field(default=lambda: None)
    last_zone: ZoneInfo = LONDON

    def governance(self) -> GovernanceConfig:
        return current_governance(self.settings.governance_file)

    def zone(self) -> ZoneInfo:
        """The partnership's time zone (governance.yaml ``partnership.timezone``); while the
        file cannot be read, the last zone read from it, so queued mail still goes."""
        with contextlib.suppress(GovernanceError):
            self.last_zone = self.governance().partnership.zone
        return self.last_zone

    def today(self) -> date:
        """Today in the partnership's time zone."""
        return self.clock().astimezone(self.governance().partnership.zone).date()


def _record(
    context: JobContext,
    job_id: str,
    started: datetime,
    counts: Mapping[str, Any],
    error: str | None,
) -> None:
    try:
        with session_scope(context.engine, write=True) as session:
            record_job_run(
                session,
                job_id=job_id,
                started_at=started,
                finished_at=context.clock(),
                counts=counts,
                error=error,
            )
    except Exception:
        log.exception("could not record the %s run", job_id)


def _run(
    context: JobContext,
    job_id: str,
    work: Callable[[], Mapping[str, Any]],
    *,
    always_record: bool = True,
) -> Mapping[str, Any]:
    started = context.clock()
    try:
        counts = work()
    except Exception as exc:
        log.exception("%s failed", job_id)
        _record(context, job_id, started, {}, f"{type(exc).__name__}: {exc}")
        return {}
    log.info("%s: %s", job_id, ", ".join(f"{k} {v}" for k, v in counts.items()) or "nothing")
    if always_record or any(counts.values()):
        _record(context, job_id, started, counts, None)
    return counts


def _reply_to(context: JobContext) -> str | None:
    try:
        return str(context.governance().partnership.contact_email)
    except GovernanceError as exc:
        # Queued mail still goes while someone fixes the file; it just has no Reply-To.
        log.error("governance.yaml cannot be read; sending without Reply-To: %s", exc)
        return None


def _dispatch(context: JobContext) -> dict[str, int]:
    reply_to = _reply_to(context)
    report = send_queued_mail(
        context.engine,
        settings=context.settings,
        transport=context.transport,
        reply_to=reply_to,
        clock=context.clock,
    )
    for error in report.errors:
        log.warning("mail: %s", error)
    return report.counts()


def _heartbeat(context: JobContext) -> bool:
    """Record that this scheduler is alive; False (and stop) if it no longer holds the lock."""
    if not context.lock.verify():
        log.error("the scheduler lock was lost to another process; this scheduler stops")
        context.stop()
        return False
    now = context.clock()
    trigger = dispatch_trigger(context.zone())
    next_beat = trigger.get_next_fire_time(None, now + timedelta(seconds=1))
    expires_at = (next_beat or now) + HEARTBEAT_MARGIN
    with session_scope(context.engine, write=True) as session:
        record_heartbeat(
            session, holder=context.holder, started_at=context.started_at, expires_at=expires_at
        )
    return True


def dispatch_outbox_job(context: JobContext) -> Mapping[str, Any]:
    """Every minute: prove the scheduler is alive, then send whatever is queued and due."""

    def work() -> dict[str, int]:
        return _dispatch(context) if _heartbeat(context) else {}

    return _run(context, DISPATCH_JOB, work, always_record=False)


def _remind(context: JobContext, rules: tuple[RuleName, ...]) -> dict[str, int]:
    governance = context.governance()
    queued = queue_due_reminders(
        context.engine,
        governance=governance,
        app_url=context.settings.app_url,
        today=context.today(),
        now=context.clock(),
        rules=rules,
    )
    for note in queued.plan.notes:
        log.warning("reminders: %s", note)
    # Send straight away rather than at the next dispatcher tick; claims keep the two apart.
    sent = _dispatch(context)
    return {**queued.counts(), **sent}


def reminders_job(context: JobContext) -> Mapping[str, Any]:
    """Each working morning: update requests, chasers, escalations, paper-ready notices and
    risk reviews."""
    return _run(context, REMINDERS_JOB, lambda: _remind(context, CYCLE_RULES))


def weekly_digest_job(context: JobContext) -> Mapping[str, Any]:
    """Once a week: the digest of overdue and Red actions to every executive."""
    return _run(context, DIGEST_JOB, lambda: _remind(context, ("weekly_digest",)))


def audit_verify_job(context: JobContext) -> Mapping[str, Any]:
    """Daily: walk the audit trail's hash chain; a broken chain is recorded as the run's error."""

    def work() -> dict[str, int]:
        with session_scope(context.engine) as session:
            report = verify_audit_chain(session)
        if not report.ok:
            raise AuditChainBroken(report.summary())
        return {"rows": report.rows}

    return _run(context, AUDIT_JOB, work)


def republish_site_job(context: JobContext) -> Mapping[str, Any]:
    """Working mornings: the day after the named board meets, republish the public site."""

    def work() -> dict[str, int]:
        target = context.settings.publish_dir
        if target is None:
            log.warning("republish-site: TRACKER_PUBLISH_DIR is not set; nothing published")
            return {"published": 0}
        governance = context.governance()
        today = context.today()
        with session_scope(context.engine, write=True) as session:
            meeting = meeting_awaiting_publication(session, config=governance, today=today)
            if meeting is None:
                return {"published": 0}
            actor = Actor.for_operator(f"scheduler (after the meeting of {meeting.isoformat()})")
            report = publish_site(session, actor, target, config=governance, today=today)
        return {"published": 1, "pages": len(report.pages), "actions": report.actions}

    return _run(context, REPUBLISH_JOB, work)

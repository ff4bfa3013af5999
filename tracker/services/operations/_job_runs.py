"""The record of scheduled work: one ``job_run`` row per job run that did something.

Job functions in ``jobs/`` call ``record_job_run`` when they finish, with the counts they logged
(messages queued, sent, failed) or the error that stopped them. The scheduler reads
``last_successful_runs`` at start-up to catch up a run it missed while it was down, and the
Reminders page lists ``list_job_runs`` so an administrator can see that reminders really went.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from tracker.models import JobRun

_MAX_ERROR = 4000


@dataclass(frozen=True)
class JobRunEntry:
    id: int
    job_id: str
    started_at: datetime
    finished_at: datetime | None
    counts: Mapping[str, Any]
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None


def record_job_run(
    session: Session,
    *,
    job_id: str,
    started_at: datetime,
    finished_at: datetime,
    counts: Mapping[str, Any],
    error: str | None = None,
) -> int:
    """Add one finished run; returns its id."""
    run = JobRun(
        job_id=job_id,
        started_at=started_at,
        finished_at=finished_at,
        counts=dict(counts),
        error=None if error is None else error[:_MAX_ERROR],
    )
    session.add(run)
    session.flush()
    return run.id or 0


def last_successful_runs(session: Session, *, job_ids: Sequence[str]) -> dict[str, datetime]:
    """When each job last started a run that finished without error (jobs never run left out)."""
    rows = session.execute(
        select(col(JobRun.job_id), func.max(col(JobRun.started_at)))
        .where(col(JobRun.job_id).in_(list(job_ids)), col(JobRun.error).is_(None))
        .group_by(col(JobRun.job_id))
    ).all()
    found: dict[str, datetime] = {}
    for job_id, started in rows:
        if started is not None:
            # MAX() bypasses the column type on SQLite, so the value may come back as text.
            found[job_id] = _as_utc(started)
    return found


def _as_utc(value: datetime | str) -> datetime:
    parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def list_job_runs(
    session: Session, *, job_id: str | None = None, limit: int = 50
) -> list[JobRunEntry]:
    """The most recent runs, newest first."""
    query = select(JobRun).order_by(col(JobRun.started_at).desc(), col(JobRun.id).desc())
    if job_id is not None:
        query = query.where(col(JobRun.job_id) == job_id)
    return [
        JobRunEntry(
            id=run.id or 0,
            job_id=run.job_id,
            started_at=run.started_at,
            finished_at=run.finished_at,
            counts=dict(run.counts),
            error=run.error,
        )
        for run in session.execute(query.limit(limit)).scalars()
    ]

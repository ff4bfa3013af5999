"""The audit chain's verification results, kept as job runs where the administrator's pages look.

The scheduler verifies the chain daily and ``tracker audit verify`` on demand; both record the
outcome here so the People page can show when the trail was last proved and what broke.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from tracker.services.audit import ChainReport
from tracker.services.operations._job_runs import JobRunEntry, list_job_runs, record_job_run

AUDIT_VERIFY_JOB = "audit-verify"


def record_chain_check(
    session: Session, report: ChainReport, *, started_at: datetime, finished_at: datetime
) -> None:
    """Keep the result of a verification (from the CLI) where the administrator's pages look."""
    record_job_run(
        session,
        job_id=AUDIT_VERIFY_JOB,
        started_at=started_at,
        finished_at=finished_at,
        counts={"rows": report.rows},
        error=None if report.ok else f"AuditChainBroken: {report.summary()}",
    )


def latest_chain_check(session: Session) -> JobRunEntry | None:
    """The most recent verification, by the scheduler or ``tracker audit verify``."""
    runs = list_job_runs(session, job_id=AUDIT_VERIFY_JOB, limit=1)
    return runs[0] if runs else None

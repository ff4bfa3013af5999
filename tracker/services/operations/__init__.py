"""Running the system: bringing a database up, backups, the scheduler's lock and job records.

``initialise_database`` migrates, loads governance and seeds; ``status_summary`` describes the
state; backup and restore copy a live database consistently; the scheduler lock keeps exactly
one scheduler per database; job runs record what scheduled work did.
"""

from tracker.services.operations._audit_checks import (
    AUDIT_VERIFY_JOB,
    latest_chain_check,
    record_chain_check,
)
from tracker.services.operations._backup import (
    BackupError,
    backup_database,
    count_rows,
    restore_database,
)
from tracker.services.operations._bootstrap import initialise_database, status_summary
from tracker.services.operations._job_runs import (
    JobRunEntry,
    last_successful_runs,
    list_job_runs,
    record_job_run,
)
from tracker.services.operations._scheduler_lock import (
    HEARTBEAT_MARGIN,
    SchedulerAlreadyRunning,
    SchedulerLock,
    acquire_scheduler_lock,
    clear_heartbeat,
    describe_this_process,
    lock_file_for,
    read_scheduler_status,
    record_heartbeat,
)

__all__ = [
    "AUDIT_VERIFY_JOB",
    "HEARTBEAT_MARGIN",
    "BackupError",
    "JobRunEntry",
    "SchedulerAlreadyRunning",
    "SchedulerLock",
    "acquire_scheduler_lock",
    "backup_database",
    "clear_heartbeat",
    "count_rows",
    "describe_this_process",
    "initialise_database",
    "last_successful_runs",
    "latest_chain_check",
    "list_job_runs",
    "lock_file_for",
    "read_scheduler_status",
    "record_chain_check",
    "record_heartbeat",
    "record_job_run",
    "restore_database",
    "status_summary",
]

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
from tracker.services.operations._setup import (
    ChecklistItem,
    SetupChecklist,
    SignIn,
    build_setup_checklist,
    queue_test_email,
)
from tracker.services.operations._site import find_real_data, is_demo, mark_demo

__all__ = [
    "AUDIT_VERIFY_JOB",
    "HEARTBEAT_MARGIN",
    "BackupError",
    "ChecklistItem",
    "JobRunEntry",
    "SchedulerAlreadyRunning",
    "SchedulerLock",
    "SetupChecklist",
    "SignIn",
    "acquire_scheduler_lock",
    "backup_database",
    "build_setup_checklist",
    "clear_heartbeat",
    "count_rows",
    "describe_this_process",
    "find_real_data",
    "initialise_database",
    "is_demo",
    "last_successful_runs",
    "latest_chain_check",
    "list_job_runs",
    "lock_file_for",
    "mark_demo",
    "queue_test_email",
    "read_scheduler_status",
    "record_chain_check",
    "record_heartbeat",
    "record_job_run",
    "restore_database",
    "status_summary",
]

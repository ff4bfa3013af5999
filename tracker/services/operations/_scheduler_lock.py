"""Only one scheduler per database: the lock it holds for its whole life, and its heartbeat.

Two schedulers would each run the reminder rules and each dispatch the outbox; the outbox's
dedupe keys and atomic claims already stop a message going twice, but the rule is simpler and
the logs clearer with exactly one. ``acquire_scheduler_lock`` either returns the lock or raises
``SchedulerAlreadyRunning`` naming who holds it.

* **PostgreSQL**: ``pg_try_advisory_lock`` on a dedicated autocommit connection kept open for
  the life of the process (an advisory lock is scoped to one database, so two partnerships
  sharing a server do not block each other). The server releases it the moment the process or
  its connection dies. ``verify`` notices a lost connection, takes the lock again if it can,
  and reports False if another scheduler got it first, so the caller can stop.
* **SQLite**: an exclusive ``fcntl.flock`` on ``<database>.scheduler.lock`` beside the database
  file. The kernel releases it when the process dies, however it dies, so there is no stale
  lock to clear and no clock to trust; the lease table with a heartbeat was the alternative,
  and it would need a timeout during which a crashed scheduler blocks its replacement. The lock
  file must be on the same local disk as the database, which SQLite's WAL mode requires anyway.

Separately, the running scheduler writes a heartbeat to the ``lease`` table every minute
(``record_heartbeat``); the Reminders page reads it (``read_scheduler_status``) to show whether
a scheduler is running, where, and since when. The heartbeat is information, not the lock.
"""

from __future__ import annotations

import hashlib
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Protocol

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from tracker.errors import Conflict, OperationFailed
from tracker.models import Lease
from tracker.safety.files import create_private_file

LEASE_NAME = "scheduler"
# How long past its next expected heartbeat a scheduler still counts as alive.
HEARTBEAT_MARGIN = timedelta(minutes=2)
# A fixed 64-bit key: "the tracker's scheduler" on whichever database the engine points at.
_ADVISORY_KEY = int.from_bytes(
    hashlib.sha256(b"send-action-tracker:scheduler").digest()[:8], "big", signed=True
)


class SchedulerAlreadyRunning(Conflict):
    """Another scheduler holds the lock for this database."""


class SchedulerLock(Protocol):
    description: str

    def verify(self) -> bool:
        """True while this process still holds the lock."""
        ...

    def release(self) -> None: ...


def describe_this_process() -> str:
    return f"{socket.gethostname()} pid {os.getpid()}"


class _AdvisoryLock:
    def __init__(self, engine: Engine, *, holder: str) -> None:
        self._engine = engine
        self.description = f"PostgreSQL advisory lock {_ADVISORY_KEY} held by {holder}"
        self._connection: Connection | None = None

    def try_acquire(self) -> bool:
        # Autocommit: the connection must not sit "idle in transaction" for days.
        connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        taken = connection.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": _ADVISORY_KEY}
        ).scalar_one()
        if not taken:
            connection.close()
            return False
        self._connection = connection
        return True

    def verify(self) -> bool:
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT 1"))
                return True
            except DBAPIError:
                # The server restarted or the connection dropped: the lock went with it.
                self._connection.invalidate()
                self._connection = None
        return self.try_acquire()

    def release(self) -> None:
        if self._connection is None:
            return
        try:
            self._connection.execute(
                text("SELECT pg_advisory_unlock(:key)"), {"key": _ADVISORY_KEY}
            )
        except DBAPIError:
            pass  # the connection is gone, and the lock with it
        finally:
            self._connection.close()
            self._connection = None


class _FileLock:
    def __init__(self, path: Path, *, holder: str) -> None:
        self._path = path
        self._holder = holder
        self.description = f"lock file {path} held by {holder}"
        self._file: IO[str] | None = None

    def try_acquire(self) -> bool:
        import fcntl  # POSIX only; imported here so the rest of this module works anywhere

        try:
            create_private_file(self._path)
            handle = self._path.open("a+", encoding="utf-8")
        except OSError as exc:
            raise OperationFailed(
                f"cannot open the scheduler lock file {self._path}: {exc}"
            ) from exc
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{self._holder}\n")
        handle.flush()
        self._file = handle
        return True

    def current_holder(self) -> str:
        try:
            return self._path.read_text(encoding="utf-8").strip() or "an unknown process"
        except OSError:
            return "an unknown process"

    def verify(self) -> bool:
        return self._file is not None

    def release(self) -> None:
        import fcntl

        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None


class _NoLock:
    """An in-memory SQLite database cannot be shared between processes: nothing to lock."""

    description = "no lock (in-memory database)"

    def verify(self) -> bool:
        return True

    def release(self) -> None:
        return None


def lock_file_for(engine: Engine) -> Path | None:
    """Where the SQLite lock file lives, or None for an in-memory database."""
    database = engine.url.database or ""
    if database in ("", ":memory:") or database.startswith("file::memory:"):
        return None
    return Path(database).expanduser().resolve().with_name(Path(database).name + ".scheduler.lock")


def acquire_scheduler_lock(engine: Engine, *, holder: str | None = None) -> SchedulerLock:
    """Take the one-scheduler lock for ``engine``'s database or raise SchedulerAlreadyRunning."""
    who = f"{holder or describe_this_process()} since {datetime.now().astimezone():%Y-%m-%d %H:%M}"
    dialect = engine.dialect.name
    if dialect == "postgresql":
        lock = _AdvisoryLock(engine, holder=who)
        if not lock.try_acquire():
            raise SchedulerAlreadyRunning(
                "another scheduler is already running against this database "
                f"(PostgreSQL advisory lock {_ADVISORY_KEY} is taken"
                f"{_heartbeat_hint(engine)}); only one may run at a time"
            )
        return lock
    if dialect != "sqlite":
        raise NotImplementedError(f"no scheduler lock for the {dialect} database")
    path = lock_file_for(engine)
    if path is None:
        return _NoLock()
    file_lock = _FileLock(path, holder=who)
    if not file_lock.try_acquire():
        raise SchedulerAlreadyRunning(
            "another scheduler is already running against this database "
            f"({file_lock.current_holder()} holds {path}); only one may run at a time"
        )
    return file_lock


def _heartbeat_hint(engine: Engine) -> str:
    try:
        with Session(engine) as session:
            lease = session.get(Lease, LEASE_NAME)
    except DBAPIError:
        return ""
    return "" if lease is None else f", last heartbeat from {lease.holder}"


# --- heartbeat ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SchedulerStatus:
    holder: str
    started_at: datetime
    expires_at: datetime  # alive until then, unless it beats again
    alive: bool


def record_heartbeat(
    session: Session, *, holder: str, started_at: datetime, expires_at: datetime
) -> None:
    """Say this scheduler is alive until ``expires_at`` (upserting the ``scheduler`` lease).

    The scheduler passes its next heartbeat plus a margin, so the night's pause between 01:00
    and 03:00 does not make a running scheduler look dead.
    """
    lease = session.get(Lease, LEASE_NAME)
    if lease is None:
        lease = Lease(name=LEASE_NAME, holder=holder[:200])
    lease.holder = holder[:200]
    lease.acquired_at = started_at
    lease.expires_at = expires_at
    session.add(lease)


def clear_heartbeat(session: Session, *, holder: str) -> None:
    """Remove the heartbeat on a clean shutdown, if it is still this scheduler's."""
    lease = session.get(Lease, LEASE_NAME)
    if lease is not None and lease.holder == holder[:200]:
        session.delete(lease)


def read_scheduler_status(session: Session, *, now: datetime) -> SchedulerStatus | None:
    """The last heartbeat, or None if no scheduler has run since the last clean shutdown."""
    lease = session.get(Lease, LEASE_NAME)
    if lease is None:
        return None
    return SchedulerStatus(
        holder=lease.holder,
        started_at=lease.acquired_at,
        expires_at=lease.expires_at,
        alive=lease.expires_at > now,
    )

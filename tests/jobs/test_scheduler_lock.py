"""Only one scheduler per database, on SQLite (a lock file) and PostgreSQL (an advisory lock)."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from tests.conftest import GOVERNANCE_FILE
from tracker.db import make_engine, session_scope
from tracker.services.operations import (
    SchedulerAlreadyRunning,
    acquire_scheduler_lock,
    clear_heartbeat,
    lock_file_for,
    read_scheduler_status,
    record_heartbeat,
)

TRACKER = Path(sys.executable).with_name("tracker")


def test_a_second_lock_on_the_same_database_is_refused_until_the_first_is_released(
    engine: Engine,
) -> None:
    first = acquire_scheduler_lock(engine, holder="first scheduler")
    try:
        with pytest.raises(SchedulerAlreadyRunning, match="another scheduler is already running"):
            acquire_scheduler_lock(engine, holder="second scheduler")
        assert first.verify()
    finally:
        first.release()
    again = acquire_scheduler_lock(engine)
    again.release()


def test_the_sqlite_refusal_names_the_holder_and_the_lock_file(sqlite_engine: Engine) -> None:
    first = acquire_scheduler_lock(sqlite_engine, holder="host-a pid 41")
    try:
        with pytest.raises(SchedulerAlreadyRunning) as refused:
            acquire_scheduler_lock(sqlite_engine)
    finally:
        first.release()
    path = lock_file_for(sqlite_engine)
    assert path is not None and path.name == "tracker.db.scheduler.lock"
    assert "host-a pid 41" in str(refused.value) and str(path) in str(refused.value)


def test_an_in_memory_database_needs_no_lock() -> None:
    engine = make_engine("sqlite://")
    assert lock_file_for(engine) is None
    lock = acquire_scheduler_lock(engine)
    assert lock.verify()
    lock.release()


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # advisory locks are PG's
def test_a_postgresql_lock_lost_with_its_connection_is_retaken_or_reported(
    engine: Engine,
) -> None:
    lock = acquire_scheduler_lock(engine, holder="first")
    admin = create_engine(engine.url, isolation_level="AUTOCOMMIT")
    kill = text(
        # Only this test's database: other tests (and the audit log's append lock) hold
        # advisory locks on the same server at the same time.
        "SELECT pg_terminate_backend(pid) FROM pg_locks "
        "WHERE locktype = 'advisory' AND pid <> pg_backend_pid() "
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    try:
        with admin.connect() as connection:
            assert connection.execute(kill).scalar_one()
        assert lock.verify()  # nobody else wanted it: taken again on a new connection
        with admin.connect() as connection:
            connection.execute(kill)
        rival = acquire_scheduler_lock(engine, holder="rival")
        try:
            assert not lock.verify()  # the rival holds it now: this scheduler must stop
        finally:
            rival.release()
    finally:
        lock.release()
        admin.dispose()


def test_the_heartbeat_says_who_runs_and_whether_it_is_alive(engine: Engine) -> None:
    now = datetime(2026, 2, 9, 9, tzinfo=UTC)
    with session_scope(engine) as session:
        assert read_scheduler_status(session, now=now) is None
    with session_scope(engine, write=True) as session:
        record_heartbeat(
            session, holder="app1 pid 7", started_at=now, expires_at=now + timedelta(minutes=3)
        )
    with session_scope(engine) as session:
        status = read_scheduler_status(session, now=now + timedelta(minutes=1))
        assert status is not None and status.alive and status.holder == "app1 pid 7"
        assert status.started_at == now
        stale = read_scheduler_status(session, now=now + timedelta(minutes=10))
        assert stale is not None and not stale.alive
    with session_scope(engine, write=True) as session:
        clear_heartbeat(session, holder="app1 pid 7")
    with session_scope(engine) as session:
        assert read_scheduler_status(session, now=now) is None


def _wait_for(process: subprocess.Popen[bytes], needle: str, timeout: float = 60) -> str:
    """Read the process's stderr until ``needle`` appears; fail if it exits or times out."""
    assert process.stderr is not None
    descriptor = process.stderr.fileno()
    seen = b""
    deadline = time.monotonic() + timeout
    while needle.encode() not in seen:
        if time.monotonic() > deadline or process.poll() is not None:
            raise AssertionError(f"{needle!r} not seen; stderr so far:\n{seen.decode()}")
        ready, _, _ = select.select([descriptor], [], [], 0.5)
        if ready:
            # Unbuffered reads: a buffered readline could hold the line select() no longer sees.
            seen += os.read(descriptor, 65536)
    return seen.decode()


def _stopped(process: subprocess.Popen[bytes], timeout: float = 120) -> str:
    """Wait for a scheduler sent SIGTERM to stop; if it does not, kill it and fail saying what
    it wrote (a job it was finishing), so a slow shutdown under load is told from a hang."""
    try:
        return process.communicate(timeout=timeout)[1].decode()
    except subprocess.TimeoutExpired:
        process.kill()
        stderr = process.communicate()[1].decode()
        raise AssertionError(f"the scheduler did not stop within {timeout} s:\n{stderr}") from None


def _start_scheduler(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([str(TRACKER), "scheduler"], env=env, stderr=subprocess.PIPE, bufsize=0)


@pytest.fixture
def scheduler_env(db_url: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    yield {
        **os.environ,
        "TRACKER_DATABASE_URL": db_url,
        "TRACKER_GOVERNANCE_FILE": str(GOVERNANCE_FILE),
        "TRACKER_MAIL_TRANSPORT": "file",
        "TRACKER_OUTBOX_DIR": str(tmp_path / "mail"),
        "PYTHONUNBUFFERED": "1",
    }


def test_a_second_scheduler_process_exits_with_a_clear_message(
    scheduler_env: dict[str, str],
) -> None:
    first = _start_scheduler(scheduler_env)
    try:
        _wait_for(first, "scheduler started")
        try:
            second = subprocess.run(
                [str(TRACKER), "scheduler"],
                env=scheduler_env,
                capture_output=True,
                text=True,
                timeout=120,
            )
        except subprocess.TimeoutExpired as exc:
            # Say what the second scheduler was doing instead of exiting.
            raise AssertionError(
                f"the second scheduler did not exit; its stderr:\n{exc.stderr!r}"
            ) from None
        assert second.returncode == 5  # a conflict: another scheduler holds the lock
        assert (
            second.stderr.strip()
            .splitlines()[-1]
            .startswith("error: another scheduler is already running against this database")
        )
        assert "only one may run at a time" in second.stderr
    finally:
        first.send_signal(signal.SIGTERM)
        output = _stopped(first)
    assert first.returncode == 0, output
    assert "scheduler stopped" in output
    # The lock went with the process: a new scheduler starts.
    third = _start_scheduler(scheduler_env)
    try:
        _wait_for(third, "scheduler started")
    finally:
        third.send_signal(signal.SIGTERM)
        _stopped(third)
    assert third.returncode == 0

"""Files private by default: everything the tracker writes is readable by its owner only.

Each test runs under a permissive umask (022, the usual default), so a file that comes out
0600 does so because the tracker made it so, not because the test's shell was strict; one test
runs the real ``tracker init`` to check the entry point's own umask.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import GOVERNANCE_FILE
from tests.mail.conftest import make_message
from tracker.cli import _register_commands
from tracker.commands import app
from tracker.db import make_engine
from tracker.mail.transports import FileTransport
from tracker.safety.files import write_private_file
from tracker.services.operations import acquire_scheduler_lock

_register_commands()
runner = CliRunner()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.fixture
def env(sqlite_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "TRACKER_DATABASE_URL": sqlite_url,
        "TRACKER_GOVERNANCE_FILE": str(GOVERNANCE_FILE),
        "TRACKER_OUTBOX_DIR": str(tmp_path / "outbox"),
    }


def test_a_new_sqlite_database_and_its_wal_and_shm_are_private(tmp_path: Path) -> None:
    path = tmp_path / "new" / "tracker.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            connection.exec_driver_sql("INSERT INTO t VALUES (1)")
            # While a connection is open in WAL mode, SQLite keeps the -wal and -shm files.
            files = [path, path.with_name("tracker.db-wal"), path.with_name("tracker.db-shm")]
            assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}
    finally:
        engine.dispose()


@pytest.mark.slow
def test_tracker_init_creates_a_database_nobody_else_can_read(tmp_path: Path) -> None:
    database = tmp_path / "tracker.db"
    tracker = Path(sys.executable).with_name("tracker")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    result = subprocess.run(
        [str(tracker), "init"],
        cwd=tmp_path,
        env={
            **clean,
            "TRACKER_DATABASE_URL": f"sqlite:///{database}",
            "TRACKER_GOVERNANCE_FILE": str(GOVERNANCE_FILE),
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert mode(database) == 0o600
    assert not [p.name for p in tmp_path.iterdir() if mode(p) & 0o077]


@pytest.mark.parametrize(
    ("args", "written"),
    [
        (["backup", "{tmp}/backups/tracker-backup.db"], "backups/tracker-backup.db"),
        (["export", "{tmp}/register.xlsx"], "register.xlsx"),
        (["export", "{tmp}/history.csv", "--history"], "history.csv"),
        (["calendar", "-o", "{tmp}/meetings.ics"], "meetings.ics"),
        (
            ["paper", "SEND Improvement Board", "--meeting", "2026-03-17", "-o", "{tmp}/p.docx"],
            "p.docx",
        ),
    ],
)
def test_files_written_by_the_command_line_are_private(
    env: dict[str, str], tmp_path: Path, args: list[str], written: str
) -> None:
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = runner.invoke(app, argv, env=env)
    assert result.exit_code == 0, result.output
    assert mode(tmp_path / written) == 0o600


def test_a_restored_sqlite_database_is_private(env: dict[str, str], tmp_path: Path) -> None:
    backup = tmp_path / "copy.db"
    assert runner.invoke(app, ["backup", str(backup)], env=env).exit_code == 0
    target = tmp_path / "restored.db"
    result = runner.invoke(
        app, ["restore", str(backup)], env={**env, "TRACKER_DATABASE_URL": f"sqlite:///{target}"}
    )
    assert result.exit_code == 0, result.output
    assert mode(target) == 0o600


def test_outbox_messages_and_their_folder_are_private(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    (result,) = FileTransport(outbox, sender="send.tracker@example.org").send([make_message()])
    assert result.ok
    (message,) = outbox.iterdir()
    assert message.suffix == ".eml"
    assert (mode(outbox), mode(message)) == (0o700, 0o600)


def test_the_scheduler_lock_file_is_private(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    lock = acquire_scheduler_lock(engine, holder="test")
    try:
        (lock_file,) = tmp_path.glob("*.lock")
        assert mode(lock_file) == 0o600
    finally:
        lock.release()
        engine.dispose()


def test_an_existing_file_is_replaced_by_a_private_one(tmp_path: Path) -> None:
    target = tmp_path / "register.csv"
    target.write_text("old")
    target.chmod(0o644)
    write_private_file(target, b"new")
    assert (target.read_bytes(), mode(target)) == (b"new", 0o600)
    assert [p.name for p in tmp_path.iterdir()] == ["register.csv"]

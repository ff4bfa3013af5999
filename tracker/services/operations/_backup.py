"""Consistent backups while the app is in use, and restoring one into an empty database.

SQLite: :func:`backup_database` copies the database file with SQLite's online backup API
(``sqlite3.Connection.backup``), which reads one consistent snapshot while the app keeps
writing (WAL mode lets writers carry on), and leaves a single self-contained file. Restoring
copies it back the same way, into the target database.

PostgreSQL: the backup is ``pg_dump --format=custom`` of the database the URL names (a
consistent snapshot: pg_dump runs in one repeatable-read transaction), and restoring is
``pg_restore --single-transaction --no-owner --no-privileges`` (with ``--clean --if-exists``
when the target already has tables). Both need the PostgreSQL client programs on ``PATH``
(Debian/Ubuntu package ``postgresql-client``, at least the server's major version). The host,
port, user and database go on the command line as a libpq URI; the password only in the
``PGPASSWORD`` environment variable, so it never shows in a process list.

A restore goes only into an empty database (no tables, or tables without rows) unless
``force`` is given, and ends by migrating the schema to the newest revision, so a backup from
an older release comes back ready to use. Files are written to a temporary name and renamed
into place, so a failed backup never leaves a half-written file under the name asked for.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy import Engine, func, inspect, select, table
from sqlalchemy.engine import make_url

from tracker.db import current_revision, make_engine, mask_url, upgrade_database
from tracker.errors import OperationFailed
from tracker.safety.files import create_private_file

Kind = Literal["sqlite", "postgresql"]
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
BOOKKEEPING_TABLES = frozenset({"alembic_version"})
SQLITE_TIMEOUT_S = 30.0


class BackupError(OperationFailed):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    kind: Kind
    size_bytes: int


@dataclass(frozen=True)
class RestoreReport:
    kind: Kind
    row_counts: Mapping[str, int]
    revision: str | None
    replaced_data: bool


def _kind_of_url(url: str) -> Kind:
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        return "sqlite"
    if backend == "postgresql":
        return "postgresql"
    raise BackupError(f"backups are for SQLite and PostgreSQL databases, not {backend}")


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError(f"{mask_url(url)} is not a SQLite database file")
    return Path(database).expanduser()


def _partial_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.partial")


def backup_database(url: str, target: Path, *, overwrite: bool = False) -> BackupReport:
    """Write a consistent copy of the database at ``url`` to ``target``."""
    kind = _kind_of_url(url)
    if target.exists() and not overwrite:
        raise BackupError(f"{target} already exists: choose another name or use --force")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = _partial_name(target)
    try:
        # pg_dump and SQLite write into a file that is already private.
        create_private_file(partial)
        if kind == "sqlite":
            _backup_sqlite(_sqlite_path(url), partial)
        else:
            _run_pg_tool("pg_dump", url, ["--format=custom", f"--file={partial}"])
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return BackupReport(path=target, kind=kind, size_bytes=target.stat().st_size)


def _backup_sqlite(source: Path, partial: Path) -> None:
    if not source.is_file():
        raise BackupError(f"there is no database file at {source}")
    reader = sqlite3.connect(source, timeout=SQLITE_TIMEOUT_S)
    copy = sqlite3.connect(partial)
    try:
        # One step (pages=-1): the whole copy is read inside one read transaction, so it is a
        # snapshot of one moment even while the app goes on writing.
        reader.backup(copy)
        # The copy inherits WAL mode; a backup should be one self-contained file.
        copy.execute("PRAGMA journal_mode=DELETE")
        _check_sqlite_integrity(copy, partial)
    except sqlite3.Error as error:
        raise BackupError(f"could not copy {source}: {error}") from error
    finally:
        copy.close()
        reader.close()


def _check_sqlite_integrity(connection: sqlite3.Connection, path: Path) -> None:
    result = connection.execute("PRAGMA quick_check").fetchone()
    if not result or result[0] != "ok":
        raise BackupError(f"{path} failed SQLite's integrity check: {result}")


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found on PATH: install the PostgreSQL client programs "
            "(Debian/Ubuntu: apt-get install postgresql-client) at the server's major version"
        )
    return found


def _libpq_target(url: str) -> tuple[str, dict[str, str]]:
    """The URL as a libpq URI without its password, and the environment carrying it."""
    parsed = make_url(url)
    uri = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    return uri, env


def _run_pg_tool(name: str, url: str, arguments: list[str]) -> None:
    program = _pg_tool(name)
    uri, env = _libpq_target(url)
    result = subprocess.run(
        [program, *arguments, f"--dbname={uri}"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        detail = " ".join(result.stderr.strip().splitlines()[-3:]) or f"exit {result.returncode}"
        raise BackupError(f"{name} failed for {mask_url(url)}: {detail}")


# --- restore -----------------------------------------------------------------------------------


def kind_of_backup(path: Path) -> Kind:
    """Which engine a backup file is for, from its first bytes."""
    if not path.is_file():
        raise BackupError(f"there is no backup file at {path}")
    with path.open("rb") as handle:
        start = handle.read(16)
    if start.startswith(SQLITE_MAGIC):
        return "sqlite"
    if start.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise BackupError(
        f"{path} is not a backup made by `tracker backup` (neither a SQLite database "
        "nor a pg_dump custom-format archive)"
    )


def count_rows(engine: Engine) -> dict[str, int]:
    """Rows in each table of the database (the migration bookkeeping left out)."""
    with engine.connect() as connection:
        names = sorted(set(inspect(connection).get_table_names()) - BOOKKEEPING_TABLES)
        counts = {}
        for name in names:
            query = select(func.count()).select_from(table(name))
            counts[name] = int(connection.execute(query).scalar_one())
        return counts


def _describe(counts: Mapping[str, int]) -> str:
    shown = [f"{counts[name]} {name.replace('_', ' ')} rows" for name in ("action", "person")]
    return ", ".join(shown) if all(n in counts for n in ("action", "person")) else "rows"


def restore_database(url: str, source: Path, *, force: bool = False) -> RestoreReport:
    """Restore the backup ``source`` into the database at ``url``, then migrate it to head.

    Refuses (BackupError) a database that holds any rows unless ``force``, and a backup made
    from the other engine.
    """
    kind = kind_of_backup(source)
    target_kind = _kind_of_url(url)
    if kind != target_kind:
        raise BackupError(
            f"{source} is a {kind} backup and {mask_url(url)} is a {target_kind} database: "
            f"restore it into a {kind} database"
        )
    if kind == "sqlite":
        _check_sqlite_backup(source)
    engine = make_engine(url)
    try:
        counts = count_rows(engine)
        has_data = any(counts.values())
        if has_data and not force:
            raise BackupError(
                f"{mask_url(url)} already holds data ({_describe(counts)}): restore only into "
                "an empty database, or use --force to replace everything in it"
            )
        engine.dispose()  # no pooled connection may hold the old database open
        if kind == "sqlite":
            _restore_sqlite(source, _sqlite_path(url))
        else:
            arguments = ["--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges"]
            if counts:  # tables exist (empty or not): replace them
                arguments += ["--clean", "--if-exists"]
            _run_pg_tool("pg_restore", url, [*arguments, str(source)])
        upgrade_database(engine)
        return RestoreReport(
            kind=kind,
            row_counts=count_rows(engine),
            revision=current_revision(engine),
            replaced_data=has_data,
        )
    finally:
        engine.dispose()


def _check_sqlite_backup(source: Path) -> None:
    try:
        connection = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        try:
            _check_sqlite_integrity(connection, source)
            found = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise BackupError(f"{source} cannot be read as a SQLite backup: {error}") from error
    if found is None:
        raise BackupError(f"{source} is a SQLite database but not a tracker backup")


def _restore_sqlite(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    create_private_file(target)
    reader = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    writer = sqlite3.connect(target, timeout=SQLITE_TIMEOUT_S)
    try:
        # The backup API replaces the target's every page under its write lock, so a running
        # app sees either the old database or the restored one, never a mixture.
        reader.backup(writer)
        _check_sqlite_integrity(writer, target)
    except sqlite3.Error as error:
        raise BackupError(f"could not restore into {target}: {error}") from error
    finally:
        writer.close()
        reader.close()

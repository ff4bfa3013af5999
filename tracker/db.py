"""The one place that owns database engines, sessions and migrations.

SQLite is the default (one council on one machine): every connection turns on WAL, a busy
timeout and foreign keys, and write sessions start with ``BEGIN IMMEDIATE`` so that two writers
queue for the lock instead of failing half-way with "database is locked". PostgreSQL (psycopg 3)
serves larger partnerships. Alembic migrations, shipped inside the package so an installed
wheel can migrate, are the only way the schema is created or changed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError
from sqlmodel import Session

from tracker.safety.files import create_private_file

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
FailureListener = Callable[[Engine, BaseException], None]
_FAILURE_LISTENERS: list[FailureListener] = []
SQLITE_BUSY_TIMEOUT_MS = 30_000
_WRITE_OPTION = "tracker_write"


def _install_sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event decide how each transaction starts (see below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A write transaction takes the write lock up front: a read-then-write that started as a
        # reader could otherwise fail to upgrade its lock when another writer got there first.
        if conn.get_execution_options().get(_WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def make_engine(url: str) -> Engine:
    """A new engine for ``url`` with this project's connection settings."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            path = Path(database).expanduser().resolve()
            path.parent.mkdir(parents=True, exist_ok=True)
            # SQLite gives the -wal and -shm files the database file's own mode: a database
            # created private keeps them private too.
            create_private_file(path)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        _install_sqlite_pragmas(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    """The process-wide engine for ``url`` (created once, shared by every session)."""
    return make_engine(url)


@contextmanager
def session_scope(engine: Engine, *, write: bool = False) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error, always close.

    ``write=True`` is for work that reads then writes: on SQLite it holds the write lock from the
    first statement so concurrent writers wait their turn rather than fail.
    """
    bind = engine.execution_options(**{_WRITE_OPTION: True}) if write else engine
    session = Session(bind, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException as error:
        session.rollback()
        session.close()
        for listener in _FAILURE_LISTENERS:
            listener(engine, error)
        raise
    finally:
        session.close()


def on_failed_unit_of_work(listener: FailureListener) -> None:
    """Call ``listener(engine, error)`` after any unit of work is rolled back by ``error``.

    The audit log uses it to record refused operations, whose own transaction is gone.
    """
    if listener not in _FAILURE_LISTENERS:
        _FAILURE_LISTENERS.append(listener)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation would choke on a password containing "%".
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_database(engine: Engine) -> None:
    """Create or upgrade the schema to the newest migration."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None for an empty database."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        row = connection.exec_driver_sql("SELECT version_num FROM alembic_version").first()
        return str(row[0]) if row else None


def mask_url(url: str) -> str:
    """The URL with any password replaced by ``***``, safe to print."""
    return make_url(url).render_as_string(hide_password=True)


def mask_secrets_in(text: str, url: str) -> str:
    """``text`` (a driver's or tool's message) with the URL and its password masked.

    Drivers and ``pg_dump`` may quote the connection string they were given; a message must
    never carry the password on to a terminal, a log or a page.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        return text.replace(url, "(the database URL)") if url else text
    text = text.replace(url, mask_url(url))
    password = parsed.password
    if password:
        for form in {str(password), quote(str(password), safe="")}:
            text = text.replace(form, "***")
    return text

"""Shared fixtures: real databases (SQLite files and the PostgreSQL server), seeded once.

``engine`` gives each test its own freshly seeded database: on SQLite a copy of a template file
migrated and seeded once per run; on PostgreSQL a ``CREATE DATABASE ... TEMPLATE`` of a seeded
template database. Tests that should run on both engines use ``engine``; tests that only need
one use ``sqlite_engine``. Set ``TRACKER_TEST_DATABASE_URL`` to a PostgreSQL server URL (its
database part is ignored) to run the PostgreSQL half; without it those tests skip locally, and
in CI (``CI=true``) its absence is an error.
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from tracker import clock
from tracker.db import make_engine
from tracker.seed import seed_strategy
from tracker.services.operations import initialise_database

ROOT = Path(__file__).resolve().parent.parent
GOVERNANCE_FILE = ROOT / "governance.yaml"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
IN_CI = os.environ.get("CI", "").lower() == "true"
PG_ENV = "TRACKER_TEST_DATABASE_URL"


@pytest.fixture(autouse=True)
def _partnership_zone_restored() -> Iterator[None]:
    """A test that loads a governance file in another time zone leaves the default behind."""
    yield
    clock.use_partnership_zone(clock.DEFAULT_ZONE)


@pytest.fixture(autouse=True)
def _main_module_restored() -> Iterator[None]:
    """Streamlit's AppTest runs a page as ``__main__`` and can leave it there; a later test
    that starts processes with ``spawn`` would then make each child re-run that temporary
    script (and die before doing anything). Every test starts and ends with the real one."""
    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main


def postgres_server_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url:
        if IN_CI:
            pytest.fail(f"{PG_ENV} must point at the PostgreSQL server in CI")
        return None
    return url


def _admin_engine(server_url: str) -> Engine:
    admin = make_url(server_url).set(database="postgres")
    return create_engine(admin, isolation_level="AUTOCOMMIT")


def create_pg_database(server_url: str, *, template: str | None = None) -> str:
    """A new, uniquely named database on the server; returns its URL."""
    name = f"tracker_t_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine(server_url)
    with admin.connect() as conn:
        clause = f" TEMPLATE {template}" if template else ""
        conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(server_url: str, url: str) -> None:
    name = make_url(url).database
    admin = _admin_engine(server_url)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def confirm_seeded_plan(engine: Engine) -> None:
    """The shared template is a partnership that has confirmed its plan: its seeded due dates
    count (overdue and all). Tests of the "to confirm" state start from ``empty_db_url``."""
    with engine.begin() as conn:
        conn.execute(text("UPDATE action SET planning_confirmed = true"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "seeded.db"
    engine = make_engine(f"sqlite:///{path}")
    initialise_database(engine, governance_file=GOVERNANCE_FILE, seed=seed_strategy)
    confirm_seeded_plan(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str | None]:
    server = postgres_server_url()
    if server is None:
        yield None
        return
    url = create_pg_database(server)
    engine = make_engine(url)
    initialise_database(engine, governance_file=GOVERNANCE_FILE, seed=seed_strategy)
    confirm_seeded_plan(engine)
    engine.dispose()
    yield make_url(url).database
    drop_pg_database(server, url)


def _sqlite_copy(template: Path, tmp_path: Path) -> str:
    target = tmp_path / "tracker.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """URL of a fresh seeded SQLite database file."""
    return _sqlite_copy(sqlite_template, tmp_path)


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    engine = make_engine(sqlite_url)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(
    request: pytest.FixtureRequest,
    sqlite_template: Path,
    tmp_path: Path,
) -> Iterator[str]:
    """URL of a fresh seeded database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield _sqlite_copy(sqlite_template, tmp_path)
        return
    template = request.getfixturevalue("pg_template")
    server = postgres_server_url()
    if server is None or template is None:
        pytest.skip(f"PostgreSQL not configured: set {PG_ENV} to run this on PostgreSQL")
    url = create_pg_database(server, template=template)
    yield url
    drop_pg_database(server, url)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A seeded database engine, on each engine in turn."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty database (no tables), once per engine."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server = postgres_server_url()
    if server is None:
        pytest.skip(f"PostgreSQL not configured: set {PG_ENV} to run this on PostgreSQL")
    url = create_pg_database(server)
    yield url
    drop_pg_database(server, url)

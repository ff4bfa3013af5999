"""Fixtures for import, export and backup: databases with and without the seeded strategy.

``engine`` (from tests/conftest.py) is the seeded strategy, so an import there updates actions in
place. ``unseeded_engine`` has governance.yaml loaded (organisations, people, bodies,
workstreams, meetings) and the strategy's five priorities, but no actions or measures: what a
partnership has before it imports its own plan (priorities are configuration; an import never
creates them). Both run once on SQLite and once on PostgreSQL.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from tests.conftest import (
    FIXTURES,
    GOVERNANCE_FILE,
    PG_ENV,
    create_pg_database,
    drop_pg_database,
    postgres_server_url,
)
from tests.factories import ADMIN, actor
from tracker.db import make_engine, session_scope
from tracker.models import Priority
from tracker.services.operations import initialise_database
from tracker.services.plans import ImportReport, import_plan
from tracker.strategy import load_strategy

SAMPLE = FIXTURES / "send-action-plan-sample.xlsx"
# A fixed "now" after every date in the sample, so update dates are never in the future.
NOW = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


def initialise_without_actions(engine: Engine) -> None:
    """Governance and the strategy's priorities, without its actions and measures."""
    initialise_database(engine, governance_file=GOVERNANCE_FILE)
    with session_scope(engine, write=True) as session:
        for item in load_strategy()["priorities"]:
            session.add(
                Priority(
                    number=int(item["number"]),
                    title=item["title"],
                    short_title=item.get("short_title"),
                    ambition=item.get("ambition"),
                )
            )


@pytest.fixture(scope="session")
def unseeded_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("unseeded") / "unseeded.db"
    engine = make_engine(f"sqlite:///{path}")
    initialise_without_actions(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def unseeded_pg_template() -> Iterator[str | None]:
    server = postgres_server_url()
    if server is None:
        yield None
        return
    url = create_pg_database(server)
    engine = make_engine(url)
    initialise_without_actions(engine)
    engine.dispose()
    yield make_url(url).database
    drop_pg_database(server, url)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def unseeded_url(
    request: pytest.FixtureRequest, unseeded_sqlite_template: Path, tmp_path: Path
) -> Iterator[str]:
    """A database with governance loaded and no strategy, once per engine."""
    if request.param == "sqlite":
        target = tmp_path / "unseeded.db"
        shutil.copyfile(unseeded_sqlite_template, target)
        yield f"sqlite:///{target}"
        return
    template = request.getfixturevalue("unseeded_pg_template")
    server = postgres_server_url()
    if server is None or template is None:
        pytest.skip(f"PostgreSQL not configured: set {PG_ENV} to run this on PostgreSQL")
    url = create_pg_database(server, template=template)
    yield url
    drop_pg_database(server, url)


@pytest.fixture
def unseeded_engine(unseeded_url: str) -> Iterator[Engine]:
    engine = make_engine(unseeded_url)
    yield engine
    engine.dispose()


def run_import(
    engine: Engine,
    source: Any,
    *,
    filename: str = SAMPLE.name,
    commit: bool = False,
    as_email: str = ADMIN,
    now: datetime = NOW,
    **options: Any,
) -> ImportReport:
    """Import as ``as_email`` (the administrator by default) in one unit of work."""
    with session_scope(engine, write=commit) as session:
        return import_plan(
            session,
            actor=actor(session, as_email),
            source=source,
            filename=filename,
            commit=commit,
            now=now,
            **options,
        )

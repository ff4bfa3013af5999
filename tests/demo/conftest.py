"""A demonstration database built once per engine for the module's read-only tests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine

from tests.conftest import (
    GOVERNANCE_FILE,
    create_pg_database,
    drop_pg_database,
    postgres_server_url,
)
from tracker.db import make_engine, session_scope
from tracker.demo import DemoReport, build_demo
from tracker.governance import load_governance
from tracker.seed import seed_strategy
from tracker.services.operations import initialise_database

TODAY = date(2026, 12, 1)
SEED = 7


def build(url: str, *, today: date = TODAY, seed: int = SEED) -> tuple[Engine, DemoReport]:
    engine = make_engine(url)
    initialise_database(engine, governance_file=GOVERNANCE_FILE, seed=seed_strategy)
    with session_scope(engine, write=True) as session:
        report = build_demo(
            session,
            governance=load_governance(GOVERNANCE_FILE),
            governance_file=GOVERNANCE_FILE,
            today=today,
            seed=seed,
        )
    return engine, report


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Engine, DemoReport]]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
        engine, report = build(url)
        yield engine, report
        engine.dispose()
        return
    server = postgres_server_url()
    if server is None:
        pytest.skip("PostgreSQL not configured: set TRACKER_TEST_DATABASE_URL")
    url = create_pg_database(server)
    engine, report = build(url)
    yield engine, report
    engine.dispose()
    drop_pg_database(server, url)

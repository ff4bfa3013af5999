"""Fixtures for tests that look at whole papers from a database with a year of history."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.papers.history_db import HistoryDatabase, build_history_database


@pytest.fixture(scope="session")
def history_database(tmp_path_factory: pytest.TempPathFactory) -> HistoryDatabase:
    """Built once per test session (worker); see ``history_db.py``."""
    return build_history_database(tmp_path_factory.mktemp("history") / "history.db")


@pytest.fixture
def history_engine(history_database: HistoryDatabase, tmp_path: Path) -> Iterator[Engine]:
    """A fresh copy of the year-of-history database for one test."""
    engine = history_database.engine(tmp_path)
    yield engine
    engine.dispose()

"""The acceptance lines, as a reviewer runs them: `tracker init [--demo]` then `tracker status`."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tests.conftest import GOVERNANCE_FILE
from tracker.cli import _register_commands
from tracker.commands import app

_register_commands()


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, empty_db_url: str) -> str:
    monkeypatch.setenv("TRACKER_DATABASE_URL", empty_db_url)
    monkeypatch.setenv("TRACKER_GOVERNANCE_FILE", str(GOVERNANCE_FILE))
    return empty_db_url


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_init_demo_then_status_shows_a_living_tracker(cli_env: str) -> None:
    assert "Demonstration database built" in _run("init", "--demo")
    status = json.loads(_run("status", "--json"))
    rag = status["rag"]
    rated = rag["blue"] + rag["green"] + rag["amber"] + rag["red"]
    assert rated > status["actions"] / 2 and rag["red"] >= 1
    assert status["demo"] is True
    assert len(status["update_cycles"]) == 3 and min(status["update_cycles"].values()) >= 4
    assert "already a demonstration" in _run("init", "--demo")


def test_production_init_reports_nothing_overdue_until_due_dates_are_confirmed(
    cli_env: str,
) -> None:
    _run("init")
    # Long after every seeded due date: still nothing overdue, for none is confirmed.
    status = json.loads(_run("status", "--json", "--as-of", "2029-01-01"))
    assert status["overdue"] == 0 and status["updates"] == 0 and status["demo"] is False


def test_init_demo_refuses_a_database_with_real_work(cli_env: str) -> None:
    from sqlalchemy import text

    from tests.factories import add_update
    from tracker.db import make_engine

    _run("init")
    engine = make_engine(cli_env)
    with engine.begin() as conn:
        conn.execute(text("UPDATE action SET planning_confirmed = true"))
    add_update(engine, "P1.1", rag="green")
    engine.dispose()
    result = CliRunner().invoke(app, ["init", "--demo"])
    assert result.exit_code == 1
    assert "already holds real work (1 action updates" in result.output

"""``tracker people`` and ``tracker audit verify`` as an operator runs them, on both engines:
the acceptance lines of "one source of truth for people" and "an audit trail that proves
itself", through Typer's CliRunner on real databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from tests.conftest import GOVERNANCE_FILE
from tests.services.people.test_people_ownership import DCO, DCO_BLOCK
from tracker.cli import _register_commands
from tracker.commands import app
from tracker.db import make_engine

_register_commands()
runner = CliRunner()
EXECUTIVE = "exec.director.education@example.org"


@pytest.fixture
def env(empty_db_url: str) -> dict[str, str]:
    env = {"TRACKER_DATABASE_URL": empty_db_url, "TRACKER_GOVERNANCE_FILE": str(GOVERNANCE_FILE)}
    assert runner.invoke(app, ["init"], env=env).exit_code == 0
    return env


def _people(env: dict[str, str]) -> dict[str, dict[str, object]]:
    result = runner.invoke(app, ["people", "list", "--json"], env=env)
    assert result.exit_code == 0, result.output
    return {p["email"]: p for p in json.loads(result.output)}


def test_a_deactivation_survives_tracker_init(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["people", "deactivate", EXECUTIVE.upper()], env=env)
    assert result.exit_code == 0, result.output
    assert f"{EXECUTIVE} is now inactive" in result.output
    assert runner.invoke(app, ["init"], env=env).exit_code == 0
    person = _people(env)[EXECUTIVE]
    assert person["active"] is False and person["deactivated_by"] == "app"
    again = runner.invoke(app, ["people", "activate", EXECUTIVE], env=env)
    assert again.exit_code == 0 and "is now active" in again.output
    assert _people(env)[EXECUTIVE]["active"] is True


def test_a_person_removed_from_the_file_is_inactive_after_init(
    env: dict[str, str], tmp_path: Path
) -> None:
    copy = tmp_path / "governance.yaml"
    copy.write_text(GOVERNANCE_FILE.read_text(encoding="utf-8").replace(DCO_BLOCK, ""), "utf-8")
    result = runner.invoke(app, ["init"], env={**env, "TRACKER_GOVERNANCE_FILE": str(copy)})
    assert result.exit_code == 0, result.output
    person = _people(env)[DCO]
    assert person["active"] is False and person["roles_set_by"] == "app"
    assert _people(env)[EXECUTIVE]["active"] is True


def test_an_unknown_email_is_one_clear_line(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["people", "deactivate", "nobody@example.org"], env=env)
    assert result.exit_code == 1
    assert "no person with e-mail 'nobody@example.org'" in result.output


def test_audit_verify_passes_then_names_the_row_changed_behind_the_app_s_back(
    env: dict[str, str],
) -> None:
    fresh = runner.invoke(app, ["audit", "verify"], env=env)
    assert fresh.exit_code == 0, fresh.output
    assert "audit trail intact" in fresh.output
    engine = make_engine(env["TRACKER_DATABASE_URL"])
    with engine.begin() as conn:
        target = conn.execute(text("SELECT id FROM audit_log ORDER BY id LIMIT 1 OFFSET 20"))
        row_id = target.scalar_one()
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")
        else:
            conn.exec_driver_sql("DROP TRIGGER audit_log_no_update")
        conn.execute(text("UPDATE audit_log SET new = 'Red' WHERE id = :id"), {"id": row_id})
    engine.dispose()
    broken = runner.invoke(app, ["audit", "verify"], env=env)
    assert broken.exit_code == 1
    assert f"audit trail broken at row {row_id}" in broken.output

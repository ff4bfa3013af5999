"""``tracker import``, ``export``, ``backup`` and ``restore`` as an operator runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from tests.conftest import GOVERNANCE_FILE
from tests.factories import EXECUTIVE
from tests.importer.conftest import SAMPLE
from tests.importer.sheets import MESSY_PROBLEMS, messy_workbook
from tracker.cli import _register_commands
from tracker.commands import app
from tracker.services.operations import count_rows

_register_commands()
runner = CliRunner()


@pytest.fixture
def env(unseeded_url: str) -> dict[str, str]:
    return {"TRACKER_DATABASE_URL": unseeded_url, "TRACKER_GOVERNANCE_FILE": str(GOVERNANCE_FILE)}


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    path = tmp_path / "messy-plan.xlsx"
    path.write_bytes(messy_workbook())
    return path


def test_import_is_a_dry_run_by_default(env: dict[str, str], unseeded_engine: Engine) -> None:
    before = count_rows(unseeded_engine)
    result = runner.invoke(app, ["import", str(SAMPLE)], env=env)
    assert result.exit_code == 0, result.output
    assert "Acting as SEND Programme Management Office <send.pmo@example.org>" in result.output
    assert "42 actions: 42 to create, 0 to update, 0 unchanged; 0 problems" in result.output
    assert "Priorities to create" not in result.output  # an import never invents priorities
    assert "Dry run: nothing was written. Add --commit to import." in result.output
    assert count_rows(unseeded_engine) == before


def test_problems_are_listed_with_row_column_and_value_and_exit_1(
    env: dict[str, str], messy: Path
) -> None:
    result = runner.invoke(app, ["import", str(messy)], env=env)
    assert result.exit_code == 1
    assert "Columns ignored: Notes" in result.output
    assert "Row 7, Due: not a date: it names no day; give the day it is due" in (result.output)
    assert "Row 12, Priority Workstream: unknown workstream: did you mean 'EHCP Improvement'? " in (
        result.output
    )
    assert f"{len(MESSY_PROBLEMS)} problems in {len(MESSY_PROBLEMS)} rows" in result.output


def test_commit_with_problems_writes_nothing_and_skip_invalid_writes_the_rest(
    env: dict[str, str], messy: Path, unseeded_engine: Engine
) -> None:
    before = count_rows(unseeded_engine)
    refused = runner.invoke(app, ["import", str(messy), "--commit"], env=env)
    assert refused.exit_code == 1
    assert "Nothing was written" in refused.output
    assert count_rows(unseeded_engine) == before
    partial = runner.invoke(app, ["import", str(messy), "--commit", "--skip-invalid"], env=env)
    assert partial.exit_code == 0, partial.output
    assert "Imported: 5 created" in partial.output
    assert "Skipped rows with problems: 8, 9, 10, 11, 12" in partial.output
    assert "Imported keeping the current due date (it named no day): 7" in partial.output
    assert count_rows(unseeded_engine)["action"] == 5


def test_json_report(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["import", str(SAMPLE), "--json"], env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["counts"] == {
        "rows": 42,
        "create": 42,
        "update": 0,
        "unchanged": 0,
        "people_to_create": 0,
        "problems": 0,
    }
    assert data["actions"][0]["reference"] == "P1.1"
    assert {"field": "RAG", "old": None, "new": "Green"} in data["actions"][0]["changes"]


@pytest.mark.parametrize(
    ("arguments", "message", "exit_code"),
    [
        (["import", "missing.xlsx"], "missing.xlsx: no such file", 1),
        (["import", str(SAMPLE), "--as", EXECUTIVE], "may not import plan", 3),
        (["import", str(SAMPLE), "--as", "nobody@example.org"], "no person with e-mail", 1),
        (["export", "plan.pdf"], "name it .xlsx or .csv, or give --format", 1),
        (["export", "plan.csv", "--format", "xlsx"], "plan.csv ends .csv but --format is xlsx", 1),
    ],
)
def test_mistakes_are_one_clear_line(
    env: dict[str, str], arguments: list[str], message: str, exit_code: int, tmp_path: Path
) -> None:
    result = runner.invoke(app, arguments, env=env)
    assert result.exit_code == exit_code  # 3: the person acting may not do it
    assert message in result.output


def test_a_file_that_is_not_a_plan_is_refused(env: dict[str, str], tmp_path: Path) -> None:
    fake = tmp_path / "plan.xlsx"
    fake.write_bytes(b"MZ\x90\x00 an executable renamed")
    result = runner.invoke(app, ["import", str(fake)], env=env)
    assert result.exit_code == 1
    assert "error: plan.xlsx is not an Excel workbook (.xlsx)" in result.output


def test_export_writes_the_register_and_the_history(env: dict[str, str], tmp_path: Path) -> None:
    assert runner.invoke(app, ["import", str(SAMPLE), "--commit"], env=env).exit_code == 0
    register = runner.invoke(app, ["export", str(tmp_path / "out" / "plan.xlsx")], env=env)
    assert register.exit_code == 0, register.output
    assert f"Wrote 42 actions to {tmp_path / 'out' / 'plan.xlsx'}" in register.output
    history = runner.invoke(
        app, ["export", str(tmp_path / "h.txt"), "--history", "--format", "csv"], env=env
    )
    assert history.exit_code == 0, history.output
    assert "Wrote 42 updates" in history.output
    assert (tmp_path / "h.txt").read_bytes().startswith(b"\xef\xbb\xbfRef,Action,Update Date")


def test_backup_then_restore_into_an_empty_database(env: dict[str, str], tmp_path: Path) -> None:
    assert runner.invoke(app, ["import", str(SAMPLE), "--commit"], env=env).exit_code == 0
    backup = tmp_path / "tracker.backup"
    made = runner.invoke(app, ["backup", str(backup)], env=env)
    assert made.exit_code == 0, made.output
    assert "Backed up the" in made.output and backup.is_file()
    again = runner.invoke(app, ["backup", str(backup)], env=env)
    assert again.exit_code == 1 and "already exists" in again.output
    refused = runner.invoke(app, ["restore", str(backup)], env=env)
    assert refused.exit_code == 1
    assert "already holds data" in refused.output and "--force" in refused.output
    forced = runner.invoke(app, ["restore", str(backup), "--force"], env=env)
    assert forced.exit_code == 0, forced.output
    assert "42 actions, 42 updates" in forced.output and "replaced" in forced.output

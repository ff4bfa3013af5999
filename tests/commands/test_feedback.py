"""``tracker feedback`` as an operator runs it, on both engines: add, list (and --json), and the
import: a dry run by default that lists every problem by row and column, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from tests.conftest import GOVERNANCE_FILE
from tracker.cli import _register_commands
from tracker.commands import app

_register_commands()
runner = CliRunner()
HEADER = ["You said", "Source", "Heard on", "We did", "Impact", "Status", "Priorities", "Actions"]


@pytest.fixture
def env(empty_db_url: str) -> dict[str, str]:
    env = {
        "TRACKER_DATABASE_URL": empty_db_url,
        "TRACKER_GOVERNANCE_FILE": str(GOVERNANCE_FILE),
        "TRACKER_TODAY": "2026-11-20",
    }
    assert runner.invoke(app, ["init"], env=env).exit_code == 0
    return env


def _entries(env: dict[str, str]) -> list[dict[str, object]]:
    result = runner.invoke(app, ["feedback", "list", "--json"], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _workbook(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_add_then_list(env: dict[str, str]) -> None:
    result = runner.invoke(
        app,
        [
            "feedback", "add", "--said", "Letters arrive after the meeting",
            "--source", "Lancashire Parent Carer Forum", "--heard-on", "2026-10-02",
            "--priority", "4", "--action", "P4.1",
        ],
        env=env,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.startswith("YS1: Letters arrive after the meeting")
    (entry,) = _entries(env)
    assert entry["heard_on"] == "2026-10-02"
    assert (entry["status"], entry["priorities"], entry["actions"]) == ("open", [4], ["P4.1"])
    table = runner.invoke(app, ["feedback", "list"], env=env)
    assert "YS1" in table.output and "Open" in table.output


def test_a_bad_add_is_refused_naming_the_field(env: dict[str, str]) -> None:
    result = runner.invoke(
        app, ["feedback", "add", "--said", "x", "--source", "POWAR", "--action", "P9.9"], env=env
    )
    assert result.exit_code == 1
    assert "actions: no action P9.9 in the plan" in result.output
    assert _entries(env) == []


def test_import_is_a_dry_run_until_commit(env: dict[str, str], tmp_path: Path) -> None:
    sheet = _workbook(
        tmp_path / "ysd.xlsx",
        [
            [
                "Waits are too long",
                "PCF",
                "01/09/2026",
                "Named officers",
                None,
                "Done",
                "2",
                "P2.3",
            ],
            ["Clubs are far away", "POWAR", None, None, None, "Open", "5", None],
        ],
    )
    dry = runner.invoke(app, ["feedback", "import", str(sheet)], env=env)
    assert dry.exit_code == 0, dry.output
    assert "dry run: 2 entries would be imported; nothing was stored" in dry.output
    assert _entries(env) == []
    done = runner.invoke(app, ["feedback", "import", str(sheet), "--commit"], env=env)
    assert done.exit_code == 0, done.output
    assert [e["reference"] for e in _entries(env)] == ["YS1", "YS2"]


def test_a_bad_sheet_lists_each_problem_and_stores_nothing(
    env: dict[str, str], tmp_path: Path
) -> None:
    sheet = _workbook(
        tmp_path / "bad.xlsx",
        [
            ["Fine row", "PCF", None, None, None, "Open", "2", None],
            ["Bad row", "PCF", "2027-01-01", None, None, "Maybe", "two", None],
        ],
    )
    result = runner.invoke(app, ["feedback", "import", str(sheet), "--commit"], env=env)
    assert result.exit_code == 1
    for line in (
        "bad.xlsx: Row 3, Status: not a status",
        "bad.xlsx: Row 3, Priorities: not a priority number",
        "bad.xlsx: Row 3, Heard on: the day it was heard cannot be in the future",
        "nothing was imported",
    ):
        assert line in result.output
    assert _entries(env) == []

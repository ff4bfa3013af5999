"""Issue 17's acceptance, as a reviewer runs it: a workbook kept the way teams keep it.

A cover, a key and instructions sheet, one sheet per priority, merged priority cells, numbers
such as 1.1 in a "No." column, RAG only as the fill colour of a "Progress" cell and completion
dates written as quarters and months. The dry run finds every action on every priority sheet;
``--commit --skip-invalid`` stores each RAG as its colour showed and each quarter or month as
its last day; every row it could not take is named with its sheet, row and text.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select
from typer.testing import CliRunner

from tests.conftest import GOVERNANCE_FILE
from tests.importer.conftest import run_import
from tests.importer.plan_workbooks import EXPECTED, REFUSED, acceptance_workbook
from tracker.cli import _register_commands
from tracker.commands import app
from tracker.db import session_scope
from tracker.formatting import format_date
from tracker.models import Action
from tracker.services.operations import count_rows

_register_commands()
runner = CliRunner()


@pytest.fixture
def env(unseeded_url: str) -> dict[str, str]:
    return {"TRACKER_DATABASE_URL": unseeded_url, "TRACKER_GOVERNANCE_FILE": str(GOVERNANCE_FILE)}


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    path = tmp_path / "delivery-plan.xlsx"
    path.write_bytes(acceptance_workbook())
    return path


def _stored(engine: Engine) -> dict[str, tuple[str | None, date | None]]:
    with session_scope(engine) as session:
        return {a.reference: (a.rag, a.due_date) for a in session.exec(select(Action)).all()}


def test_dry_run_reads_every_priority_sheet_and_says_which_it_skipped(
    env: dict[str, str], workbook: Path, unseeded_engine: Engine
) -> None:
    before = count_rows(unseeded_engine)
    result = runner.invoke(app, ["import", str(workbook)], env=env)
    assert result.exit_code == 1  # the purple row and the dates naming no day
    out = result.output
    assert "delivery-plan.xlsx: 3 sheets read, 3 skipped" in out
    assert (
        "'Priority 1' (header on row 3, priority 1 from its name): 6 rows read, 6 actions "
        "found, 2 problems" in out
    )
    assert "'Meeting needs' (header on row 2): 4 rows read, 4 actions found, 1 problem" in out
    assert "'Preparation' (header on row 1): 3 rows read, 3 actions found, 2 problems" in out
    for skipped in ("Cover", "Key", "Instructions"):
        assert f"  '{skipped}': no header row naming plan columns" in out
    assert "13 actions: 12 to create, 0 to update, 0 unchanged; 5 problems in 5 rows" in out
    for reference in EXPECTED:
        assert f" {reference} " in out
    # What each colour and each date that was not a plain date was read as.
    assert "Row 4, Completion Date: read as 31 Dec 2025 (end of Q3 of the financial" in out
    assert "Row 6, Progress: fill colour read as Red ('#C0504D')" in out  # theme accent 2
    assert "Row 3, Completion Date: read as 31 Mar 2026 (end of March 2026) ('Mar-26')" in out
    sheet, row, column, colour = REFUSED
    assert f"  Sheet '{sheet}':\n" in out
    assert f"    Row {row}, {column}: the fill colour {colour} is not a RAG colour" in out
    assert "Row 8, Completion Date: not a date: a school term names no day" in out
    assert "('Spring term 2026')" in out and "('Ongoing')" in out and "('n/a')" in out
    assert count_rows(unseeded_engine) == before


def test_commit_skip_invalid_stores_colours_as_rag_and_quarters_as_last_days(
    env: dict[str, str], workbook: Path, unseeded_engine: Engine
) -> None:
    refused = runner.invoke(app, ["import", str(workbook), "--commit"], env=env)
    assert refused.exit_code == 1 and "Nothing was written" in refused.output
    result = runner.invoke(app, ["import", str(workbook), "--commit", "--skip-invalid"], env=env)
    assert result.exit_code == 0, result.output
    assert "Imported: 12 created" in result.output
    assert "Skipped rows with problems: 'Priority 1' row 9" in result.output
    assert (
        "Imported keeping the current due date (it named no day): 'Priority 1' row 8; "
        "'Meeting needs' row 5; 'Preparation' rows 3, 4" in result.output
    )
    stored = _stored(unseeded_engine)
    assert stored == {ref: (rag, due) for ref, (_, _, rag, due) in EXPECTED.items()}
    assert "P1.6" not in stored  # the purple row


def test_dates_naming_no_day_keep_the_due_date_already_stored(engine: Engine) -> None:
    before = _stored(engine)
    report = run_import(
        engine, acceptance_workbook(), filename="plan.xlsx", commit=True, skip_invalid=True
    )
    assert report.committed
    after = _stored(engine)
    for reference, (_, _, rag, due) in EXPECTED.items():
        kept = before[reference][1] if reference in before else None
        assert after[reference] == (rag, due if due is not None else kept), reference
    kept_problem = next(p for p in report.problems if p.value == "TBC")
    assert kept_problem.sheet == "Preparation" and kept_problem.keeps_stored
    assert kept_problem.message.endswith(
        f"the action keeps its due date {format_date(before['P3.1'][1])}"
    )


def test_sheet_option_restricts_the_import(env: dict[str, str], workbook: Path) -> None:
    result = runner.invoke(app, ["import", str(workbook), "--sheet", "preparation"], env=env)
    assert "1 sheet read, 5 skipped" in result.output
    assert "'Priority 1': not chosen" in result.output
    assert "P1.1" not in result.output and " P3.3 " in result.output
    unknown = runner.invoke(app, ["import", str(workbook), "--sheet", "Priority 9"], env=env)
    assert unknown.exit_code == 1
    assert "has no sheet named 'Priority 9': its sheets are 'Cover', 'Key'" in unknown.output
    cover = runner.invoke(app, ["import", str(workbook), "--sheet", "Cover"], env=env)
    assert cover.exit_code == 1
    assert "no action plan on the sheets chosen" in cover.output
    assert "'Cover': no header row" in cover.output


def test_json_report_lists_sheets_skipped_sheets_and_how_cells_were_read(
    env: dict[str, str], workbook: Path
) -> None:
    result = runner.invoke(app, ["import", str(workbook), "--json"], env=env)
    data = json.loads(result.output)
    assert [(s["name"], s["actions_found"]) for s in data["sheets"]] == [
        ("Priority 1", 6),
        ("Meeting needs", 4),
        ("Preparation", 3),
    ]
    assert [s["name"] for s in data["skipped_sheets"]] == ["Cover", "Key", "Instructions"]
    assert {
        "sheet": "Meeting needs",
        "row": 3,
        "column": "Completion Date",
        "value": "Mar-26",
        "note": "read as 31 Mar 2026 (end of March 2026)",
    } in data["notes"]
    kept = [p for p in data["problems"] if p["keeps_stored"]]
    assert [(p["sheet"], p["row"], p["value"]) for p in kept] == [
        ("Priority 1", 8, "Spring term 2026"),
        ("Meeting needs", 5, "Ongoing"),
        ("Preparation", 3, "TBC"),
        ("Preparation", 4, "n/a"),
    ]


def test_a_csv_file_has_no_sheets_to_choose(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_text("Ref,Action\r\nP1.1,Do\r\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(path), "--sheet", "Plan"], env=env)
    assert result.exit_code == 1
    assert "plan.csv is a CSV file: it has no sheets to choose" in result.output

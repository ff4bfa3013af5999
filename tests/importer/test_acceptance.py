"""Issue 7's acceptance, as an operator would run it.

``tracker import`` of the sample plan reports 42 actions and no errors; with ``--commit`` they
are in the register with their owners, dates and RAG; ``tracker export plan.xlsx`` then opens in
LibreOffice with no formula cells, even where commentary starts like a formula. The LibreOffice
half is skipped where ``soffice`` is not installed, except in CI (``CI=true``), where it fails.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from tests.conftest import GOVERNANCE_FILE
from tests.factories import add_update
from tests.importer.conftest import SAMPLE
from tracker.cli import _register_commands
from tracker.commands import app
from tracker.db import session_scope
from tracker.services.register import list_actions

_register_commands()
runner = CliRunner()
SOFFICE = shutil.which("soffice")
FORMULA_LIKE = '=HYPERLINK("http://evil.example","Click me")'


def _soffice_convert(source: Path, target_format: str, outdir: Path) -> Path:
    if SOFFICE is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice (soffice, with Calc) must be installed in CI")
        pytest.skip("LibreOffice (soffice) is not installed, so the export cannot be opened")
    profile = outdir / "lo-profile"  # a private profile so parallel runs do not clash
    result = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            target_format,
            "--outdir",
            str(outdir),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    converted = outdir / f"{source.stem}.{target_format.split(':')[0]}"
    assert result.returncode == 0, result.stderr
    assert converted.is_file(), f"LibreOffice wrote nothing: {result.stdout} {result.stderr}"
    return converted


def test_sample_plan_imports_and_its_register_is_exported(
    unseeded_url: str, unseeded_engine: Engine
) -> None:
    env = {"TRACKER_DATABASE_URL": unseeded_url, "TRACKER_GOVERNANCE_FILE": str(GOVERNANCE_FILE)}
    dry = runner.invoke(app, ["import", str(SAMPLE)], env=env)
    assert dry.exit_code == 0, dry.output
    assert "42 actions: 42 to create, 0 to update, 0 unchanged; 0 problems" in dry.output
    committed = runner.invoke(app, ["import", str(SAMPLE), "--commit"], env=env)
    assert committed.exit_code == 0, committed.output
    assert "Imported: 42 created" in committed.output
    with session_scope(unseeded_engine) as session:
        register = list_actions(session, today=date(2026, 1, 15))
    assert len(register) == 42
    assert all(row.owner and row.owner_email and row.due_date for row in register)
    assert all(row.rag in {"blue", "green", "amber", "red"} for row in register)


@pytest.mark.slow
def test_exported_register_opens_in_libreoffice_without_formulas(
    sqlite_url: str, sqlite_engine: Engine, tmp_path: Path
) -> None:
    env = {"TRACKER_DATABASE_URL": sqlite_url, "TRACKER_GOVERNANCE_FILE": str(GOVERNANCE_FILE)}
    assert runner.invoke(app, ["import", str(SAMPLE), "--commit"], env=env).exit_code == 0
    add_update(sqlite_engine, "P1.1", rag="amber", commentary=FORMULA_LIKE)
    plan = tmp_path / "plan.xlsx"
    exported = runner.invoke(app, ["export", str(plan)], env=env)
    assert exported.exit_code == 0, exported.output
    book = openpyxl.load_workbook(plan)
    assert [
        c.coordinate for s in book for r in s.iter_rows() for c in r if c.data_type == "f"
    ] == []

    as_csv = _soffice_convert(plan, "csv", tmp_path / "csv")
    rows = list(csv.reader(io.StringIO(as_csv.read_text(encoding="utf-8"))))
    assert len(rows) == 43 and rows[0][:3] == ["Ref", "Priority", "Action"]
    p11 = rows[1]
    assert (p11[0], p11[11], p11[12]) == ("P1.1", "Amber", "'" + FORMULA_LIKE)

    resaved = _soffice_convert(plan, "xlsx:Calc MS Excel 2007 XML", tmp_path / "xlsx")
    again = openpyxl.load_workbook(resaved)
    assert [
        c.coordinate for s in again for r in s.iter_rows() for c in r if c.data_type == "f"
    ] == []
    rag = again.worksheets[0]["L2"]
    assert (rag.value, rag.fill.fgColor.rgb[-6:]) == ("Amber", "FFC000")

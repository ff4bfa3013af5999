"""``tracker stocktake`` as a reviewer runs it, on both engines: evidence on P2.3 (inserted as
the evidence service stores it), then ``tracker stocktake -o pack.zip``: a Word report naming
P2.3 and the file (and its PDF, read back with pdftotext), the file byte-identical, an index
listing it and a manifest. Then each mistake an operator can make, refused in one line."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import func, select
from typer.testing import CliRunner

from tests.conftest import GOVERNANCE_FILE
from tests.papers.libreoffice import pdf_text
from tests.services.stocktake.support import add_evidence, docx_text, pdf_bytes, read_zip
from tracker.cli import _register_commands
from tracker.commands import app
from tracker.db import make_engine, session_scope
from tracker.models import AuditLog, Stocktake

_register_commands()
runner = CliRunner()


@pytest.fixture
def env(empty_db_url: str) -> dict[str, str]:
    env = {"TRACKER_DATABASE_URL": empty_db_url, "TRACKER_GOVERNANCE_FILE": str(GOVERNANCE_FILE)}
    assert runner.invoke(app, ["init"], env=env).exit_code == 0
    return env


def test_a_pack_holds_the_report_the_file_its_index_and_a_manifest(
    env: dict[str, str], tmp_path: Path
) -> None:
    engine = make_engine(env["TRACKER_DATABASE_URL"])
    data = pdf_bytes(1_500_000)
    try:
        add_evidence(
            engine,
            "P2.3",
            "EP-waiting-times-audit.pdf",
            data,
            at=datetime.now(UTC),
            note="Audit of EP waiting times",
        )
    finally:
        engine.dispose()
    output = tmp_path / "pack.zip"
    result = runner.invoke(app, ["stocktake", "-o", str(output)], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == str(output)
    assert "(1 evidence)" in result.output

    entries = read_zip(output)
    assert entries["evidence/P2.3/EP-waiting-times-audit.pdf"] == data
    report = docx_text(entries["stocktake-report.docx"])
    assert "P2.3" in report and "EP-waiting-times-audit.pdf" in report
    index = list(csv.DictReader(io.StringIO(entries["evidence-index.csv"].decode("utf-8-sig"))))
    assert [(r["Reference"], r["File"], r["Note"]) for r in index] == [
        ("P2.3", "evidence/P2.3/EP-waiting-times-audit.pdf", "Audit of EP waiting times")
    ]
    assert index[0]["SHA-256"] == hashlib.sha256(data).hexdigest()
    manifest = json.loads(entries["manifest.json"])
    listed = {f["path"]: f["sha256"] for f in manifest["files"]}
    assert listed["evidence/P2.3/EP-waiting-times-audit.pdf"] == hashlib.sha256(data).hexdigest()
    assert manifest["generated_by"].endswith("(tracker stocktake)")
    # The tagged PDF LibreOffice made opens and says the same.
    if "stocktake-report.pdf" in entries:
        pdf = tmp_path / "report.pdf"
        pdf.write_bytes(entries["stocktake-report.pdf"])
        text = pdf_text(pdf)
        if text is not None:
            assert "Stocktake report" in text and "EP-waiting-times-audit.pdf" in text
    else:
        assert "LibreOffice" in manifest["report"]["pdf_note"]

    engine = make_engine(env["TRACKER_DATABASE_URL"])
    try:
        with session_scope(engine) as session:
            (row,) = session.exec(select(Stocktake)).all()
            assert row.sha256 == hashlib.sha256(output.read_bytes()).hexdigest()
            audited = session.exec(
                select(func.count()).select_from(AuditLog).where(AuditLog.entity == "stocktake")
            ).one()
            assert audited == 1
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--from", "2026-11-02", "--to", "2026-11-01"], "--from 2026-11-02 is after --to"),
        (["--from", "1/9/2026"], "--from: '1/9/2026' is not a date"),
        (["--to", "2999-01-01"], "--to: the period cannot end after today"),
        (["--from", "1066-10-14"], "--from: the period cannot start before"),
    ],
)
def test_a_bad_period_is_refused_in_one_line(
    env: dict[str, str], tmp_path: Path, args: list[str], words: str
) -> None:
    result = runner.invoke(app, ["stocktake", *args, "-o", str(tmp_path / "p.zip")], env=env)
    assert result.exit_code == 1
    assert result.output.startswith("error: ") and words in result.output
    assert not (tmp_path / "p.zip").exists()


def test_an_output_that_cannot_be_written_is_refused(env: dict[str, str], tmp_path: Path) -> None:
    result = runner.invoke(app, ["stocktake", "-o", str(tmp_path / "no" / "p.zip")], env=env)
    assert result.exit_code == 1
    assert "error: -o: the folder" in result.output and "does not exist" in result.output
    result = runner.invoke(app, ["stocktake", "-o", str(tmp_path)], env=env)
    assert result.exit_code == 1 and "is a folder" in result.output

"""Tagged PDF for publication: ``tracker paper BOARD -o FILE.pdf``, stored with the paper version.

The real conversion runs LibreOffice (skipped where it is missing, except in CI); the rules
around it (stored once with the version, refused with the package named where LibreOffice is
missing) use a converter that records what it was asked.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select
from typer.testing import CliRunner

from tests.conftest import GOVERNANCE_FILE
from tests.factories import OPERATOR, actor
from tests.papers.libreoffice import require_soffice
from tests.papers.scenario import MEETINGS, generate, record_round_one
from tracker.cli import _register_commands
from tracker.commands import app
from tracker.db import make_engine, session_scope
from tracker.models import StoredPaper
from tracker.papers.pdf import PACKAGE, LibreOfficeConverter, PdfUnavailable
from tracker.services.papers import get_paper_file
from tracker.services.papers._store import get_paper_pdf

_register_commands()
runner = CliRunner()


class RecordingConverter:
    def __init__(self) -> None:
        self.calls: list[bytes] = []

    def convert(self, docx: bytes) -> bytes:
        self.calls.append(docx)
        return b"%PDF-1.7 fake " + str(len(self.calls)).encode()


def _pdfinfo(pdf: Path) -> dict[str, str]:
    program = shutil.which("pdfinfo")
    if program is None:
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    out = subprocess.run([program, str(pdf)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


@pytest.mark.slow
def test_the_command_writes_a_tagged_pdf_with_the_title_and_stores_it(
    sqlite_url: str, tmp_path: Path
) -> None:
    require_soffice()
    env = {"TRACKER_DATABASE_URL": sqlite_url, "TRACKER_GOVERNANCE_FILE": str(GOVERNANCE_FILE)}
    target = tmp_path / "sib.pdf"
    result = runner.invoke(
        app,
        ["paper", "SIB", "--meeting", MEETINGS["SIB"][0].isoformat(), "-o", str(target)],
        env=env,
    )
    assert result.exit_code == 0, result.stderr
    assert target.read_bytes().startswith(b"%PDF")
    info = _pdfinfo(target)
    assert info["Tagged"] == "yes"
    assert info["Title"].startswith("SEND Improvement Board: ")
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        stored = session.exec(select(StoredPaper)).one()
        assert stored.pdf_content == target.read_bytes()
        assert stored.content.startswith(b"PK")  # the .docx stays the original
    engine.dispose()


def test_a_pdf_is_made_once_and_stored_with_its_version(engine: Engine) -> None:
    record_round_one(engine)
    info = generate(engine, "SIB", MEETINGS["SIB"][0])
    converter = RecordingConverter()
    with session_scope(engine, write=True) as session:
        who = actor(session, "send.pmo@example.org")
        first = get_paper_pdf(session, actor=who, paper_id=info.id, converter=converter)
        again = get_paper_pdf(session, actor=who, paper_id=info.id, converter=converter)
        docx = get_paper_file(session, actor=who, paper_id=info.id)
    assert first.content == again.content == b"%PDF-1.7 fake 1"
    assert converter.calls == [docx.content]
    assert first.filename == info.filename.removesuffix(".docx") + ".pdf"
    assert first.media_type == "application/pdf"


def test_without_libreoffice_pdf_is_refused_naming_the_package(
    monkeypatch: pytest.MonkeyPatch, engine: Engine
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    record_round_one(engine)
    info = generate(engine, "SIB", MEETINGS["SIB"][0])
    with session_scope(engine, write=True) as session, pytest.raises(PdfUnavailable, match=PACKAGE):
        get_paper_pdf(session, actor=OPERATOR, paper_id=info.id, converter=LibreOfficeConverter())
    with session_scope(engine) as session:
        assert session.get(StoredPaper, info.id).pdf_content is None  # type: ignore[union-attr]


def test_the_command_refuses_pdf_without_libreoffice(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    env = {"TRACKER_DATABASE_URL": sqlite_url, "TRACKER_GOVERNANCE_FILE": str(GOVERNANCE_FILE)}
    result = runner.invoke(app, ["paper", "SIB", "-o", str(tmp_path / "x.pdf")], env=env)
    assert result.exit_code == 1
    assert PACKAGE in result.stderr
    assert not (tmp_path / "x.pdf").exists()

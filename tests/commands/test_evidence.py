"""``tracker evidence`` as an operator runs it, on both engines and both stores: the issue's
acceptance lines (a PDF stored with its note; ``program.exe``, and the same program renamed
``program.pdf``, refused with nothing stored), listing, superseding and deleting."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from sqlmodel import func, select
from typer.testing import CliRunner

from tests.conftest import GOVERNANCE_FILE
from tests.services.evidence import samples
from tracker.cli import _register_commands
from tracker.commands import app
from tracker.db import make_engine, session_scope
from tracker.models import AuditLog, Evidence, EvidenceChunk

_register_commands()
runner = CliRunner()


@pytest.fixture(params=["database", "files"])
def env(request: pytest.FixtureRequest, empty_db_url: str, tmp_path: Path) -> dict[str, str]:
    env = {"TRACKER_DATABASE_URL": empty_db_url, "TRACKER_GOVERNANCE_FILE": str(GOVERNANCE_FILE)}
    if request.param == "files":
        env["TRACKER_EVIDENCE_DIR"] = str(tmp_path / "store")
    assert runner.invoke(app, ["init"], env=env).exit_code == 0
    return env


def _file(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _counts(env: dict[str, str]) -> tuple[int, int, int]:
    engine = make_engine(env["TRACKER_DATABASE_URL"])
    try:
        with session_scope(engine) as session:
            evidence = session.exec(select(func.count()).select_from(Evidence)).one()
            chunks = session.exec(select(func.count()).select_from(EvidenceChunk)).one()
    finally:
        engine.dispose()
    store = env.get("TRACKER_EVIDENCE_DIR")
    files = len(list(Path(store).iterdir())) if store and Path(store).exists() else 0
    return evidence, chunks, files


def _list(env: dict[str, str], reference: str = "P2.3") -> list[dict[str, object]]:
    result = runner.invoke(app, ["evidence", "list", reference, "--json"], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_a_pdf_is_stored_with_its_note_and_listed(env: dict[str, str], tmp_path: Path) -> None:
    data = samples.pdf()
    path = _file(tmp_path, "some.pdf", data)
    result = runner.invoke(
        app, ["evidence", "add", "P2.3", str(path), "--note", "EP recruitment figures"], env=env
    )
    assert result.exit_code == 0, result.output
    digest = hashlib.sha256(data).hexdigest()
    assert f"some.pdf ({len(data)} bytes, SHA-256 {digest}) added to P2.3" in result.output
    [row] = _list(env)
    assert row["filename"] == "some.pdf" and row["note"] == "EP recruitment figures"
    assert row["sha256"] == digest and row["size_bytes"] == len(data)
    assert row["kind"] == "pdf" and row["shareable"] is False and row["superseded_at"] is None
    table = runner.invoke(app, ["evidence", "list", "P2.3"], env=env)
    assert "some.pdf" in table.output and "current" in table.output


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("program.exe", "program.exe: files ending .exe are not accepted as evidence"),
        ("program.pdf", "program.pdf is not a PDF: its content is a Windows program"),
    ],
)
def test_a_program_is_refused_and_nothing_is_stored(
    env: dict[str, str], tmp_path: Path, name: str, message: str
) -> None:
    path = _file(tmp_path, name, samples.windows_program())
    result = runner.invoke(app, ["evidence", "add", "P2.3", str(path)], env=env)
    assert result.exit_code == 1
    assert f"error: {message}" in result.output
    assert _counts(env) == (0, 0, 0)
    assert _list(env) == []


def test_empty_and_missing_files_and_unknown_actions_are_refused(
    env: dict[str, str], tmp_path: Path
) -> None:
    empty = _file(tmp_path, "empty.pdf", b"")
    result = runner.invoke(app, ["evidence", "add", "P2.3", str(empty)], env=env)
    assert result.exit_code == 1 and "empty.pdf is empty (0 bytes)" in result.output
    result = runner.invoke(app, ["evidence", "add", "P2.3", str(tmp_path / "gone.pdf")], env=env)
    assert result.exit_code == 4 and "gone.pdf: no such file" in result.output
    pdf = _file(tmp_path, "a.pdf", samples.pdf())
    result = runner.invoke(app, ["evidence", "add", "P9.9", str(pdf)], env=env)
    assert result.exit_code == 4 and "No action with reference 'P9.9'" in result.output
    assert _counts(env) == (0, 0, 0)


def test_a_file_over_the_configured_limit_is_refused(env: dict[str, str], tmp_path: Path) -> None:
    big = _file(tmp_path, "big.pdf", samples.pdf() + b"%" * (1 << 20))
    result = runner.invoke(
        app, ["evidence", "add", "P2.3", str(big)], env={**env, "TRACKER_EVIDENCE_MAX_MB": "1"}
    )
    assert result.exit_code == 1
    assert "big.pdf is 1.0 MB" in result.output
    assert "the limit for an evidence file is 1 MB" in result.output
    assert _counts(env) == (0, 0, 0)


def test_supersede_and_delete_take_a_reason_and_are_audited(
    env: dict[str, str], tmp_path: Path
) -> None:
    path = _file(tmp_path, "draft.pdf", samples.pdf())
    assert runner.invoke(app, ["evidence", "add", "P2.3", str(path)], env=env).exit_code == 0
    [row] = _list(env)
    evidence_id = str(row["id"])
    result = runner.invoke(app, ["evidence", "supersede", evidence_id, "--reason", " "], env=env)
    assert result.exit_code == 1 and "a reason is required" in result.output
    result = runner.invoke(
        app, ["evidence", "supersede", evidence_id, "--reason", "Final version added"], env=env
    )
    assert result.exit_code == 0 and "superseded" in result.output
    assert _list(env)[0]["superseded_reason"] == "Final version added"
    again = runner.invoke(app, ["evidence", "supersede", evidence_id, "--reason", "x"], env=env)
    assert again.exit_code == 5 and "already superseded" in again.output
    result = runner.invoke(
        app, ["evidence", "delete", evidence_id, "--reason", "Holds a child's name"], env=env
    )
    assert result.exit_code == 0 and "draft.pdf) deleted" in result.output
    assert _counts(env) == (0, 0, 0)
    engine = make_engine(env["TRACKER_DATABASE_URL"])
    try:
        with session_scope(engine) as session:
            last = session.exec(select(AuditLog).order_by(AuditLog.id.desc())).first()  # type: ignore[union-attr]
    finally:
        engine.dispose()
    assert last is not None and last.reason == "Holds a child's name"
    assert "draft.pdf" in (last.old or "") and str(row["sha256"]) in (last.old or "")
    assert last.actor_label.startswith("operator ") and "(tracker evidence)" in last.actor_label
    gone = runner.invoke(app, ["evidence", "delete", evidence_id, "--reason", "x"], env=env)
    assert gone.exit_code == 4


def test_share_lets_partners_see_a_file(env: dict[str, str], tmp_path: Path) -> None:
    path = _file(tmp_path, "notes.pdf", samples.pdf())
    assert runner.invoke(app, ["evidence", "add", "P2.3", str(path)], env=env).exit_code == 0
    evidence_id = str(_list(env)[0]["id"])
    result = runner.invoke(app, ["evidence", "share", evidence_id], env=env)
    assert result.exit_code == 0 and "is shareable" in result.output
    assert _list(env)[0]["shareable"] is True
    result = runner.invoke(app, ["evidence", "share", evidence_id, "--off"], env=env)
    assert "is not shareable" in result.output and _list(env)[0]["shareable"] is False

"""``tracker publish DIR`` as an operator runs it: the site is written, published again with
the previous version kept, refused with one line for a folder it did not publish or a
governance file without a publishing section, and audited under the operator's name."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from tests.conftest import GOVERNANCE_FILE
from tracker.cli import _register_commands
from tracker.commands import app
from tracker.db import make_engine, session_scope
from tracker.models import AuditLog

_register_commands()
runner = CliRunner()


@pytest.fixture
def env(empty_db_url: str) -> dict[str, str]:
    env = {
        "TRACKER_DATABASE_URL": empty_db_url,
        "TRACKER_GOVERNANCE_FILE": str(GOVERNANCE_FILE),
        "TRACKER_TODAY": "2026-10-01",
    }
    assert runner.invoke(app, ["init"], env=env).exit_code == 0
    return env


def test_publish_writes_the_site_and_keeps_the_previous_one(
    env: dict[str, str], tmp_path: Path
) -> None:
    target = tmp_path / "site"
    first = runner.invoke(app, ["publish", str(target)], env=env)
    assert first.exit_code == 0, first.output
    assert first.output.splitlines()[0] == str(target)
    assert "9 pages: 0 actions" in first.output
    assert "Correct at 1 October 2026" in (target / "index.html").read_text()

    second = runner.invoke(app, ["publish", str(target)], env=env)
    assert second.exit_code == 0, second.output
    assert f"the previous version is kept in {tmp_path / 'site.previous'}" in second.output
    engine = make_engine(env["TRACKER_DATABASE_URL"])
    with session_scope(engine) as session:
        rows = session.exec(select(AuditLog).where(AuditLog.entity == "public_site")).all()
    engine.dispose()
    assert len(rows) == 2
    assert all(r.actor_label.endswith("(tracker publish)") for r in rows)


def test_the_default_folder_is_tracker_publish_dir(env: dict[str, str], tmp_path: Path) -> None:
    target = tmp_path / "from-settings"
    result = runner.invoke(app, ["publish"], env={**env, "TRACKER_PUBLISH_DIR": str(target)})
    assert result.exit_code == 0, result.output
    assert (target / "accessibility.html").is_file()


def test_a_folder_it_did_not_publish_is_refused_in_one_line(
    env: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = runner.invoke(app, ["publish", str(tmp_path)], env=env)
    assert result.exit_code == 1
    assert result.output.startswith("error: ") and "did not publish" in result.output
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_a_governance_file_without_publishing_is_refused(
    env: dict[str, str], tmp_path: Path
) -> None:
    text = GOVERNANCE_FILE.read_text(encoding="utf-8")
    bare = tmp_path / "governance.yaml"
    bare.write_text(text[: text.index("# --- The public progress site")], encoding="utf-8")
    result = runner.invoke(
        app,
        ["publish", str(tmp_path / "site")],
        env={**env, "TRACKER_GOVERNANCE_FILE": str(bare)},
    )
    assert result.exit_code == 1
    assert "has no publishing: section" in result.output
    assert not (tmp_path / "site").exists()

"""``tracker risks`` as an operator runs it, on both engines: the acceptance lines of the risk
register issue, through Typer's CliRunner, with the board paper read back from the Word file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from docx import Document
from sqlmodel import func, select
from typer.testing import CliRunner

from tests.conftest import GOVERNANCE_FILE
from tracker.cli import _register_commands
from tracker.commands import app
from tracker.db import make_engine, session_scope
from tracker.models import AuditLog, Risk

_register_commands()
runner = CliRunner()
OWNER = "head.of.send@example.org"
ADD = ["risks", "add", "--title", "EP recruitment fails", "--owner", OWNER]


@pytest.fixture
def env(empty_db_url: str) -> dict[str, str]:
    env = {"TRACKER_DATABASE_URL": empty_db_url, "TRACKER_GOVERNANCE_FILE": str(GOVERNANCE_FILE)}
    assert runner.invoke(app, ["init"], env=env).exit_code == 0
    return env


def _risks(env: dict[str, str]) -> list[dict[str, object]]:
    result = runner.invoke(app, ["risks", "list", "--json", "--all"], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _stored(env: dict[str, str]) -> tuple[int, int]:
    engine = make_engine(env["TRACKER_DATABASE_URL"])
    try:
        with session_scope(engine) as session:
            return (
                session.exec(select(func.count()).select_from(Risk)).one(),
                session.exec(select(func.count()).select_from(AuditLog)).one(),
            )
    finally:
        engine.dispose()


def test_add_list_and_the_next_improvement_board_paper(env: dict[str, str], tmp_path: Path) -> None:
    added = runner.invoke(
        app,
        [*ADD, "--likelihood", "4", "--impact", "5", "--priority", "2", "--action", "P2.3"],
        env=env,
    )
    assert added.exit_code == 0, added.output
    assert added.output.startswith("R1: EP recruitment fails, score 20")
    (risk,) = _risks(env)
    assert (risk["reference"], risk["score"], risk["band"]) == ("R1", 20, "Very high")
    assert risk["owner"] == OWNER and risk["actions"] == ["P2.3"] and risk["priorities"] == [2]

    out = tmp_path / "sib.docx"
    paper = runner.invoke(app, ["paper", "SEND Improvement Board", "-o", str(out)], env=env)
    assert paper.exit_code == 0, paper.output
    document = Document(str(out))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Risks" in headings
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "R1" in cells and "20 Very high" in cells
    assert any("EP recruitment fails" in c for c in cells)
    pictures = document.element.body.findall(".//{*}docPr")
    assert any("Risk heat map of 1 open risk" in (p.get("descr") or "") for p in pictures)


def test_a_likelihood_off_the_scale_is_refused_and_nothing_is_stored(env: dict[str, str]) -> None:
    before = _stored(env)
    refused = runner.invoke(app, [*ADD, "--likelihood", "7", "--impact", "5"], env=env)
    assert refused.exit_code == 1
    assert "likelihood: must be a whole number from 1 to 5" in refused.output
    assert "not 7" in refused.output
    assert _stored(env) == before
    unknown = runner.invoke(
        app,
        [*ADD[:-1], "nobody@example.org", "--likelihood", "2", "--impact", "2", "--action", "P9.9"],
        env=env,
    )
    assert unknown.exit_code == 1
    assert "owner: no person with e-mail 'nobody@example.org'" in unknown.output
    assert "action: there is no action P9.9" in unknown.output
    assert _stored(env) == before


def test_rescore_close_and_a_closed_risk_refused(env: dict[str, str]) -> None:
    runner.invoke(app, [*ADD, "--likelihood", "4", "--impact", "5"], env=env)
    rescored = runner.invoke(
        app,
        ["risks", "score", "R1", "--likelihood", "3", "--impact", "5", "--commentary", "Two EPs"],
        env=env,
    )
    assert rescored.exit_code == 0, rescored.output
    assert "R1 now scores 15" in rescored.output
    assert (
        runner.invoke(app, ["risks", "close", "R1", "--reason", "Recruited"], env=env).exit_code
        == 0
    )
    again = runner.invoke(
        app,
        ["risks", "score", "R1", "--likelihood", "1", "--impact", "1", "--commentary", "x"],
        env=env,
    )
    assert again.exit_code == 5  # a conflict: the risk is closed
    assert "R1 is closed (Recruited)" in again.output
    (risk,) = _risks(env)
    assert (risk["score"], risk["status"], risk["inherent_score"]) == (15, "closed", 20)
    missing = runner.invoke(
        app,
        ["risks", "score", "R9", "--likelihood", "1", "--impact", "1", "--commentary", "x"],
        env=env,
    )
    assert missing.exit_code == 4 and "No risk with reference 'R9'" in missing.output

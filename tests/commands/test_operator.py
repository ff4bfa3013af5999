"""The command line acts as a named operator: its changes are audited under the operator's
login, and the services it calls check permissions for every other actor."""

from __future__ import annotations

import getpass
from pathlib import Path

import pytest
from sqlmodel import col, select
from typer.testing import CliRunner

from tests.conftest import GOVERNANCE_FILE
from tests.factories import PARTNER, SECRETARY_SIB, actor
from tracker.cli import _register_commands
from tracker.commands import app
from tracker.db import make_engine, session_scope
from tracker.governance import load_governance
from tracker.models import AuditLog
from tracker.permissions import PermissionDenied
from tracker.services.outbox import list_outbox
from tracker.services.papers import generate_paper
from tracker.services.people import set_active_as_operator

_register_commands()
runner = CliRunner()
EXECUTIVE = "exec.director.education@example.org"


@pytest.fixture
def env(empty_db_url: str) -> dict[str, str]:
    env = {"TRACKER_DATABASE_URL": empty_db_url, "TRACKER_GOVERNANCE_FILE": str(GOVERNANCE_FILE)}
    assert runner.invoke(app, ["init"], env=env).exit_code == 0
    return env


def _last_audit(url: str, field: str) -> AuditLog:
    with session_scope(make_engine(url)) as session:
        row = session.exec(
            select(AuditLog).where(AuditLog.field == field).order_by(col(AuditLog.id).desc())
        ).first()
        assert row is not None
        session.expunge(row)
        return row


def test_a_deactivation_at_the_command_line_names_the_operator_in_the_audit_trail(
    env: dict[str, str],
) -> None:
    result = runner.invoke(app, ["people", "deactivate", EXECUTIVE], env=env)

    assert result.exit_code == 0, result.output
    row = _last_audit(env["TRACKER_DATABASE_URL"], "active")
    assert (row.entity_label, row.old, row.new) == (EXECUTIVE, "True", "False")
    assert row.actor_label == f"operator {getpass.getuser()} (tracker people)"
    assert row.actor_id is None  # an operator is nobody's account


def test_a_paper_from_the_command_line_is_generated_by_the_operator(
    env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "paper.docx"
    result = runner.invoke(app, ["paper", "SIB", "-o", str(out)], env=env)

    assert result.exit_code == 0, result.output
    row = _last_audit(env["TRACKER_DATABASE_URL"], "generated")
    assert row.actor_label == f"operator {getpass.getuser()} (tracker paper)"


def test_services_the_command_line_uses_refuse_a_person_without_the_permission(
    env: dict[str, str],
) -> None:
    engine = make_engine(env["TRACKER_DATABASE_URL"])
    with session_scope(engine, write=True) as session:
        partner = actor(session, PARTNER)
        with pytest.raises(PermissionDenied):
            set_active_as_operator(session, email=EXECUTIVE, active=False, operator=partner)
        with pytest.raises(PermissionDenied):
            list_outbox(session, actor=partner)
        with pytest.raises(PermissionDenied):
            # A secretary, but of another board.
            generate_paper(
                session,
                actor=actor(session, SECRETARY_SIB),
                governance=load_governance(GOVERNANCE_FILE),
                governance_file=GOVERNANCE_FILE,
                board_ref="SOB",
                meeting_date=None,
            )
    with session_scope(engine) as session:
        assert actor(session, EXECUTIVE).active  # the refused deactivation changed nothing

"""The ``tracker`` command as an operator uses it (Typer's CliRunner, real databases)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import GOVERNANCE_FILE
from tracker.cli import _register_commands
from tracker.commands import app

_register_commands()
runner = CliRunner()


@pytest.fixture
def env(empty_db_url: str) -> dict[str, str]:
    return {"TRACKER_DATABASE_URL": empty_db_url, "TRACKER_GOVERNANCE_FILE": str(GOVERNANCE_FILE)}


def test_init_then_status_reports_the_strategy(env: dict[str, str]) -> None:
    first = runner.invoke(app, ["init"], env=env)
    assert first.exit_code == 0, first.output
    assert "42 action" in first.output
    second = runner.invoke(app, ["init"], env=env)
    assert second.exit_code == 0
    assert "nothing changed" in second.output
    status = runner.invoke(app, ["status", "--json", "--as-of", "2025-10-01"], env=env)
    assert status.exit_code == 0, status.output
    data = json.loads(status.output)
    assert data["priorities"] == 5
    assert data["actions"] == 42
    assert data["measures"] == 35
    assert data["workstreams"] == 6
    assert data["bodies"] >= 15
    assert data["rag"] == {"blue": 0, "green": 0, "amber": 0, "red": 0, "not_rated": 42}
    assert data["overdue"] == 0
    assert data["not_updated"] == 42
    assert data["database"].split("/")[-1] == env["TRACKER_DATABASE_URL"].split("/")[-1]


def test_database_urls_are_printed_without_passwords() -> None:
    from tracker.db import mask_url

    assert mask_url("postgresql+psycopg://u:s3cret@db/x") == "postgresql+psycopg://u:***@db/x"


@pytest.mark.parametrize(
    ("message", "url"),
    [
        # A driver quoting the whole URL, the password alone, or its percent-encoded form.
        ("cannot connect to {url}", "postgresql+psycopg://u:S3cretPW@db/x"),
        ("password S3cretPW refused", "postgresql+psycopg://u:S3cretPW@db/x"),
        ("dsn u:p%40ss%25w0rd@db", "postgresql+psycopg://u:p%40ss%25w0rd@db/x"),
        ("raw p@ss%w0rd", "postgresql+psycopg://u:p%40ss%25w0rd@db/x"),
    ],
)
def test_messages_quoting_the_database_url_are_masked(message: str, url: str) -> None:
    from sqlalchemy.engine import make_url

    from tracker.db import mask_secrets_in

    password = str(make_url(url).password)
    masked = mask_secrets_in(message.format(url=url), url)
    assert password not in masked
    assert "%40ss%25" not in masked
    assert "***" in masked


def test_unreachable_database_is_one_clear_line_without_the_password() -> None:
    result = runner.invoke(
        app,
        ["status", "--json"],
        env={"TRACKER_DATABASE_URL": "postgresql+psycopg://u:s3cret@127.0.0.1:1/none"},
    )
    assert result.exit_code == 1
    assert "s3cret" not in result.output


def test_check_accepts_the_shipped_file() -> None:
    result = runner.invoke(app, ["check", str(GOVERNANCE_FILE)])
    assert result.exit_code == 0
    assert "15 bodies" in result.output


def test_check_rejects_a_bad_file_with_line_numbers(tmp_path: Path) -> None:
    bad = tmp_path / "governance.yaml"
    bad.write_text(
        GOVERNANCE_FILE.read_text().replace(
            "reports_to: send_improvement_board\n    secretary",
            "reports_to: SEND Improvment Board\n    secretary",
        ),
    )
    result = runner.invoke(app, ["check", str(bad)])
    assert result.exit_code == 1
    assert "unknown body 'SEND Improvment Board' (line" in result.output
    assert "Traceback" not in result.output


def test_check_rejects_an_unknown_comparator_la_code(tmp_path: Path) -> None:
    bad = tmp_path / "governance.yaml"
    bad.write_text(
        GOVERNANCE_FILE.read_text().replace(
            "{code: E10000006, name: Cumbria}", "{code: E07000117, name: Cumbria}"
        ),
    )
    result = runner.invoke(app, ["check", str(bad)])
    assert result.exit_code == 1
    assert "comparators.neighbours[0].code: unknown local authority code 'E07000117'" in (
        result.output
    )


def test_init_with_a_bad_governance_file_is_one_line_and_nonzero(
    env: dict[str, str], tmp_path: Path
) -> None:
    bad = tmp_path / "governance.yaml"
    bad.write_text("partnership: [unclosed\n")
    result = runner.invoke(app, ["init"], env={**env, "TRACKER_GOVERNANCE_FILE": str(bad)})
    assert result.exit_code == 1
    assert "not valid YAML" in result.output


def test_production_refuses_developer_mode() -> None:
    result = runner.invoke(
        app, ["status"], env={"TRACKER_ENV": "production", "TRACKER_AUTH": "dev"}
    )
    assert result.exit_code == 1
    assert "TRACKER_AUTH=dev is refused" in result.output


@pytest.mark.parametrize("url", ["mysql://somewhere/db", "not a url"])
def test_unusable_database_url_is_one_clear_line(url: str) -> None:
    result = runner.invoke(app, ["status"], env={"TRACKER_DATABASE_URL": url})
    assert result.exit_code == 1
    assert "TRACKER_DATABASE_URL" in result.output
    assert "Traceback" not in result.output

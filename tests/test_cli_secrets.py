"""Secrets are never printed: every command that touches the database, pointed at a PostgreSQL
server that is not there, exits non-zero with one clear line and without the password.

Each command runs as an operator runs it (the installed ``tracker`` script in a subprocess, so
the entry point's own safety net counts too), several at once to keep the test short.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, GOVERNANCE_FILE

PASSWORD = "S3cretPW"
UNREACHABLE = f"postgresql+psycopg://u:{PASSWORD}@127.0.0.1:1/x"
ADMIN = "send.pmo@example.org"

COMMANDS: list[list[str]] = [
    ["init"],
    ["run"],
    ["status"],
    ["status", "--json"],
    ["paper", "SEND Improvement Board"],
    ["remind"],
    ["remind", "--dry-run"],
    ["outbox", "list"],
    ["outbox", "send"],
    ["outbox", "retry", "--all-failed"],
    ["import", str(FIXTURES / "send-action-plan-sample.xlsx")],
    ["export", "{tmp}/register.xlsx"],
    ["backup", "{tmp}/backup.dump"],
    ["restore", "{tmp}/backup.dump"],
    ["measures", "list"],
    ["measures", "show", "M1"],
    ["measures", "set-value", "M1", "2026-09-30", "35", "--as", ADMIN],
    ["measures", "set-target", "M1", "--target", "50", "--as", ADMIN],
    ["measures", "import", str(FIXTURES / "measure-values.csv"), "--as", ADMIN],
    ["calendar"],
    ["scheduler"],
]


def _run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    tracker = Path(sys.executable).with_name("tracker")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env = {
        **clean,
        "TRACKER_DATABASE_URL": UNREACHABLE,
        "TRACKER_GOVERNANCE_FILE": str(GOVERNANCE_FILE),
        "TRACKER_OUTBOX_DIR": str(tmp_path / "outbox"),
        "PGCONNECT_TIMEOUT": "3",
    }
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    return subprocess.run(
        [str(tracker), *argv],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def outcomes(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, subprocess.CompletedProcess[str]]:
    tmp_path = tmp_path_factory.mktemp("unreachable")
    (tmp_path / "backup.dump").write_bytes(b"PGDMP not really a dump")
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = pool.map(lambda args: _run(args, tmp_path), COMMANDS)
        return {" ".join(args): result for args, result in zip(COMMANDS, results, strict=True)}


@pytest.mark.slow
@pytest.mark.parametrize("command", [" ".join(args) for args in COMMANDS])
def test_no_command_prints_the_database_password(
    outcomes: dict[str, subprocess.CompletedProcess[str]], command: str
) -> None:
    result = outcomes[command]
    assert PASSWORD not in result.stdout
    assert PASSWORD not in result.stderr
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, result.stderr


@pytest.mark.slow
def test_init_names_the_database_with_the_password_masked(
    outcomes: dict[str, subprocess.CompletedProcess[str]],
) -> None:
    stderr = outcomes["init"].stderr
    assert "postgresql+psycopg://u:***@127.0.0.1:1/x" in stderr
    assert "connection" in stderr.lower()

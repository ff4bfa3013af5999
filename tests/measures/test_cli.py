"""``tracker measures ...`` as an operator uses it (Typer's CliRunner, a seeded SQLite file)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import FIXTURES, GOVERNANCE_FILE
from tests.factories import ADMIN, HEAD_OF_SEND, PARTNER
from tracker.cli import _register_commands
from tracker.commands import app

_register_commands()
runner = CliRunner()


@pytest.fixture
def env(sqlite_url: str) -> dict[str, str]:
    return {"TRACKER_DATABASE_URL": sqlite_url, "TRACKER_GOVERNANCE_FILE": str(GOVERNANCE_FILE)}


def invoke(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["measures", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def test_list_as_json_has_every_measure(env: dict[str, str]) -> None:
    code, out, _ = invoke(env, "list", "--json", "--as-of", "2026-01-15")
    assert code == 0
    data = json.loads(out)
    assert len(data) == 35
    m13 = next(m for m in data if m["reference"] == "M1.3")
    assert (m13["baseline_value"], m13["baseline_date"]) == (24473, "2025-06-30")


def test_targets_values_and_the_red_list(env: dict[str, str]) -> None:
    code, out, err = invoke(
        env,
        "set-target",
        "M2.3",
        "--as",
        ADMIN,
        "--baseline",
        "30",
        "--baseline-date",
        "2025-06-30",
        "--target",
        "60%",
        "--target-date",
        "2026-08-31",
    )
    assert code == 0, err
    assert "baseline 30%, target 60%, tolerance 10%" in out
    assert invoke(env, "set-value", "M2.3", "2025-09-30", "35%", "--as", HEAD_OF_SEND)[0] == 0
    code, out, _ = invoke(env, "set-value", "m2.3", "Oct 2025", "28", "--as", HEAD_OF_SEND)
    assert (code, out.strip()) == (0, "M2.3 2025-10-31: entered")

    code, out, _ = invoke(env, "list", "--rating", "red", "--as-of", "2025-12-01")
    assert code == 0
    [row] = out.splitlines()[2:]
    assert row.split()[:6] == ["M2.3", "28%", "2025-10-31", "↓", "deteriorating", "Red"]

    code, out, _ = invoke(env, "show", "M2.3", "--as-of", "2025-12-01")
    assert "Rating: Red (against trajectory to target)" in out


NOT_ALLOWED, NOT_FOUND = 3, 4


@pytest.mark.parametrize(
    ("args", "message", "exit_code"),
    [
        (
            ["set-value", "M2.3", "2025-09-30", "35", "--as", PARTNER],
            "may not enter measure value",
            NOT_ALLOWED,
        ),
        (["set-value", "M2.3", "2025-09-30", "135", "--as", ADMIN], "between 0 and 100", 1),
        (["set-value", "M2.3", "2025-09-31", "35", "--as", ADMIN], "period: not a real", 1),
        (["set-value", "M1.3", "2025-09-30", "35%", "--as", ADMIN], "is a percentage", 1),
        (["set-value", "M7.1", "2025-09-30", "35", "--as", ADMIN], "No success measure", NOT_FOUND),
        (["set-value", "M2.3", "2025-09-30", "35", "--as", "nobody@example.org"], "no person", 1),
        (["show", "M7.1"], "No success measure with reference 'M7.1'", NOT_FOUND),
    ],
)
def test_mistakes_are_one_clear_line(
    env: dict[str, str], args: list[str], message: str, exit_code: int
) -> None:
    code, _, err = invoke(env, *args)
    assert code == exit_code
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_import_is_a_dry_run_until_committed(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "measure-values.csv"
    shutil.copyfile(FIXTURES / "measure-values.csv", path)

    code, out, _ = invoke(env, "import", str(path), "--as", ADMIN)
    assert code == 0 and "3 rows: 3 new" in out and "dry run" in out
    code, out, _ = invoke(env, "import", str(path), "--as", ADMIN, "--commit")
    assert code == 0 and "stored" in out
    code, out, _ = invoke(env, "import", str(path), "--as", ADMIN)
    assert "3 unchanged" in out


def test_a_bad_import_lists_each_row_and_stores_nothing(
    env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("Measure,Period,Value\nM2.3,30/09/2025,35\nM9.9,30/09/2025,abc\n")

    code, _, err = invoke(env, "import", str(path), "--as", ADMIN, "--commit")

    assert code == 1
    assert "Row 3, Measure: no success measure has this reference ('M9.9')" in err
    assert "Row 3, Value: is not a number ('abc')" in err
    assert "bad.csv refused: 2 problem(s); nothing was stored" in err
    _, out, _ = invoke(env, "list", "--json")
    assert all(m["latest_value"] is None for m in json.loads(out))


def test_correcting_a_value_needs_a_reason(env: dict[str, str]) -> None:
    assert invoke(env, "set-value", "M2.3", "2025-09-30", "35%", "--as", HEAD_OF_SEND)[0] == 0

    code, _, err = invoke(env, "set-value", "M2.3", "2025-09-30", "36%", "--as", ADMIN)
    assert code == 1
    assert err.strip() == (
        "error: --reason is needed: 30/09/2025 already has 35%: say why you are correcting it"
    )

    code, out, _ = invoke(
        env, "set-value", "M2.3", "2025-09-30", "36%", "--as", ADMIN, "--reason", "Late returns"
    )
    assert (code, out.strip()) == (0, "M2.3 2025-09-30: corrected")


def test_milestones_and_sign_off_from_the_command_line(env: dict[str, str]) -> None:
    assert (
        invoke(
            env,
            "set-target",
            "M2.3",
            "--as",
            ADMIN,
            "--baseline",
            "30",
            "--baseline-date",
            "2025-06-30",
            "--target",
            "60",
            "--target-date",
            "2026-08-31",
        )[0]
        == 0
    )
    code, out, err = invoke(env, "milestones", "M2.3", "--add", "2025-12-31", "38%", "--as", ADMIN)
    assert code == 0, err
    assert "2025-12-31  38%" in out
    code, _, err = invoke(env, "milestones", "M2.3", "--add", "2025-12-31", "40", "--as", ADMIN)
    assert code == 1
    assert "--add DATE: M2.3 already has a milestone on 31 Dec 2025" in err
    code, _, err = invoke(env, "milestones", "M2.3", "--add", "2027-01-31", "40", "--as", ADMIN)
    assert "--add DATE: must be before the target date (31 Aug 2026)" in err
    code, _, err = invoke(env, "milestones", "M2.3", "--add", "2026-01-31", "lots", "--as", ADMIN)
    assert "--add VALUE: 'lots' is not a number" in err

    assert invoke(env, "set-value", "M2.3", "2025-12-31", "39", "--as", ADMIN)[0] == 0
    code, out, _ = invoke(env, "show", "M2.3", "--as-of", "2026-01-15")
    assert "Rating: Green (against milestones to target)" in out
    assert "39%    Green   provisional" in out
    code, _, err = invoke(env, "sign-off", "M2.3", "2025-12-31", "--as", PARTNER)
    assert code == NOT_ALLOWED and "only its owner or its performance lead" in err
    code, out, err = invoke(env, "sign-off", "M2.3", "2025-12-31", "--as", HEAD_OF_SEND)
    assert (code, out.strip()) == (0, "M2.3 2025-12-31 39%: signed off (final)"), err
    code, out, _ = invoke(env, "list", "--as-of", "2026-01-15")
    [row] = [r for r in out.splitlines() if r.startswith("M2.3")]
    assert row.split()[-1] == "final"

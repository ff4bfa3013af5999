"""The systemd units and the environment-file example in ``deploy/`` say what the tracker does.

A unit that starts a command the ``tracker`` CLI does not have, an environment example naming
a setting that does not exist or shipping a secret value, or a second scheduler would each
pass review by eye and fail on the council's server; these tests catch them.
"""

from __future__ import annotations

import configparser
import shlex
import subprocess
from pathlib import Path

import pytest

from tests.deploy.stack import tracker_command
from tracker.config import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = DEPLOY / "systemd"
TRACKER = "/opt/send-tracker/venv/bin/tracker"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(UNITS / name, encoding="utf-8")
    return parser


def tracker_arguments(exec_start: str) -> list[str]:
    """The ``tracker`` arguments of an ExecStart line (also through ``/bin/sh -c '...'``)."""
    words = shlex.split(exec_start)
    if words[:2] == ["/bin/sh", "-c"]:
        words = shlex.split(words[2].removeprefix("exec "))
    assert words[0] == TRACKER, exec_start
    return words[1:]


@pytest.mark.parametrize(
    ("name", "command"),
    [
        ("send-tracker-init.service", ["init"]),
        ("send-tracker@.service", ["run", "--port", "%i", "--address", "127.0.0.1"]),
        ("send-tracker-scheduler.service", ["scheduler"]),
        ("send-tracker-backup.service", ["backup"]),
    ],
)
def test_each_unit_runs_a_real_tracker_command_as_the_service_user(
    name: str, command: list[str]
) -> None:
    service = unit(name)["Service"]
    arguments = tracker_arguments(service["ExecStart"])
    assert arguments[: len(command)] == command
    options = [a for a in arguments if a.startswith("--")]
    # The installed command line, as systemd would run it.
    shown = subprocess.run(
        [*tracker_command(), arguments[0], "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )
    assert shown.returncode == 0, shown.stderr
    help_text = shown.stdout
    for option in options:
        assert option in help_text, f"{name}: tracker {arguments[0]} has no {option}"
    assert service["User"] == "send-tracker"
    assert service["EnvironmentFile"] == "/etc/send-tracker/send-tracker.env"
    assert service["NoNewPrivileges"] == "yes"


def test_replicas_and_scheduler_start_only_after_the_one_migration() -> None:
    for name in ("send-tracker@.service", "send-tracker-scheduler.service"):
        section = unit(name)["Unit"]
        assert "send-tracker-init.service" in section["Requires"]
        assert "send-tracker-init.service" in section["After"]
    # Exactly one scheduler: a plain unit, never a template that could run several.
    assert not list(UNITS.glob("*scheduler@*"))


def test_the_backup_timer_starts_the_backup_service_daily() -> None:
    timer = unit("send-tracker-backup.timer")["Timer"]
    assert timer["OnCalendar"] == "*-*-* 02:30:00"
    assert timer["Persistent"] == "true"
    assert (UNITS / "send-tracker-backup.service").is_file()


def test_the_environment_example_names_real_settings_and_holds_no_secret() -> None:
    fields = {f"TRACKER_{name.upper()}" for name in Settings.model_fields}
    lines = (DEPLOY / "send-tracker.env.example").read_text(encoding="utf-8").splitlines()
    settings = {}
    for line in lines:
        text = line.removeprefix("#")
        if text.startswith("TRACKER_") and "=" in text:
            key, _, value = text.partition("=")
            settings[key] = value
    assert set(settings) <= fields, set(settings) - fields
    assert {"TRACKER_ENV", "TRACKER_DATABASE_URL", "TRACKER_APP_URL"} <= set(settings)
    secrets = [key for key in settings if "SECRET" in key or "PASSWORD" in key]
    assert secrets and all(settings[key] == "" for key in secrets)
    assert settings["TRACKER_APP_URL"].startswith("https://")
    assert settings["TRACKER_DATABASE_URL"].startswith("postgresql+psycopg://")

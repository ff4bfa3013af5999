"""``tracker calendar``, ``tracker remind`` and ``tracker outbox`` as an operator uses them."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import icalendar
import pytest
from sqlalchemy import Engine, update
from typer.testing import CliRunner

from tests.conftest import GOVERNANCE_FILE
from tests.reminders.helpers import outbox_rows
from tracker.cli import _register_commands
from tracker.commands import app
from tracker.db import session_scope
from tracker.models import OutboxMessage

_register_commands()
runner = CliRunner()


@pytest.fixture
def env(sqlite_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "TRACKER_DATABASE_URL": sqlite_url,
        "TRACKER_GOVERNANCE_FILE": str(GOVERNANCE_FILE),
        "TRACKER_MAIL_TRANSPORT": "file",
        "TRACKER_OUTBOX_DIR": str(tmp_path / "mail"),
        "TRACKER_APP_URL": "https://tracker.example.org",
    }


def test_calendar_json_lists_coming_meetings_with_iso_dates(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["calendar", "--json", "--from", "2026-02-01"], env=env)
    assert result.exit_code == 0, result.output
    meetings = json.loads(result.stdout)
    assert meetings[0] == {
        "board": "SEND Transformation Board",
        "board_key": "send_transformation_board",
        "short_name": "STB",
        "meeting": "2026-02-05",
        "paper_deadline": "2026-01-29",
        "window_opens": "2026-01-15",
    }
    assert [m["meeting"] for m in meetings] == sorted(m["meeting"] for m in meetings)
    assert all(m["meeting"] >= "2026-02-01" for m in meetings)
    assert {m["board"] for m in meetings} == {
        "SEND Improvement Board",
        "SEND Transformation Board",
        "SEND Operations Board",
    }
    sob = json.loads(
        runner.invoke(
            app, ["calendar", "--json", "--board", "SOB", "--from", "2026-02-01"], env=env
        ).stdout
    )
    assert sob[0]["meeting"] == "2026-02-18"
    assert {m["board_key"] for m in sob} == {"send_operations_board"}


def test_calendar_writes_an_ics_file_outlook_can_import(
    env: dict[str, str], tmp_path: Path
) -> None:
    target = tmp_path / "meetings.ics"
    args = [
        "calendar",
        "-o",
        str(target),
        "--board",
        "send_improvement_board",
        "--from",
        "2026-01-01",
    ]
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    calendar = icalendar.Calendar.from_ical(target.read_bytes())
    events = list(calendar.walk("VEVENT"))
    summaries = {str(e["SUMMARY"]) for e in events}
    assert summaries == {
        "SEND Improvement Board meeting",
        "SEND Improvement Board paper deadline",
        "SEND Improvement Board update window",
    }
    meetings = [e for e in events if str(e["SUMMARY"]).endswith("meeting")]
    assert len(events) == 3 * len(meetings)
    assert f"wrote {len(meetings)} meetings to {target}" in result.output


NOT_FOUND = 4


@pytest.mark.parametrize(
    ("args", "message", "exit_code"),
    [
        (
            ["calendar", "--board", "Cabinet"],
            "no board with meetings is called 'Cabinet'",
            NOT_FOUND,
        ),
        (["calendar", "-o", "meetings.txt"], "must end in .ics", 1),
        (["calendar", "--from", "next week"], "--from: 'next week' is not a date", 1),
        (["remind", "--as-of", "2026-02-30"], "--as-of: '2026-02-30' is not a date", 1),
        (["outbox", "list", "--state", "lost"], "unknown outbox state 'lost'", 1),
        (["outbox", "retry"], "give the ids of failed messages to retry, or all_failed", 1),
    ],
)
def test_bad_input_is_one_clear_line(
    env: dict[str, str], args: list[str], message: str, exit_code: int
) -> None:
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == exit_code
    assert message in result.output
    assert "Traceback" not in result.output


def test_remind_dry_run_prints_who_would_get_what_and_sends_nothing(
    env: dict[str, str], sqlite_engine: Engine, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["remind", "--dry-run", "--as-of", "2026-02-06"], env=env)
    assert result.exit_code == 0, result.output
    assert "update_request  inclusion.lead@example.org" in result.stdout
    assert "Please update 5 actions for the SEND Operations Board by Friday 13 February 2026" in (
        result.stdout
    )
    assert "nothing was sent" in result.stdout
    assert outbox_rows(sqlite_engine) == []
    assert not (tmp_path / "mail").exists()

    sent = runner.invoke(app, ["remind", "--as-of", "2026-02-06"], env=env)
    assert sent.exit_code == 0, sent.output
    count = len(outbox_rows(sqlite_engine))
    assert f"sent {count}," in sent.stdout
    assert len(list((tmp_path / "mail").glob("*.eml"))) == count
    again = runner.invoke(app, ["remind", "--dry-run", "--as-of", "2026-02-06"], env=env)
    assert "already sent" in again.stdout
    assert "dry run for 2026-02-06: 0 e-mails would be sent" in again.stdout


def test_outbox_list_shows_states_and_retry_requeues_failed_mail(
    env: dict[str, str], sqlite_engine: Engine
) -> None:
    runner.invoke(app, ["remind", "--as-of", "2026-02-06"], env=env)
    first, second = outbox_rows(sqlite_engine)[:2]
    with session_scope(sqlite_engine, write=True) as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_([first.id, second.id]))
            .values(state="failed", last_error="550 mailbox unavailable")
        )
    listing = runner.invoke(app, ["outbox", "list", "--state", "failed"], env=env)
    assert listing.exit_code == 0, listing.output
    assert re.search(rf"^{first.id}\s+failed\s+1\s+update_request", listing.stdout, re.M)
    assert "550 mailbox unavailable" in listing.output
    as_json = json.loads(runner.invoke(app, ["outbox", "list", "--json"], env=env).stdout)
    assert {row["state"] for row in as_json} == {"sent", "failed"}
    assert {"id", "rule", "to", "subject", "attempts", "last_error"} <= set(as_json[0])

    retried = runner.invoke(app, ["outbox", "retry", str(first.id)], env=env)
    assert retried.exit_code == 0, retried.output
    assert f"queued again: 1 ({first.id})" in retried.stdout
    assert "sent 1," in retried.stdout
    refused = runner.invoke(app, ["outbox", "retry", str(first.id)], env=env)
    assert refused.exit_code == 1 and f"{first.id} (sent)" in refused.output
    everything = runner.invoke(app, ["outbox", "retry", "--all-failed", "--no-send"], env=env)
    assert "queued again: 1" in everything.stdout
    sent = runner.invoke(app, ["outbox", "send"], env=env)
    assert "sent 1," in sent.stdout
    assert {r.state for r in outbox_rows(sqlite_engine)} == {"sent"}


def test_commands_on_an_uninitialised_database_say_so(tmp_path: Path) -> None:
    env = {
        "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",
        "TRACKER_GOVERNANCE_FILE": str(GOVERNANCE_FILE),
    }
    for args in (["calendar"], ["remind", "--dry-run"], ["outbox", "list"], ["scheduler"]):
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 1
        assert "has `tracker init` been run?" in result.output


def test_scheduler_next_lists_coming_runs_without_starting(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["scheduler", "--next"], env=env)
    assert result.exit_code == 0, result.output
    assert (
        "Update requests, chasers, escalations, paper-ready notices and risk reviews"
        in result.stdout
    )
    assert "Weekly digest to executives" in result.stdout


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_send_that_finds_nothing_due_says_what_waits_and_why(
    env: dict[str, str], sqlite_engine: Engine
) -> None:
    refused = {
        **env,
        "TRACKER_MAIL_TRANSPORT": "smtp",
        "TRACKER_SMTP_HOST": "127.0.0.1",
        "TRACKER_SMTP_PORT": str(_closed_port()),
    }
    first = runner.invoke(app, ["remind", "--as-of", "2026-02-06"], env=refused)
    assert first.exit_code == 0, first.output
    pending = len(outbox_rows(sqlite_engine))
    assert pending > 1 and f"waiting for the mail server {pending}" in first.stdout

    again = runner.invoke(app, ["outbox", "send"], env=refused)
    assert again.exit_code == 0, again.output
    assert "sent 0, retrying later 0, failed 0" in again.stdout
    assert re.search(
        rf"^{pending} messages pending, waiting to retry until \d\d:\d\d "
        r"\(last error: mail server unavailable: .+\)$",
        again.stdout,
        re.M,
    ), again.stdout

    listing = runner.invoke(app, ["outbox", "list"], env=env)
    assert "last error" in listing.stdout.splitlines()[0]
    assert listing.stdout.count("mail server unavailable") == pending

"""Update-cycle commands: calendar, remind, outbox (list, send, retry) and scheduler."""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from sqlalchemy.exc import OperationalError, ProgrammingError

from tracker import clock
from tracker.commands import app
from tracker.commands.common import (
    cli_session,
    cli_today,
    describe_database_error,
    echo_table,
    engine_for,
    fail,
    load_settings,
    operator,
    partnership_zone,
)
from tracker.config import Settings
from tracker.errors import TrackerError
from tracker.governance import GovernanceConfig, GovernanceError, current_governance
from tracker.mail.transports import build_transport
from tracker.safety.files import write_private_file
from tracker.services.governance import list_coming_meetings, render_calendar_file
from tracker.services.outbox import (
    STATES,
    DispatchReport,
    count_outbox,
    list_outbox,
    retry_failed,
    summarise_pending,
)
from tracker.services.reminders import (
    ALL_RULES,
    preview_reminders,
    queue_due_reminders,
    send_queued_mail,
)

outbox_app = typer.Typer(help="Inspect, send or retry queued e-mail.", no_args_is_help=True)
app.add_typer(outbox_app, name="outbox")

DB_ERRORS = (OperationalError, ProgrammingError)
LISTED_ERROR = 40  # characters of the last error in `outbox list`; --json has it whole
EXPLAINED_ERROR = 160


def _clip(text: str | None, limit: int) -> str:
    line = " ".join((text or "").split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _governance(settings: Settings) -> GovernanceConfig:
    try:
        return current_governance(settings.governance_file)
    except GovernanceError as exc:
        fail(str(exc))


def _day(value: str | None, option: str) -> date:
    if value is None:
        return cli_today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option}: {value!r} is not a date (use YYYY-MM-DD)")


def _db_failure(exc: Exception) -> NoReturn:
    fail(f"cannot read the database (has `tracker init` been run?): {describe_database_error(exc)}")


def _write_atomically(path: Path, data: bytes) -> None:
    path = path.expanduser()
    try:
        write_private_file(path, data)
    except OSError as exc:
        fail(f"cannot write {path}: {exc}")


@app.command()
def calendar(
    as_json: Annotated[bool, typer.Option("--json", help="print a JSON list")] = False,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="write an iCalendar (.ics) file")
    ] = None,
    board: Annotated[str | None, typer.Option(help="one board, by key or name")] = None,
    since: Annotated[
        str | None, typer.Option("--from", help="first day, YYYY-MM-DD (default today)")
    ] = None,
) -> None:
    """Coming meetings with their paper deadlines and update windows."""
    settings = load_settings()
    first = _day(since, "--from")
    try:
        with cli_session(settings) as session:
            meetings = list_coming_meetings(session, since=first, board=board)
    except DB_ERRORS as exc:
        _db_failure(exc)
    if output is not None:
        if output.suffix.lower() != ".ics":
            fail(f"-o {output}: the calendar file must end in .ics")
        partnership = _governance(settings).partnership.name
        _write_atomically(output, render_calendar_file(meetings, partnership=partnership))
        typer.echo(f"wrote {len(meetings)} meetings to {output}", err=as_json)
    if as_json:
        typer.echo(json.dumps([m.as_json() for m in meetings], indent=2))
    elif output is None:
        rows = [
            [m.short_name or m.board, str(m.window_opens), str(m.paper_deadline), str(m.meeting)]
            for m in meetings
        ]
        echo_table(["board", "window opens", "paper deadline", "meeting"], rows)


def _print_dispatch(report: DispatchReport) -> None:
    typer.echo(
        f"sent {report.sent}, retrying later {report.retrying}, failed {report.failed}"
        + (f", waiting for the mail server {report.unavailable}" if report.unavailable else "")
        + (f", reclaimed {report.reclaimed}" if report.reclaimed else "")
    )
    for error in report.errors:
        typer.echo(f"warning: {error}", err=True)


@app.command()
def remind(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="print who would get what; send nothing")
    ] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD (default today)")] = None,
) -> None:
    """Run the reminder rules once: queue what is due, then send it."""
    settings = load_settings()
    today = _day(as_of, "--as-of")
    governance = _governance(settings)
    engine = engine_for(settings)
    try:
        if dry_run:
            with cli_session(settings) as session:
                plan, items = preview_reminders(
                    session, governance=governance, app_url=settings.app_url, today=today
                )
            rows = [
                [
                    item.reminder.rule,
                    item.reminder.recipient_email,
                    str(item.reminder.action_count),
                    ", ".join(r.reference for r in item.reminder.risks),
                    "would send" if item.would_send else f"already {item.outbox_state}",
                    item.subject,
                ]
                for item in items
            ]
            echo_table(["rule", "to", "actions", "risks", "outcome", "subject"], rows)
            new = sum(item.would_send for item in items)
            typer.echo(f"dry run for {today}: {new} e-mails would be sent; nothing was sent")
        else:
            queued = queue_due_reminders(
                engine,
                governance=governance,
                app_url=settings.app_url,
                today=today,
                now=clock.now(),
                rules=ALL_RULES,
            )
            plan = queued.plan
            typer.echo(
                f"{today}: {len(plan.reminders)} reminders due, {queued.added} queued, "
                f"{queued.already_queued} already queued earlier"
            )
            _send(settings, governance)
    except DB_ERRORS as exc:
        _db_failure(exc)
    for note in plan.notes:
        typer.echo(f"note: {note}", err=True)


def _send(settings: Settings, governance: GovernanceConfig) -> None:
    try:
        transport = build_transport(settings)
    except ValueError as exc:
        fail(f"cannot send mail: {exc}")
    report = send_queued_mail(
        engine_for(settings),
        settings=settings,
        transport=transport,
        reply_to=str(governance.partnership.contact_email),
    )
    close = getattr(transport, "close", None)
    if callable(close):
        close()
    _print_dispatch(report)
    if not report.did_anything:
        _explain_waiting(settings)


def _explain_waiting(settings: Settings) -> None:
    """Say why nothing went although messages wait: they are held until a retry time."""
    now = clock.now()
    zone = partnership_zone(settings)
    with cli_session(settings) as session:
        summary = summarise_pending(session, now=now)
    if not summary.pending:
        return
    line = f"{summary.pending} message{'' if summary.pending == 1 else 's'} pending"
    if summary.next_attempt_at is not None:
        local = summary.next_attempt_at.astimezone(zone)
        same_day = local.date() == now.astimezone(zone).date()
        line += f", waiting to retry until {local:%H:%M}" + (
            "" if same_day else f" on {local:%d/%m/%Y}"
        )
    if summary.last_error:
        line += f" (last error: {_clip(summary.last_error, EXPLAINED_ERROR)})"
    typer.echo(line)


@outbox_app.command("list")
def outbox_list(
    state: Annotated[str | None, typer.Option(help=f"one of {', '.join(STATES)}")] = None,
    rule: Annotated[str | None, typer.Option(help="update_request, chaser, ...")] = None,
    limit: Annotated[int, typer.Option(help="at most this many, newest first")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="print a JSON list")] = False,
) -> None:
    """Queued, sent and failed e-mail, newest first."""
    settings = load_settings()
    try:
        with cli_session(settings) as session:
            entries = list_outbox(
                session, actor=operator("tracker outbox list"), state=state, rule=rule, limit=limit
            )
            counts = count_outbox(session)
    except ValueError as exc:
        fail(str(exc))
    except DB_ERRORS as exc:
        _db_failure(exc)
    if as_json:
        payload = [
            {
                "id": e.id,
                "rule": e.rule,
                "to": e.recipient_email,
                "subject": e.subject,
                "state": e.state,
                "attempts": e.attempts,
                "last_error": e.last_error,
                "created_at": e.created_at.isoformat(),
                "sent_at": e.sent_at.isoformat() if e.sent_at else None,
            }
            for e in entries
        ]
        typer.echo(json.dumps(payload, indent=2))
        return
    rows = [
        [
            str(e.id),
            e.state,
            str(e.attempts),
            e.rule,
            e.recipient_email,
            e.subject[:60],
            _clip(e.last_error, LISTED_ERROR),
        ]
        for e in entries
    ]
    echo_table(["id", "state", "tries", "rule", "to", "subject", "last error"], rows)
    typer.echo(", ".join(f"{state} {n}" for state, n in counts.items()))
    for entry in entries:
        if entry.state == "failed" and entry.last_error:
            typer.echo(f"{entry.id}: {entry.last_error}", err=True)


@outbox_app.command("send")
def outbox_send() -> None:
    """Send every queued message that is due now."""
    settings = load_settings()
    try:
        _send(settings, _governance(settings))
    except DB_ERRORS as exc:
        _db_failure(exc)


@outbox_app.command("retry")
def outbox_retry(
    ids: Annotated[list[int] | None, typer.Argument(help="ids of failed messages")] = None,
    all_failed: Annotated[bool, typer.Option("--all-failed", help="every failed message")] = False,
    send: Annotated[bool, typer.Option(help="send them straight away")] = True,
) -> None:
    """Queue failed messages again (each gets a fresh set of attempts)."""
    settings = load_settings()
    try:
        with cli_session(settings, write=True) as session:
            retried = retry_failed(
                session,
                actor=operator("tracker outbox retry"),
                now=clock.now(),
                ids=ids or (),
                all_failed=all_failed,
            )
    except ValueError as exc:
        fail(str(exc))
    except DB_ERRORS as exc:
        _db_failure(exc)
    typer.echo(
        f"queued again: {len(retried)}" + (f" ({', '.join(map(str, retried))})" if retried else "")
    )
    if retried and send:
        _send(settings, _governance(settings))


@app.command()
def scheduler(
    show_next: Annotated[
        bool, typer.Option("--next", help="list the next runs and exit; start nothing")
    ] = False,
) -> None:
    """Run the scheduler (reminders, digests, sending): one per database, until stopped."""
    from jobs.schedule import build_job_specs, next_runs
    from jobs.scheduler import run_scheduler

    settings = load_settings()
    governance = _governance(settings)
    if show_next:
        runs = next_runs(build_job_specs(governance), now=clock.now(), per_job=2)
        echo_table(["next run", "job"], [[f"{r.at:%a %d %b %Y %H:%M %Z}", r.name] for r in runs])
        return
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        run_scheduler(settings)
    except TrackerError:
        raise  # reported in one place, like every command's (another scheduler: exit 5)
    except DB_ERRORS as exc:
        _db_failure(exc)
    except (ValueError, RuntimeError) as exc:
        fail(f"the scheduler cannot start: {exc}")

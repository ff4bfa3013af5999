"""``tracker feedback``: "you said, we did" from the command line, as the operator.

``list`` prints the entries (``--json`` one JSON array, ``--status`` and ``--priority`` narrow
it); ``add`` records one entry and prints its reference; ``import FILE.xlsx`` checks a
spreadsheet of entries and lists every problem by row and column, storing nothing unless given
``--commit``, and then all of it or nothing. The operator is named in the audit trail by their
login.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from tracker.commands import app
from tracker.commands.common import (
    cli_session,
    cli_today,
    echo_table,
    fail,
    load_settings,
    operator,
    parse_day,
)
from tracker.formatting import format_date
from tracker.permissions import Actor
from tracker.services.feedback import (
    FeedbackFilter,
    FeedbackForm,
    FeedbackRow,
    add_feedback,
    import_feedback,
    list_feedback,
    read_status,
    status_label,
)
from tracker.spreadsheets import MAX_BYTES

feedback_app = typer.Typer(
    help='"You said, we did": list, add and import entries.', no_args_is_help=True
)
app.add_typer(feedback_app, name="feedback")


def _operator() -> Actor:
    return operator("tracker feedback")


def _as_json(row: FeedbackRow) -> dict[str, object]:
    return {
        "reference": row.reference,
        "said": row.said,
        "source": row.source,
        "heard_on": row.heard_on.isoformat() if row.heard_on else None,
        "we_did": row.we_did,
        "impact": row.impact,
        "status": row.status,
        "owner": row.owner,
        "priorities": list(row.priorities),
        "actions": list(row.actions),
        "published": row.published,
    }


@feedback_app.command("list")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON array")] = False,
    status: Annotated[
        str | None, typer.Option("--status", help="open, in_progress, done or closed")
    ] = None,
    priority: Annotated[int | None, typer.Option("--priority", help="a priority number")] = None,
) -> None:
    """Every entry, in reference order."""
    wanted = None
    if status is not None:
        wanted = read_status(status)
        if wanted is None:
            fail(f"--status: {status!r} is not a status (open, in_progress, done, closed)")
    with cli_session(load_settings()) as session:
        rows = list_feedback(
            session, actor=_operator(), filters=FeedbackFilter(status=wanted, priority=priority)
        )
    if as_json:
        typer.echo(json.dumps([_as_json(r) for r in rows], indent=2))
        return
    if not rows:
        typer.echo("no entries")
        return
    echo_table(
        ["ref", "status", "source", "heard on", "you said", "links"],
        [
            [
                r.reference,
                status_label(r.status),
                r.source[:30],
                format_date(r.heard_on) if r.heard_on else "",
                r.said.replace("\n", " ")[:60],
                "; ".join([*(f"Priority {n}" for n in r.priorities), *r.actions]),
            ]
            for r in rows
        ],
    )


@feedback_app.command("add")
def add_command(
    said: Annotated[str, typer.Option("--said", help="what families or young people said")],
    source: Annotated[str, typer.Option("--source", help="who said it (PCF, POWAR, a survey)")],
    heard_on: Annotated[
        str | None, typer.Option("--heard-on", help="when it was heard, YYYY-MM-DD")
    ] = None,
    we_did: Annotated[str | None, typer.Option("--we-did", help="what was done")] = None,
    impact: Annotated[str | None, typer.Option("--impact", help="the difference made")] = None,
    status: Annotated[
        str, typer.Option("--status", help="open, in_progress, done or closed")
    ] = "open",
    priority: Annotated[
        list[int] | None, typer.Option("--priority", help="a linked priority (repeatable)")
    ] = None,
    action: Annotated[
        list[str] | None, typer.Option("--action", help="a linked action (repeatable)")
    ] = None,
) -> None:
    """Add an entry; prints its reference."""
    form = FeedbackForm(
        said=said,
        source=source,
        heard_on=parse_day(heard_on, option="--heard-on") if heard_on else None,
        we_did=we_did,
        impact=impact,
        status=status,
        priorities=tuple(priority or ()),
        actions=tuple(action or ()),
    )
    settings = load_settings()
    with cli_session(settings, write=True) as session:
        entry = add_feedback(session, actor=_operator(), form=form, today=cli_today(settings))
        reference = entry.reference
    typer.echo(f"{reference}: {said.strip()[:70]}")


@feedback_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="a spreadsheet of entries (.xlsx or .csv)")],
    commit: Annotated[
        bool, typer.Option("--commit", help="store the entries (default: a dry run)")
    ] = False,
) -> None:
    """Check a spreadsheet of entries; with --commit store them all, or none on any problem.

    Columns: You said, Source, Heard on, We did, Impact, Status, Priorities, Actions.
    """
    try:
        if file.stat().st_size > MAX_BYTES:
            fail(f"{file.name} is over {MAX_BYTES // (1024 * 1024)} MB")
        data = file.read_bytes()
    except FileNotFoundError:
        fail(f"{file}: no such file")
    except OSError as exc:
        fail(f"{file}: cannot be read ({exc.strerror})")
    settings = load_settings()
    with cli_session(settings, write=commit) as session:
        report = import_feedback(
            session,
            actor=_operator(),
            data=data,
            filename=file.name,
            today=cli_today(settings),
            commit=commit,
        )
    for problem in report.problems:
        typer.echo(f"{file.name}: {problem}", err=True)
    if report.problems:
        fail(
            f"{len(report.problems)} problem(s) in {file.name}; nothing was imported",
            code=1,
        )
    for row in report.rows:
        typer.echo(f"row {row.row}: {row.reference} {(row.form.said or '')[:60]}")
    if report.committed:
        typer.echo(f"imported {len(report.rows)} entries from {file.name}")
    else:
        typer.echo(
            f"dry run: {len(report.rows)} entries would be imported; nothing was stored "
            "(add --commit to import)"
        )

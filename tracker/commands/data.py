"""Getting data in and out: ``tracker import``, ``export``, ``backup`` and ``restore``.

``import`` is a dry run unless ``--commit``: it prints what would be created, updated and left
alone and every problem with its row, column and value, and exits 1 when there are problems
(unless ``--commit --skip-invalid`` wrote the valid rows). Imports and exports act as a named
person (``--as EMAIL``) so the same permissions and audit trail apply as in the app; without
``--as`` they act as the first active administrator, whose name is printed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from tracker.commands import app
from tracker.commands.common import cli_session, database_failure, fail, load_settings, parse_day
from tracker.config import Settings
from tracker.formatting import plural
from tracker.governance import GovernanceConfig, GovernanceError, current_governance
from tracker.models import Person, PersonRole, Role
from tracker.permissions import Actor
from tracker.safety.files import write_private_file
from tracker.services.operations import backup_database, restore_database
from tracker.services.people import UnknownPerson, actor_for_email, build_actor
from tracker.services.plans import (
    FORMATS,
    ImportReport,
    PlannedAction,
    RowError,
    export_history,
    export_register,
    import_plan,
)

ActingAs = Annotated[
    str | None,
    typer.Option("--as", help="e-mail of the person acting (default: the first administrator)"),
]
SHOWN_CHANGE = 45


def _acting(session: Session, email: str | None) -> Actor:
    if email:
        try:
            return actor_for_email(session, email)
        except UnknownPerson:
            fail(f"--as: no person with e-mail {email!r}")
    admin = session.exec(
        select(Person)
        .join(PersonRole, col(PersonRole.person_id) == col(Person.id))
        .where(PersonRole.role == Role.ADMINISTRATOR.value, col(Person.active))
        .order_by(col(Person.id))
    ).first()
    if admin is None:
        fail("no active administrator in the database: give --as EMAIL of one")
    return build_actor(session, admin)


def _short(text: str | None, limit: int = SHOWN_CHANGE) -> str:
    if text is None:
        return "(blank)"
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _echo_actions(heading: str, actions: tuple[PlannedAction, ...]) -> None:
    if not actions:
        return
    typer.echo(f"\n{heading} ({len(actions)}):")
    for action in actions:
        typer.echo(f"  row {action.row:<5} {action.reference:<8} {_short(action.title, 70)}")
        if action.outcome == "update":
            for change in action.changes:
                typer.echo(f"      {change.field}: {_short(change.old)} -> {_short(change.new)}")


def _echo_sheets(report: ImportReport) -> None:
    if len(report.sheets) <= 1 and not report.skipped_sheets:
        typer.echo(
            f"{report.filename}: sheet '{report.sheet_name}', header on row {report.header_row}"
        )
        for sheet in report.sheets:
            typer.echo(f"{sheet.rows_read} rows read, {sheet.actions_found} actions found")
        return
    typer.echo(
        f"{report.filename}: {plural(len(report.sheets), 'sheet')} read, "
        f"{len(report.skipped_sheets)} skipped"
    )
    for sheet in report.sheets:
        named = f", priority {sheet.priority} from its name" if sheet.priority else ""
        typer.echo(
            f"  '{sheet.name}' (header on row {sheet.header_row}{named}): {sheet.rows_read} rows "
            f"read, {sheet.actions_found} actions found, {plural(sheet.problems, 'problem')}"
        )
    if report.skipped_sheets:
        typer.echo("Sheets skipped:")
        for skipped in report.skipped_sheets:
            typer.echo(f"  '{skipped.name}': {skipped.reason}")


def _echo_by_sheet(heading: str, items: tuple[RowError, ...]) -> None:
    if not items:
        return
    typer.echo(f"\n{heading} ({len(items)}):")
    sheet: str | None = None
    for item in items:
        if item.sheet and item.sheet != sheet:
            sheet = item.sheet
            typer.echo(f"  Sheet '{sheet}':")
        indent = "    " if item.sheet else "  "
        typer.echo(f"{indent}{item.describe(with_sheet=False)}")


def _echo_risks(report: ImportReport) -> None:
    if not report.has_risk_sheet:
        return
    create, update = report.risks_with("create"), report.risks_with("update")
    unchanged = report.risks_with("unchanged")
    refused = len(report.risks) - len(create) - len(update) - len(unchanged)
    typer.echo(
        f"\nRisks sheet: {plural(len(report.risks), 'risk')}: {len(create)} to create, "
        f"{len(update)} to update, {len(unchanged)} unchanged"
        + (f", {refused} with problems" if refused else "")
    )
    for risk in (*create, *update):
        verb = "new" if risk.outcome == "create" else "rescored" if risk.rescored else "changed"
        typer.echo(f"  row {risk.row:<5} {risk.reference:<8} {_short(risk.title, 60)} ({verb})")
        if risk.outcome == "update":
            for change in risk.changes:
                typer.echo(f"      {change.field}: {_short(change.old)} -> {_short(change.new)}")


def _echo_report(report: ImportReport) -> None:
    _echo_sheets(report)
    if report.ignored_columns:
        typer.echo(f"Columns ignored: {', '.join(report.ignored_columns)}")
    total = len(report.actions) + len(report.refused_places)
    typer.echo(
        f"{total} actions: {len(report.created)} to create, {len(report.updated)} to update, "
        f"{len(report.unchanged)} unchanged; {len(report.problems)} problems"
        + (f" in {len(report.problem_places)} rows" if report.problems else "")
    )
    _echo_actions("To create", report.created)
    _echo_actions("To update", report.updated)
    if report.unchanged:
        typer.echo(f"\nUnchanged ({len(report.unchanged)}):")
        typer.echo("  " + ", ".join(action.reference for action in report.unchanged))
    _echo_risks(report)
    if report.people:
        typer.echo(f"\nPeople to create ({len(report.people)}):")
        for person in report.people:
            where = f", {person.organisation}" if person.organisation else ""
            typer.echo(f"  {person.name} <{person.email}>{where} (first on row {person.row})")
    _echo_by_sheet("Problems", report.problems)
    _echo_by_sheet("How cells were read", report.notes)


def _places(places: tuple[tuple[str, int], ...]) -> str:
    by_sheet: dict[str, list[str]] = {}
    for sheet, row in places:
        by_sheet.setdefault(sheet, []).append(str(row))
    return "; ".join(
        (f"'{sheet}' {'row' if len(rows) == 1 else 'rows'} " if sheet else "") + ", ".join(rows)
        for sheet, rows in by_sheet.items()
    )


def _echo_outcome(report: ImportReport, *, commit: bool) -> None:
    if report.committed:
        typer.echo(
            f"\nImported: {len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.people)} people added."
        )
        if report.has_risk_sheet:
            typer.echo(
                f"Risks: {len(report.risks_with('create'))} created, "
                f"{len(report.risks_with('update'))} updated, "
                f"{len(report.risks_with('unchanged'))} unchanged."
            )
        if report.refused_places:
            typer.echo(f"Skipped rows with problems: {_places(report.refused_places)}")
        if report.kept_places:
            typer.echo(
                "Imported keeping the current due date (it named no day): "
                + _places(report.kept_places)
            )
    elif commit:
        typer.echo(
            "\nNothing was written: fix the problems above, or add --skip-invalid to import "
            "the other rows."
        )
    else:
        typer.echo("\nDry run: nothing was written. Add --commit to import.")


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="the action plan: .xlsx or .csv")],
    commit: Annotated[bool, typer.Option("--commit", help="write it (default: dry run)")] = False,
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="with --commit, write the valid rows")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    sheet: Annotated[
        list[str] | None,
        typer.Option("--sheet", help="read only this sheet (repeat for more; default: all)"),
    ] = None,
    acting_as: ActingAs = None,
) -> None:
    """Import an action plan spreadsheet: a dry run unless --commit."""
    settings = load_settings()
    governance = _governance(settings)
    if not file.is_file():
        fail(f"{file}: no such file")
    try:
        with cli_session(settings, write=commit) as session:
            actor = _acting(session, acting_as)
            if not as_json:
                typer.echo(f"Acting as {actor.label}")
            report = import_plan(
                session,
                actor=actor,
                source=file,
                filename=file.name,
                commit=commit,
                skip_invalid=skip_invalid,
                sheets=tuple(sheet or ()),
                governance=governance,
            )
    except OperationalError as error:
        database_failure(error, settings, doing="use the database (has `tracker init` been run?)")
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
    else:
        _echo_report(report)
        _echo_outcome(report, commit=commit)
    if report.problems and not report.committed:
        raise typer.Exit(1)


def _governance(settings: Settings) -> GovernanceConfig | None:
    try:
        return current_governance(settings.governance_file)
    except GovernanceError as error:
        typer.echo(f"warning: {error}; using the standard RAG colours", err=True)
        return None


def _write_file(path: Path, content: bytes) -> None:
    """Write privately beside the target, then rename: nobody sees a half-written file."""
    try:
        write_private_file(path, content)
    except OSError as exc:
        fail(f"cannot write {path}: {exc}")


def _export_format(file: Path, given: str | None) -> str:
    suffix = file.suffix.lower().lstrip(".")
    if given is not None:
        if given not in FORMATS:
            fail(f"--format: {given!r} is not one of {', '.join(FORMATS)}")
        if suffix in FORMATS and suffix != given:
            fail(f"{file.name} ends .{suffix} but --format is {given}")
        return given
    if suffix not in FORMATS:
        fail(f"{file.name}: name it .xlsx or .csv, or give --format")
    return suffix


@app.command()
def export(
    file: Annotated[Path, typer.Argument(help="where to write: .xlsx or .csv")],
    history: Annotated[
        bool, typer.Option("--history", help="every update, not the register")
    ] = False,
    fmt: Annotated[
        str | None, typer.Option("--format", help="xlsx or csv (default: from FILE)")
    ] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD (default today)")] = None,
    acting_as: ActingAs = None,
) -> None:
    """Export the action register (or with --history every update) as .xlsx or .csv."""
    settings = load_settings()
    kind = _export_format(file, fmt)
    today = parse_day(as_of, option="--as-of")
    governance = _governance(settings)
    cycle_days = governance.update_cycle.default_cycle_days if governance else 42
    export_file = export_history if history else export_register
    try:
        with cli_session(settings, write=True) as session:
            actor = _acting(session, acting_as)
            result = export_file(
                session,
                actor=actor,
                today=today,
                fmt=kind,
                governance=governance,
                default_cycle_days=cycle_days,
            )
    except OperationalError as error:
        database_failure(error, settings, doing="read the database (has `tracker init` been run?)")
    _write_file(file, result.content)
    what = "updates" if history else "actions"
    typer.echo(f"Wrote {result.rows} {what} to {file}")


@app.command()
def backup(
    file: Annotated[Path, typer.Argument(help="the backup file to write")],
    force: Annotated[bool, typer.Option("--force", help="replace FILE if it exists")] = False,
) -> None:
    """Make a consistent copy of the database while the app runs (SQLite or pg_dump)."""
    settings = load_settings()
    report = backup_database(settings.database_url, file, overwrite=force)
    typer.echo(f"Backed up the {report.kind} database to {file} ({report.size_bytes:,} bytes)")
    if settings.evidence_dir is not None:
        # Evidence in a file store lives outside the database, so outside this backup.
        typer.echo(
            f"Evidence files kept in the file store {settings.evidence_dir} "
            "(TRACKER_EVIDENCE_DIR) are not in this backup: back up that folder too."
        )


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="a file made by `tracker backup`")],
    force: Annotated[
        bool, typer.Option("--force", help="replace a database that already holds data")
    ] = False,
) -> None:
    """Restore a backup into an empty database (stop the app first), then migrate it."""
    settings = load_settings()
    try:
        report = restore_database(settings.database_url, file, force=force)
    except OperationalError as error:
        database_failure(error, settings, doing="open the database")
    counts = report.row_counts
    typer.echo(
        f"Restored {file} ({report.kind}): {counts.get('action', 0)} actions, "
        f"{counts.get('action_update', 0)} updates, {counts.get('person', 0)} people; "
        f"schema at revision {report.revision}"
        + ("; the data that was there has been replaced" if report.replaced_data else "")
    )

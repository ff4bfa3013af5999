"""Core commands: init, run, check, status."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import OperationalError

from tracker.commands import app
from tracker.commands.common import (
    cli_session,
    cli_today,
    database_failure,
    engine_for,
    fail,
    load_settings,
    parse_day,
    refuse_unready_production,
)
from tracker.db import mask_url
from tracker.demo import DEFAULT_SEED, DemoRefused, build_demo
from tracker.governance import GovernanceError, current_governance, load_governance
from tracker.seed import seed_strategy
from tracker.services.operations import initialise_database, status_summary
from tracker.services.papers import check_paper_settings

UI_ENTRY = Path(__file__).resolve().parent.parent / "ui" / "app.py"


def _initialise(quiet: bool = False) -> None:
    settings = load_settings()
    try:
        report = initialise_database(
            engine_for(settings), governance_file=settings.governance_file, seed=seed_strategy
        )
    except OperationalError as exc:
        database_failure(exc, settings, doing="open the database")
    if quiet:
        return
    if not report.changed:
        typer.echo("Database is up to date; nothing changed.")
        return
    for label, counts in (
        ("created", {**report.governance.created, **report.seed.created}),
        ("updated", report.governance.updated),
    ):
        if counts:
            parts = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
            typer.echo(f"{label}: {parts}")


@app.command()
def init(
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="also build a demonstration: a year of invented history up to today "
            "(refused on a database holding real work)",
        ),
    ] = False,
    seed: Annotated[int, typer.Option(help="the demonstration's random seed")] = DEFAULT_SEED,
) -> None:
    """Create or upgrade the database, load governance.yaml and seed the strategy."""
    _initialise(quiet=demo)
    if demo:
        _build_demo(seed)


def _build_demo(seed: int) -> None:
    settings = load_settings()
    try:
        governance = load_governance(settings.governance_file)
        with cli_session(settings, write=True) as session:
            report = build_demo(
                session,
                governance=governance,
                governance_file=settings.governance_file,
                today=cli_today(settings),
                seed=seed,
            )
    except DemoRefused as exc:
        fail(f"no demonstration built: {exc}")
    if report.already_demo:
        typer.echo(
            f"{mask_url(settings.database_url)} is already a demonstration database "
            "(delete the file to build a fresh one)."
        )
        return
    typer.echo(
        f"Demonstration database built ({mask_url(settings.database_url)}): "
        f"{report.updates} updates, {report.measure_values} measure values, "
        f"{report.papers} board papers, {report.escalations} escalations, "
        f"{report.risk_scorings} risk scorings, {report.evidence_files} evidence files."
    )


@app.command()
def check(
    file: Annotated[
        Path | None, typer.Argument(help="governance file (default: the one in force)")
    ] = None,
) -> None:
    """Validate a governance file without touching the database (and, in production, the
    settings and the sign-in secrets)."""
    settings = load_settings()
    path = file or settings.governance_file
    try:
        config = load_governance(path)
    except GovernanceError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    # Paper templates and section lists are only used when a paper is made: check them now.
    paper_problems = check_paper_settings(config, governance_file=path)
    if paper_problems:
        for problem in paper_problems:
            typer.echo(f"{path}: {problem}", err=True)
        raise typer.Exit(1)
    refuse_unready_production(settings, directory=Path.cwd())
    meetings = sum(len(config.meeting_cycles(b)) for b in config.bodies)
    typer.echo(
        f"{path}: OK ({len(config.bodies)} bodies, {len(config.workstreams)} workstreams, "
        f"{len(config.people)} people, {meetings} meetings)"
    )


@app.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD (default today)")] = None,
) -> None:
    """Counts of priorities, actions, measures, RAG, overdue and not updated."""
    settings = load_settings()
    today = parse_day(as_of, option="--as-of")
    try:
        cycle_days = current_governance(settings.governance_file).update_cycle.default_cycle_days
    except GovernanceError:
        cycle_days = 42
    try:
        with cli_session(settings) as session:
            summary = status_summary(
                session,
                database_url=settings.database_url,
                today=today,
                default_cycle_days=cycle_days,
            )
    except OperationalError as exc:
        database_failure(exc, settings, doing="read the database (has `tracker init` been run?)")
    if as_json:
        typer.echo(json.dumps(summary))
        return
    for key, value in summary.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items())
        typer.echo(f"{key.replace('_', ' '):<12} {value}")


@app.command()
def run(
    port: Annotated[int, typer.Option(help="port to serve on")] = 8501,
    address: Annotated[str, typer.Option(help="address to bind")] = "127.0.0.1",
) -> None:
    """Initialise the database if needed and start the web app."""
    settings = load_settings()
    # Streamlit is started in this directory and reads .streamlit/secrets.toml from it.
    refuse_unready_production(settings, directory=Path.cwd())
    _initialise(quiet=True)
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(UI_ENTRY),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        # Streamlit refuses larger uploads before they reach the app: the evidence file limit.
        "--server.maxUploadSize",
        str(settings.evidence_max_mb),
    ]
    typer.echo(f"Serving on http://{address}:{port} (database {mask_url(settings.database_url)})")
    sys.stdout.flush()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    # Become Streamlit rather than wait on it, so a signal to this process stops the server.
    os.execve(sys.executable, command, env)  # noqa: S606  (fixed argv, no shell)

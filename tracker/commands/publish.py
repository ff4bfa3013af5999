"""``tracker publish [DIR]``: write the public progress site, as the operator.

The site goes into DIR (default ``TRACKER_PUBLISH_DIR``, else ``./site``): written into a new
folder beside it and swapped in at once, the version it replaces kept as ``DIR.previous``. Only
what is marked for the public appears (see ``tracker.services.publishing``); the audit trail
records who published, when, and which actions, values and entries went out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import OperationalError, ProgrammingError

from tracker.commands import app
from tracker.commands.common import (
    cli_session,
    cli_today,
    database_failure,
    load_settings,
    operator,
)
from tracker.formatting import format_timestamp
from tracker.governance import load_governance
from tracker.services.publishing import publish_site


@app.command("publish")
def publish(
    directory: Annotated[
        Path | None,
        typer.Argument(help="the site's folder (default: TRACKER_PUBLISH_DIR, else ./site)"),
    ] = None,
) -> None:
    """Write the public progress site (HTML and CSS) into DIR, keeping the previous version."""
    settings = load_settings()
    governance = load_governance(settings.governance_file)
    target = directory or settings.publish_dir or Path("site")
    try:
        with cli_session(settings, write=True) as session:
            report = publish_site(
                session,
                operator("tracker publish"),
                target,
                config=governance,
                today=cli_today(settings),
            )
    except (OperationalError, ProgrammingError) as exc:
        database_failure(exc, settings, doing="use the database (has `tracker init` been run?)")
    typer.echo(str(report.directory))
    typer.echo(
        f"{len(report.pages)} pages: {report.actions} actions, {report.measure_values} measure "
        f"values, {report.feedback} 'you said, we did' entries; published "
        f"{format_timestamp(report.published_at)}, sha256 {report.checksum}"
    )
    if report.previous is not None:
        typer.echo(f"the previous version is kept in {report.previous}")

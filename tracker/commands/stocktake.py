"""``tracker stocktake``: the DfE/NHS England stocktake pack for a period, as one zip.

The pack is made exactly as the Stocktake page makes it (the same service), recorded and
audited as made by "tracker stocktake", and written to ``-o``. The period defaults to the day
after the last stocktake's period (three months back before the first) up to today. A date
that is not a date, a period that ends before it starts or ends in the future, and a ``-o``
that cannot be written are refused before anything is read.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import OperationalError, ProgrammingError

from tracker.commands import app
from tracker.commands.common import (
    database_failure,
    engine_for,
    fail,
    load_settings,
    operator,
)
from tracker.errors import InvalidInput
from tracker.formatting import format_long_date
from tracker.governance import load_governance
from tracker.services.stocktake import PeriodInvalid, check_output, generate_stocktake


def _day(option: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        fail(f"{option}: {value!r} is not a date (use YYYY-MM-DD, e.g. 2026-09-01)")


@app.command()
def stocktake(
    output: Annotated[
        Path,
        typer.Option("-o", "--output", help="the zip to write, e.g. pack.zip"),
    ],
    period_from: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="first day YYYY-MM-DD (default: the day after the last stocktake's period, "
            "or three months back)",
        ),
    ] = None,
    period_to: Annotated[
        str | None, typer.Option("--to", help="last day YYYY-MM-DD (default: today)")
    ] = None,
) -> None:
    """Make the stocktake pack (report, evidence files, index, measures, audit extract,
    manifest) for a period, record it, and write the zip."""
    settings = load_settings()
    start, end = _day("--from", period_from), _day("--to", period_to)
    if start and end and start > end:
        fail(f"--from {start.isoformat()} is after --to {end.isoformat()}")
    try:
        check_output(output)
    except InvalidInput as exc:
        fail(f"-o: {exc}")
    governance = load_governance(settings.governance_file)
    try:
        pack = generate_stocktake(
            engine_for(settings),
            actor=operator("tracker stocktake"),
            governance=governance,
            output=output,
            period_from=start,
            period_to=end,
            evidence_dir=settings.evidence_dir,
        )
    except PeriodInvalid as exc:
        fail(f"{'--from' if 'period_from' in exc.fields else '--to'}: {exc}")
    except (OperationalError, ProgrammingError) as exc:
        database_failure(exc, settings, doing="use the database (has `tracker init` been run?)")
    counts = pack.counts
    typer.echo(str(pack.path))
    typer.echo(
        f"Stocktake {format_long_date(pack.period_from)} to {format_long_date(pack.period_to)}: "
        f"{len(pack.entries)} files ({counts.get('evidence_files', 0)} evidence), "
        f"{pack.size_bytes:,} bytes, sha256 {pack.sha256}"
    )
    if pack.pdf_note:
        typer.echo(pack.pdf_note)

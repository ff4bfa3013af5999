"""``tracker paper``: generate a board's paper for a meeting, store it and write the .docx.

The paper is generated exactly as the Board papers page generates it (the same service), stored
as the next version for that meeting and recorded as made by "tracker paper", then written to
``-o`` (a file, or a folder to put it in) or to the current folder under its own name. With
``-o FILE.pdf`` the tagged PDF is made through LibreOffice, stored beside the .docx and written
instead (refused, naming the package, where LibreOffice is not installed). An
unknown board lists the boards that have papers; a date that is not one of the board's meetings
names the nearest meetings before and after it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import OperationalError, ProgrammingError

from tracker.commands import app
from tracker.commands.common import (
    cli_session,
    database_failure,
    fail,
    load_settings,
    operator,
)
from tracker.governance import load_governance
from tracker.papers.pdf import LibreOfficeConverter
from tracker.papers.text import format_long_date
from tracker.safety.files import write_private_file
from tracker.services.papers import generate_paper, pdf_filename


def _meeting_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"--meeting: {value!r} is not a date (use YYYY-MM-DD, e.g. 2026-03-17)")


def _check_output(output: Path | None) -> None:
    """Refuse an output nobody could write to before a paper is generated and stored."""
    if output is not None and not output.is_dir() and not output.parent.is_dir():
        fail(f"-o: the folder {output.parent} does not exist")


def _target(output: Path | None, filename: str) -> Path:
    if output is None:
        return Path.cwd() / filename
    return output / filename if output.is_dir() else output


@app.command()
def paper(
    board: Annotated[
        str,
        typer.Argument(
            help='the board: its name, short name or key, e.g. "SEND Improvement Board"'
        ),
    ],
    meeting: Annotated[
        str | None,
        typer.Option(help="meeting date YYYY-MM-DD (default: the next meeting on or after today)"),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="file to write (FILE.pdf for a tagged PDF), or a folder to write it in",
        ),
    ] = None,
) -> None:
    """Generate a board's paper for a meeting, store it, and write the Word file."""
    settings = load_settings()
    meeting_date = _meeting_date(meeting)
    _check_output(output)
    as_pdf = output is not None and output.suffix.lower() == ".pdf" and not output.is_dir()
    converter = LibreOfficeConverter() if as_pdf else None
    governance = load_governance(settings.governance_file)
    try:
        with cli_session(settings, write=True) as session:
            info = generate_paper(
                session,
                actor=operator("tracker paper"),
                governance=governance,
                governance_file=settings.governance_file,
                board_ref=board,
                meeting_date=meeting_date,
                pdf_converter=converter,
            )
    except (OperationalError, ProgrammingError) as exc:
        database_failure(exc, settings, doing="use the database (has `tracker init` been run?)")
    target = _target(output, pdf_filename(info.filename) if as_pdf else info.filename)
    try:
        write_private_file(target, info.pdf if info.pdf is not None else info.content)
    except OSError as exc:
        fail(
            f"the paper was stored as version {info.version} but {target} cannot be written: {exc}"
        )
    typer.echo(str(target))
    typer.echo(
        f"{info.board_name}, {format_long_date(info.meeting_date)}: version {info.version}, "
        f"{info.size_bytes:,} bytes, sha256 {info.checksum}"
    )

"""What every command shares: settings, the engine, today's date and one-line errors.

``report_error`` is the one place the command line translates the error tree: a
``TrackerError`` from any command becomes ``error: <message>`` on stderr and the exit code of
its kind in ``EXIT_CODES`` (1 for anything a person should correct and try again).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import NoReturn

import typer
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlmodel import Session

from tracker.config import Settings
from tracker.db import get_engine, mask_url, session_scope
from tracker.errors import Conflict, NotAllowed, NotFound, TrackerError

# Exit codes by kind of error, most specific first; 2 is Click's own for a mistyped command.
EXIT_CODES: tuple[tuple[type[TrackerError], int], ...] = (
    (NotAllowed, 3),
    (NotFound, 4),
    (Conflict, 5),
    (TrackerError, 1),
)


def fail(message: str, *, code: int = 1) -> NoReturn:
    """Print one clear line on stderr and exit non-zero."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def exit_code_for(error: TrackerError) -> int:
    return next(code for kind, code in EXIT_CODES if isinstance(error, kind))


def report_error(error: TrackerError) -> NoReturn:
    """Print the error as one line (its message) and exit with the code of its kind."""
    fail(str(error), code=exit_code_for(error))


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"TRACKER_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
            for e in exc.errors()
        )
        fail(f"bad configuration: {problems}")


def engine_for(settings: Settings) -> Engine:
    try:
        return get_engine(settings.database_url)
    except (ArgumentError, NoSuchModuleError, ModuleNotFoundError) as exc:
        fail(
            f"TRACKER_DATABASE_URL {mask_url_safely(settings.database_url)!r} cannot be used "
            f"({exc}); use sqlite:///FILE or postgresql+psycopg://USER:PASSWORD@HOST/DB"
        )


def mask_url_safely(url: str) -> str:
    try:
        return mask_url(url)
    except ArgumentError:
        return "(not a URL)"


@contextmanager
def cli_session(settings: Settings, *, write: bool = False) -> Iterator[Session]:
    with session_scope(engine_for(settings), write=write) as session:
        yield session


def parse_day(value: str | None, *, option: str) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option}: {value!r} is not a date (use YYYY-MM-DD)")


def echo_table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    typer.echo(line)
    typer.echo("  ".join("-" * w for w in widths))
    for row in rows:
        typer.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    sys.stdout.flush()

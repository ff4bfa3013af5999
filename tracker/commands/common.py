"""What every command shares: settings, the engine, today's date and one-line errors.

``report_error`` is the one place the command line translates the error tree: a
``TrackerError`` from any command becomes ``error: <message>`` on stderr and the exit code of
its kind in ``EXIT_CODES`` (1 for anything a person should correct and try again).

Every error line goes through ``fail``, and anything that may quote the database URL goes
through ``describe_database_error`` first, so a password in ``TRACKER_DATABASE_URL`` is never
printed.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import NoReturn
from zoneinfo import ZoneInfo

import typer
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlmodel import Session

from tracker import clock
from tracker.config import Settings
from tracker.db import get_engine, mask_secrets_in, mask_url, session_scope
from tracker.errors import Conflict, NotAllowed, NotFound, TrackerError
from tracker.governance import GovernanceError, current_governance
from tracker.permissions import Actor
from tracker.safety.production import (
    SecretsFileError,
    find_production_problems,
    read_streamlit_secrets,
)

_printed_urls: set[str] = set()


def operator(command: str) -> Actor:
    """The operator running ``command`` ("tracker paper", ...), as the services see them.

    Whoever runs the command line holds the database URL, so the services let them do
    everything; the audit trail names them by their login, e.g. "operator alice (tracker paper)".
    """
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return Actor.for_operator(f"operator {user} ({command})")


# Exit codes by kind of error, most specific first; 2 is Click's own for a mistyped command.
EXIT_CODES: tuple[tuple[type[TrackerError], int], ...] = (
    (NotAllowed, 3),
    (NotFound, 4),
    (Conflict, 5),
    (TrackerError, 1),
)


def fail(message: str, *, code: int = 1) -> NoReturn:
    """Print one clear line on stderr and exit non-zero.

    Whatever the message quotes, the database password of the settings in force is masked.
    """
    for url in _printed_urls:
        message = mask_secrets_in(message, url)
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def exit_code_for(error: TrackerError) -> int:
    return next(code for kind, code in EXIT_CODES if isinstance(error, kind))


def report_error(error: TrackerError) -> NoReturn:
    """Print the error as one line (its message) and exit with the code of its kind."""
    fail(str(error), code=exit_code_for(error))


def load_settings() -> Settings:
    try:
        settings = Settings()
    except ValidationError as exc:
        problems = "; ".join(
            (f"TRACKER_{'_'.join(str(p) for p in e['loc']).upper()}: " if e["loc"] else "")
            + str(e["msg"]).removeprefix("Value error, ")
            for e in exc.errors()
        )
        fail(f"bad configuration: {problems}")
    _printed_urls.add(settings.database_url)
    return settings


def refuse_unready_production(settings: Settings, *, directory: Path | None = None) -> None:
    """In production, exit 1 listing every unsafe setting or secret (one line each, naming the
    key); ``directory`` is where Streamlit will look for ``.streamlit/secrets.toml``."""
    if settings.env != "production":
        return
    try:
        secrets = read_streamlit_secrets(directory or Path.cwd())
    except SecretsFileError as exc:
        fail(str(exc))
    problems = find_production_problems(settings, secrets)
    if not problems:
        return
    for problem in problems:
        typer.echo(f"error: {problem}", err=True)
    fail("refusing to start in production (TRACKER_ENV=production) until these are fixed")


def describe_database_error(exc: BaseException) -> str:
    """The driver's first line about ``exc`` (``fail`` masks any password in it)."""
    orig = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(orig).splitlines() if line.strip()]
    return lines[0] if lines else type(orig).__name__


def database_failure(exc: BaseException, settings: Settings, *, doing: str) -> NoReturn:
    """Exit 1 with one line: what could not be done with the database and why."""
    where = mask_url_safely(settings.database_url)
    fail(f"cannot {doing} ({where}): {describe_database_error(exc)}")


def engine_for(settings: Settings) -> Engine:
    try:
        return get_engine(settings.database_url)
    except (ArgumentError, NoSuchModuleError, ModuleNotFoundError) as exc:
        fail(
            f"TRACKER_DATABASE_URL {mask_url_safely(settings.database_url)!r} cannot be used "
            f"({mask_secrets_in(str(exc), settings.database_url)}); use sqlite:///FILE or postgresql+psycopg://USER:PASSWORD@HOST/DB"
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


def partnership_zone(settings: Settings | None = None) -> ZoneInfo:
    """The partnership's time zone from governance.yaml (the default zone if the file cannot
    be read: the command that needs the file reports that itself)."""
    try:
        config = current_governance((settings or load_settings()).governance_file)
    except GovernanceError:
        return clock.DEFAULT_ZONE
    return config.partnership.zone


def cli_today(settings: Settings | None = None) -> date:
    """Today in the partnership's time zone (or ``TRACKER_TODAY``), not the server's."""
    return clock.today(partnership_zone(settings))


def parse_day(value: str | None, *, option: str) -> date:
    if value is None:
        return cli_today()
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

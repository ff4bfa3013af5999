"""Entry point of the ``tracker`` command: gathers every command module onto one app.

Each module in ``tracker/commands`` registers its commands on the shared Typer ``app`` when
imported, so adding a command area means adding a module there and nothing else.
"""

from __future__ import annotations

import importlib
import os
import pkgutil

import typer
from sqlalchemy.exc import SQLAlchemyError

import tracker.commands
from tracker.commands import app
from tracker.commands.common import describe_database_error, fail

# Files this process creates (the SQLite database and its -wal/-shm, backups, exports, papers,
# outbox messages, the scheduler lock) are readable by their owner only.
PRIVATE_UMASK = 0o077


def _register_commands() -> None:
    for module in pkgutil.iter_modules(tracker.commands.__path__):
        if module.name != "common":
            importlib.import_module(f"tracker.commands.{module.name}")


def main() -> None:
    os.umask(PRIVATE_UMASK)
    _register_commands()
    try:
        app()
    except SQLAlchemyError as exc:
        # A command that met a database it could not use, without its own message for it.
        try:
            fail(f"cannot use the database: {describe_database_error(exc)}")
        except typer.Exit as stop:
            raise SystemExit(stop.exit_code) from None


if __name__ == "__main__":
    main()

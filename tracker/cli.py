"""Entry point of the ``tracker`` command: gathers every command module onto one app.

Each module in ``tracker/commands`` registers its commands on the shared Typer ``app`` when
imported, so adding a command area means adding a module there and nothing else.
"""

from __future__ import annotations

import importlib
import pkgutil

import tracker.commands
from tracker.commands import app


def _register_commands() -> None:
    for module in pkgutil.iter_modules(tracker.commands.__path__):
        if module.name != "common":
            importlib.import_module(f"tracker.commands.{module.name}")


def main() -> None:
    _register_commands()
    app()


if __name__ == "__main__":
    main()

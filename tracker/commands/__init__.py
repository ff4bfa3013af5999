"""The ``tracker`` command line: one Typer app, its commands split by area into modules here.

``tracker.cli`` imports every module so each registers its commands on ``app``.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="tracker",
    help="SEND Partnership Action Tracker: everything an operator does, from one command.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

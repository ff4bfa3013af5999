"""The ``tracker`` command line: one Typer app, its commands split by area into modules here.

``tracker.cli`` imports every module so each registers its commands on ``app``. A
``TrackerError`` that a command does not handle itself is reported by ``report_error``, one
line and the exit code of its kind, for every command alike.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from tracker.commands.common import report_error
from tracker.errors import TrackerError


class _ReportingGroup(TyperGroup):
    def invoke(self, ctx: Any) -> Any:  # typer.Context, from the click typer vendors
        try:
            return super().invoke(ctx)
        except TrackerError as error:
            report_error(error)


app = typer.Typer(
    cls=_ReportingGroup,
    name="tracker",
    help="SEND Partnership Action Tracker: everything an operator does, from one command.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

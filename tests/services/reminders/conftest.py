"""The update-cycle fixtures (tests/reminders/conftest.py) for the service tests kept here."""

from __future__ import annotations

from tests.reminders.conftest import (
    _release_engines,
    app_env,
    db,
    fake_graph,
    governance,
    open_app,
    sleeps,
    smtp_server,
)

__all__ = [
    "_release_engines",
    "app_env",
    "db",
    "fake_graph",
    "governance",
    "open_app",
    "sleeps",
    "smtp_server",
]

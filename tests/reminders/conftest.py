"""Fixtures for the update-cycle tests: the mail tests' SMTP server and fake Graph, the UI's app."""

from __future__ import annotations

import pytest

from tests.mail.conftest import fake_graph, sleeps, smtp_server
from tests.reminders.helpers import load_test_governance
from tests.ui.conftest import _release_engines, app_env, db, open_app
from tracker.governance import GovernanceConfig

__all__ = [
    "_release_engines",
    "app_env",
    "db",
    "fake_graph",
    "open_app",
    "sleeps",
    "smtp_server",
]


@pytest.fixture(scope="session")
def governance() -> GovernanceConfig:
    return load_test_governance()

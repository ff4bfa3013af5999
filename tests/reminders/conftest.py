"""Fixtures for the update-cycle tests: the real SMTP server and fake Graph of the mail tests."""

from __future__ import annotations

import pytest

from tests.mail.conftest import fake_graph, sleeps, smtp_server
from tests.reminders.helpers import load_test_governance
from tracker.governance import GovernanceConfig

__all__ = ["fake_graph", "sleeps", "smtp_server"]


@pytest.fixture(scope="session")
def governance() -> GovernanceConfig:
    return load_test_governance()

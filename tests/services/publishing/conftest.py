"""Shared pieces of the publishing tests: the governance file in force and a site publisher."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.conftest import GOVERNANCE_FILE
from tests.factories import OPERATOR
from tracker.db import session_scope
from tracker.governance import GovernanceConfig, load_governance
from tracker.services.publishing import PublishReport, publish_site

TODAY = date(2026, 10, 1)


@pytest.fixture(scope="session")
def config() -> GovernanceConfig:
    return load_governance(GOVERNANCE_FILE)


def publish(engine: Engine, target: Path, config: GovernanceConfig) -> PublishReport:
    with session_scope(engine, write=True) as session:
        return publish_site(session, OPERATOR, target, config=config, today=TODAY)


def site_text(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())}

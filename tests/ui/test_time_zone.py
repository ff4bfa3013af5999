"""The app shows times in the partnership's time zone: an action's audit trail in New York."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import Engine

from tests.conftest import GOVERNANCE_FILE
from tests.factories import ADMIN, add_update
from tests.ui.conftest import OpenApp

# 03:30 UTC on 10 February 2026 is 22:30 on 9 February in New York.
MOMENT = datetime(2026, 2, 10, 3, 30, tzinfo=UTC)


def test_the_audit_trail_shows_times_in_the_partnerships_zone(
    open_app: OpenApp, db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    new_york = tmp_path / "governance.yaml"
    text = GOVERNANCE_FILE.read_text(encoding="utf-8")
    new_york.write_text(text.replace("timezone: Europe/London", "timezone: America/New_York"))
    monkeypatch.setenv("TRACKER_GOVERNANCE_FILE", str(new_york))
    with time_machine.travel(MOMENT, tick=False):
        add_update(db, "P2.3", rag="amber", commentary="Late evening.", at=MOMENT)

    at = open_app(ADMIN, page="register", action="P2.3")

    trails = [f.value for f in at.dataframe if "Field" in f.value.columns]
    assert trails, "the audit trail is shown to an administrator"
    assert "9 Feb 2026 22:30" in set(trails[0]["When"])
    history = at.dataframe[0].value
    assert list(history["When"]) == ["9 Feb 2026 22:30"]
    assert "9 Feb 2026 by" in " ".join(m.value for m in at.markdown)  # "Last updated", local day

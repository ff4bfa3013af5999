"""Times are shown in the partnership's time zone (governance.yaml ``partnership.timezone``)
everywhere: here a partnership in New York, whose times are not London's or UTC's."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.conftest import GOVERNANCE_FILE
from tests.factories import ADMIN, actor, add_update, owner_of
from tracker import clock
from tracker.db import session_scope
from tracker.governance import GovernanceConfig, load_governance
from tracker.services.actions import ConflictError, UpdateForm, get_action, record_update
from tracker.services.plans import export_history

# 03:30 UTC on 10 February 2026 is 22:30 on 9 February in New York (and 03:30 in London).
MOMENT = datetime(2026, 2, 10, 3, 30, tzinfo=UTC)


@pytest.fixture
def new_york_file(tmp_path: Path) -> Path:
    text = GOVERNANCE_FILE.read_text(encoding="utf-8")
    assert "  timezone: Europe/London\n" in text
    path = tmp_path / "governance.yaml"
    path.write_text(text.replace("  timezone: Europe/London\n", "  timezone: America/New_York\n"))
    return path


@pytest.fixture
def new_york(new_york_file: Path) -> GovernanceConfig:
    return load_governance(new_york_file)


def test_loading_the_file_sets_the_zone_the_clock_gives_today_in(
    new_york: GovernanceConfig,
) -> None:
    assert new_york.partnership.zone.key == "America/New_York"
    with clock.pinned(MOMENT):
        assert clock.today() == date(2026, 2, 9)  # still the evening before in New York
        assert clock.today(clock.DEFAULT_ZONE) == date(2026, 2, 10)


def test_a_conflict_message_gives_the_time_in_the_partnerships_zone(
    sqlite_engine: Engine, new_york: GovernanceConfig
) -> None:
    with session_scope(sqlite_engine) as session:
        seen = get_action(session, "P2.3").version
    add_update(sqlite_engine, "P2.3", rag="amber", commentary="Saved first.", at=MOMENT)

    with session_scope(sqlite_engine, write=True) as session, pytest.raises(ConflictError) as error:
        record_update(
            session,
            actor=owner_of(session, "P2.3"),
            reference="P2.3",
            seen_version=seen,
            form=UpdateForm(rag="green", status="in_progress", commentary="Saved second."),
            now=MOMENT,
        )

    assert "at 9 Feb 2026 22:30 after you opened it" in str(error.value)


def test_the_history_export_gives_times_in_the_partnerships_zone_and_names_it(
    sqlite_engine: Engine, new_york: GovernanceConfig
) -> None:
    add_update(sqlite_engine, "P2.3", rag="amber", commentary="Late evening.", at=MOMENT)

    with session_scope(sqlite_engine, write=True) as session:
        export = export_history(
            session,
            actor=actor(session, ADMIN),
            today=date(2026, 2, 10),
            fmt="csv",
            governance=new_york,
        )
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))

    (row,) = [r for r in rows if r["Commentary"] == "Late evening."]
    assert (row["Update Date"], row["Time (America/New_York)"]) == ("09/02/2026", "22:30")

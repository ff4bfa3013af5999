"""The Stocktake page as an administrator and a secretary use it: the period pickers start at
the default, Generate makes and records the pack, the list shows who made it, when, the period
and the checksum with a download; an impossible period is refused under its field."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from tests.factories import ADMIN, SECRETARY_SIB
from tests.services.stocktake.support import FakePdf
from tests.ui.conftest import OpenApp
from tests.ui.support import button, errors, no_exception, shown
from tracker.db import session_scope
from tracker.models import Stocktake


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "stocktakes"
    monkeypatch.setenv("TRACKER_STOCKTAKE_DIR", str(target))
    # LibreOffice is exercised by the service and command tests; here the PDF is a stand-in.
    monkeypatch.setattr("tracker.services.stocktake._pack.LibreOfficeConverter", FakePdf)
    return target


@pytest.mark.parametrize("who", [ADMIN, SECRETARY_SIB])
def test_generate_makes_records_and_lists_the_pack(
    open_app: OpenApp, db: Engine, folder: Path, who: str
) -> None:
    at = open_app(who, page="stocktake")
    no_exception(at)
    assert at.date_input(key="stocktake.from").value == date(2026, 7, 1)  # three months back
    assert at.date_input(key="stocktake.to").value == date(2026, 10, 1)  # today (pinned)
    assert shown(at, "No stocktake pack has been made yet.")
    button(at, "Generate the stocktake pack").click().run(timeout=120)
    no_exception(at)
    assert shown(at, "is ready")
    with session_scope(db) as session:
        (row,) = session.exec(select(Stocktake)).all()
    assert (row.period_from, row.period_to) == (date(2026, 7, 1), date(2026, 10, 1))
    assert (folder / row.filename).is_file()
    assert shown(at, row.sha256) and shown(at, "(latest)")
    assert [b.label for b in at.get("download_button")] == ["Download"]
    # The next pack starts where this one ended (today, so today alone).
    assert at.date_input(key="stocktake.from").value == date(2026, 10, 1)


def test_a_period_that_ends_before_it_starts_is_refused_under_the_field(
    open_app: OpenApp, db: Engine, folder: Path
) -> None:
    at = open_app(ADMIN, page="stocktake")
    at.date_input(key="stocktake.from").set_value(date(2026, 9, 30))
    at.date_input(key="stocktake.to").set_value(date(2026, 9, 1))
    button(at, "Generate the stocktake pack").click().run(timeout=60)
    no_exception(at)
    assert any("after it ends" in e for e in errors(at))
    with session_scope(db) as session:
        assert session.exec(select(Stocktake)).all() == []
    assert not folder.exists() or not list(folder.iterdir())

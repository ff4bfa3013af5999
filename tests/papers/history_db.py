"""A database with a realistic year of updates, for tests that look at whole papers.

The Lancashire plan as seeded (42 actions, 35 success measures, the governance calendar), then
``bench/scale_data.py`` adds a year and a half of owners' updates with drifting ratings and
commentary, and monthly values for the success measures, up to :data:`UNTIL`. It is built once
per test session as a SQLite file and copied for each test. When ``tracker init --demo`` exists
this is the one place to switch to it: build the demo database in :func:`build_history_database`
instead.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine, delete
from sqlmodel import col, select

from bench.scale_data import fill_database
from tests.conftest import GOVERNANCE_FILE
from tracker.db import make_engine, session_scope
from tracker.governance import load_governance
from tracker.models import MeasureValue, SuccessMeasure
from tracker.papers.boards import BoardMeeting, find_paper_board, list_board_meetings
from tracker.seed import seed_strategy
from tracker.services.operations import initialise_database

UNTIL = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 18, tzinfo=UTC)
BOARDS = ("SOB", "STB", "SIB")
# Measures left without values, so the paper's "no value reported yet" line has something to say.
UNREPORTED = ("M5.1", "M5.2", "M5.3")


@dataclass(frozen=True)
class HistoryDatabase:
    path: Path

    def engine(self, folder: Path) -> Engine:
        copy = folder / "history.db"
        shutil.copyfile(self.path, copy)
        return make_engine(f"sqlite:///{copy}")


def build_history_database(path: Path) -> HistoryDatabase:
    engine = make_engine(f"sqlite:///{path}")
    initialise_database(engine, governance_file=GOVERNANCE_FILE, seed=seed_strategy)
    fill_database(engine, actions=0, updates=700, people=12, until=UNTIL)
    with session_scope(engine, write=True) as session:
        ids = session.exec(
            select(SuccessMeasure.id).where(col(SuccessMeasure.reference).in_(UNREPORTED))
        ).all()
        session.execute(delete(MeasureValue).where(col(MeasureValue.measure_id).in_(ids)))
    engine.dispose()
    return HistoryDatabase(path)


def last_meeting_before(engine: Engine, board: str, moment: datetime = NOW) -> BoardMeeting:
    """The board's latest meeting whose paper deadline has passed at ``moment``."""
    with session_scope(engine) as session:
        found = find_paper_board(session, governance=load_governance(GOVERNANCE_FILE), ref=board)
        meetings = list_board_meetings(session, body_id=found.body_id)
    return [m for m in meetings if m.paper_deadline < moment.date()][-1]

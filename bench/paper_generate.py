"""Benchmark generating a board paper end to end from a large database.

``bench/paper_render.py`` times the renderer alone on a hand-built paper; this times what a
secretary waits for when pressing "Generate": gathering from the database (the register, each
action's position at the paper deadline rebuilt from the update history, movement against the
previous paper's snapshot, the success measures), rendering, and storing the file with its
snapshot. The database is grown by ``bench/scale_data.py`` (default 10,000 actions and 100,000
updates) in a temporary SQLite file, or on PostgreSQL when ``--database-url`` names an empty
scratch database.

For each board it generates the paper for a meeting two months before the last update (its
deadline is in the past, so the history is replayed) and then for the next meeting (movement
measured from the first paper's snapshot), and prints seconds per step and peak memory.

    .venv/bin/python bench/paper_generate.py [--actions 10000] [--updates 100000]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scale_data import fill_database
from tracker.db import make_engine, session_scope
from tracker.governance import load_governance
from tracker.papers.boards import find_paper_board, list_board_meetings
from tracker.papers.gather import gather_board_paper
from tracker.permissions import Actor
from tracker.seed import seed_strategy
from tracker.services.operations import initialise_database
from tracker.services.papers import generate_paper

GOVERNANCE = Path(__file__).resolve().parent.parent / "governance.yaml"
UNTIL = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 18, tzinfo=UTC)
BOARDS = ("SOB", "STB", "SIB")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(url: str, *, actions: int, updates: int) -> None:
    engine = make_engine(url)
    started = time.perf_counter()
    initialise_database(engine, governance_file=GOVERNANCE, seed=seed_strategy)
    report = fill_database(engine, actions=actions, updates=updates, until=UNTIL)
    print(
        f"{report.actions} actions, {report.updates} updates "
        f"(built in {time.perf_counter() - started:.1f} s); peak RSS {_peak_mb():.0f} MB"
    )
    config = load_governance(GOVERNANCE)
    print(
        f"{'board':>6} {'meeting':>11} {'gather s':>9} {'generate s':>11} {'KB':>7} {'RSS MB':>7}"
    )
    for ref in BOARDS:
        with session_scope(engine) as session:
            board = find_paper_board(session, governance=config, ref=ref)
            meetings = [
                m
                for m in list_board_meetings(session, body_id=board.body_id)
                if m.meeting_date < UNTIL
            ]
        for meeting in meetings[-3:-1]:
            with session_scope(engine) as session:
                start = time.perf_counter()
                gather_board_paper(
                    session, governance=config, board=board, meeting=meeting, now=NOW
                )
                gathered_s = time.perf_counter() - start
            with session_scope(engine, write=True) as session:
                start = time.perf_counter()
                info = generate_paper(
                    session,
                    actor=Actor.for_operator("operator (bench)"),
                    governance=config,
                    governance_file=GOVERNANCE,
                    board_ref=board.key,
                    meeting_date=meeting.meeting_date,
                    now=NOW,
                )
                generated_s = time.perf_counter() - start
            print(
                f"{ref:>5} {meeting.meeting_date.isoformat():>11} {gathered_s:>9.2f} "
                f"{generated_s:>11.2f} {info.size_bytes / 1024:>7.0f} {_peak_mb():>7.0f}"
            )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--actions", type=int, default=10_000)
    parser.add_argument("--updates", type=int, default=100_000)
    parser.add_argument("--database-url", help="an empty scratch database (default: temp SQLite)")
    args = parser.parse_args()
    if args.database_url:
        run(args.database_url, actions=args.actions, updates=args.updates)
        return
    with tempfile.TemporaryDirectory() as folder:
        run(f"sqlite:///{folder}/bench.db", actions=args.actions, updates=args.updates)


if __name__ == "__main__":
    main()

"""Benchmark the Improvement Board paper for the Lancashire plan with a year of history.

The seeded plan (42 actions, 35 success measures) with ``bench/scale_data.py``'s updates and
monthly measure values up to late November 2026, in a temporary SQLite file. It times, best of
``--runs``: generating the SEND Improvement Board paper end to end (gather from the database,
render with its charts, store), the renderer alone on the gathered paper, the charts alone; and,
separately, converting the stored .docx to a tagged PDF through LibreOffice (skipped if it is
not installed). Target (issue 12): the paper including charts under 1.5 s.

    .venv/bin/python bench/paper_lancashire.py [--runs 3] [--updates 700]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scale_data import fill_database
from tracker.db import make_engine, session_scope
from tracker.governance import load_governance
from tracker.papers.boards import find_paper_board, list_board_meetings
from tracker.papers.gather import gather_board_paper
from tracker.papers.pdf import LibreOfficeConverter, PdfUnavailable
from tracker.papers.word import charts
from tracker.papers.word.render import render_board_paper_bytes
from tracker.permissions import Actor
from tracker.seed import seed_strategy
from tracker.services.operations import initialise_database
from tracker.services.papers import generate_paper, get_paper_file

GOVERNANCE = Path(__file__).resolve().parent.parent / "governance.yaml"
UNTIL = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 18, tzinfo=UTC)


def _best(runs: int, step: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return min(times)


def run(url: str, *, runs: int, updates: int) -> None:
    engine = make_engine(url)
    initialise_database(engine, governance_file=GOVERNANCE, seed=seed_strategy)
    report = fill_database(engine, actions=0, updates=updates, people=12, until=UNTIL)
    config = load_governance(GOVERNANCE)
    with session_scope(engine) as session:
        board = find_paper_board(session, governance=config, ref="SIB")
        meetings = list_board_meetings(session, body_id=board.body_id)
    meeting = [m for m in meetings if m.paper_deadline < UNTIL][-1]
    print(
        f"{report.actions} actions, {report.updates} updates, {report.measure_values} measure "
        f"values; SEND Improvement Board, meeting {meeting.meeting_date}; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    charts.rag_by_group_chart  # noqa: B018 (imported; matplotlib itself loads on first chart)

    def generate() -> int:
        with session_scope(engine, write=True) as session:
            info = generate_paper(
                session,
                actor=Actor.for_operator("operator (bench)"),
                governance=config,
                governance_file=GOVERNANCE,
                board_ref="SIB",
                meeting_date=meeting.meeting_date,
                now=NOW,
            )
            return info.id

    started = time.perf_counter()
    paper_id = generate()
    first = time.perf_counter() - started
    generated = _best(runs, generate)
    with session_scope(engine) as session:
        gathered = gather_board_paper(
            session, governance=config, board=board, meeting=meeting, now=NOW
        )
        docx = get_paper_file(
            session, actor=Actor.for_operator("operator (bench)"), paper_id=paper_id
        ).content
    rendered = _best(runs, lambda: render_board_paper_bytes(gathered.paper))
    paper = gathered.paper
    drawn = sum(1 for line in paper.measures if line.series) + 2
    chart_s = _best(
        runs,
        lambda: [
            charts.rag_by_group_chart(
                paper.summary_rows, paper.rag_key, by="priority", width_cm=17
            ),
            charts.rag_over_time_chart(paper.rag_history, paper.rag_key, width_cm=16),
            *[charts.measure_trend_chart(line, width_cm=7.5) for line in paper.measures],
        ],
    )
    print(f"first generation (imports matplotlib): {first:.2f} s")
    print(f"generate (gather + render + store), best of {runs}: {generated:.2f} s")
    print(f"render alone: {rendered:.2f} s, of which {drawn} charts: {chart_s:.2f} s")
    print(f".docx {len(docx) / 1024:.0f} KB")
    try:
        started = time.perf_counter()
        pdf = LibreOfficeConverter().convert(docx)
        print(
            f"tagged PDF through LibreOffice: {time.perf_counter() - started:.2f} s, "
            f"{len(pdf) / 1024:.0f} KB"
        )
    except PdfUnavailable as exc:
        print(f"PDF skipped: {exc}")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--updates", type=int, default=700)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run(f"sqlite:///{folder}/bench.db", runs=args.runs, updates=args.updates)


if __name__ == "__main__":
    main()

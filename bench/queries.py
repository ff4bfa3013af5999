"""Times the overdue, not-updated and RAG-summary queries at scale, on SQLite and PostgreSQL.

Builds a database with 10,000 actions and 200,000 updates (bench/scale_data.py), then prints
the median of repeated runs of each query. Target: each under 100 ms median on SQLite.
PostgreSQL runs too when TRACKER_BENCH_PG_URL (a server URL; a scratch database is created and
dropped) is set, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres.

    .venv/bin/python bench/queries.py [--actions 10000] [--updates 200000] [--repeat 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.scale_data import fill_database
from tracker.db import make_engine, session_scope
from tracker.seed import seed_strategy
from tracker.services.operations import initialise_database
from tracker.services.register import (
    count_by_rag,
    list_not_updated_actions,
    list_overdue_actions,
    summarise_rag,
)

GOVERNANCE = Path(__file__).resolve().parent.parent / "governance.yaml"
TODAY = date(2026, 11, 28)


def _median_ms(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    result = fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def run(url: str, label: str, *, actions: int, updates: int, repeat: int) -> None:
    engine = make_engine(url)
    started = time.perf_counter()
    initialise_database(engine, governance_file=GOVERNANCE, seed=seed_strategy)
    report = fill_database(engine, actions=actions, updates=updates, until=TODAY)
    print(
        f"\n{label}: {report.actions} actions, {report.updates} updates "
        f"(built in {time.perf_counter() - started:.1f} s)"
    )
    cases: dict[str, Callable[[Any], Any]] = {
        "overdue actions": lambda s: len(list_overdue_actions(s, today=TODAY)),
        "not updated this cycle": lambda s: len(list_not_updated_actions(s, today=TODAY)),
        "RAG by priority": lambda s: len(summarise_rag(s, by="priority")),
        "RAG by workstream": lambda s: len(summarise_rag(s, by="workstream")),
        "RAG by body": lambda s: len(summarise_rag(s, by="body")),
        "RAG by organisation": lambda s: len(summarise_rag(s, by="organisation")),
        "RAG counts": lambda s: sum(count_by_rag(s).values()),
    }
    print(f"  {'query':<26}{'median ms':>10}  result")
    with session_scope(engine) as session:
        for name, query in cases.items():
            ms, result = _median_ms(lambda q=query: q(session), repeat)
            print(f"  {name:<26}{ms:>10.1f}  {result}")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=10_000)
    parser.add_argument("--updates", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(
            f"sqlite:///{tmp}/bench.db",
            "SQLite",
            actions=args.actions,
            updates=args.updates,
            repeat=args.repeat,
        )
    server = os.environ.get("TRACKER_BENCH_PG_URL")
    if server:
        name = f"tracker_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(
            make_url(server).set(database="postgres"), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(server).set(database=name).render_as_string(hide_password=False)
            run(url, "PostgreSQL", actions=args.actions, updates=args.updates, repeat=args.repeat)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        print("\n(PostgreSQL skipped: set TRACKER_BENCH_PG_URL to include it)")


if __name__ == "__main__":
    main()

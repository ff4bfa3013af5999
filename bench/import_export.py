"""Benchmark importing a 10,000-row action plan and exporting a 10,000-action register.

Import: a workbook of ``--rows`` actions (references P1.1 to P5.2000, 400 owners of whom most are
new to the tracker, every organisation, workstream and body of governance.yaml, dates, RAG and
commentary) goes into a database that has governance loaded but no strategy, as
``tracker import`` does it: a dry run, the commit (creating every action, person and update),
then the same file again (all unchanged) and a revised file changing every rating (10,000
updates recorded in place).

Export: a database grown with ``bench/scale_data.py`` to ``--rows`` actions and ``--updates``
updates is exported as the register (.xlsx and .csv) and as the full update history.

Run ``.venv/bin/python bench/import_export.py`` (SQLite in a temporary directory), or with
``--database-url postgresql+psycopg://...`` for an empty PostgreSQL database (it is filled, so
use a scratch one). Target: each import step and each register export under 10 s.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scale_data import fill_database
from tracker.db import make_engine, session_scope
from tracker.governance import load_governance
from tracker.seed import seed_strategy
from tracker.services.operations import initialise_database
from tracker.services.people import actor_for_email
from tracker.services.plans import ImportReport, export_history, export_register, import_plan
from tracker.spreadsheets import PlanRow, build_register_sheet, write_xlsx

ROOT = Path(__file__).resolve().parent.parent
GOVERNANCE_FILE = ROOT / "governance.yaml"
ADMIN = "send.pmo@example.org"
TARGET_SECONDS = 10.0
NOW = datetime(2026, 3, 31, 12, tzinfo=UTC)
RAGS = ("green", "amber", "red", "blue")
STATUS_OF = {"green": "in_progress", "amber": "in_progress", "red": "in_progress"}


def build_plan(rows: int, *, seed: int, rag_shift: int = 0) -> bytes:
    """A realistic plan workbook of ``rows`` actions, written as an export would be."""
    config = load_governance(GOVERNANCE_FILE)
    rng = random.Random(seed)
    organisations = [o.name for o in config.organisations]
    workstreams = [w.name for w in config.workstreams]
    bodies = [b.name for b in config.bodies]
    per_priority = -(-rows // 5)
    plan_rows = []
    for n in range(rows):
        priority, number = n // per_priority + 1, n % per_priority + 1
        owner = rng.randrange(400)
        start = date(2025, 9, 1) + timedelta(days=rng.randrange(200))
        rag = RAGS[(rng.randrange(len(RAGS)) + rag_shift) % len(RAGS)]
        plan_rows.append(
            PlanRow(
                row=n + 2,
                reference=f"P{priority}.{number}",
                priority=priority,
                title=f"Deliver improvement {n + 1} to the SEND local offer, with partners",
                owner_name=f"Owner {owner:03d}",
                owner_email=f"owner{owner:03d}@example.org",
                lead_organisation=rng.choice(organisations),
                workstream=rng.choice(workstreams),
                body=rng.choice(bodies),
                start_date=start,
                due_date=start + timedelta(days=rng.randrange(90, 900)),
                status=STATUS_OF.get(rag, "complete"),
                rag=rag,
                commentary=f"Progress note {n + 1}: milestones reviewed at the board.",
                updated_on=date(2026, 3, 1) + timedelta(days=rng.randrange(28)),
            )
        )
    return write_xlsx([build_register_sheet(plan_rows)])


def timed(label: str, work: Callable[[], Any], results: list[tuple[str, float, str]]) -> Any:
    started = time.perf_counter()
    outcome = work()
    seconds = time.perf_counter() - started
    detail = describe(outcome)
    results.append((label, seconds, detail))
    print(f"{label:<44} {seconds:6.2f} s   {detail}", flush=True)
    return outcome


def describe(outcome: Any) -> str:
    if isinstance(outcome, ImportReport):
        return (
            f"{len(outcome.created)} created, {len(outcome.updated)} updated, "
            f"{len(outcome.unchanged)} unchanged, {len(outcome.people)} people, "
            f"{len(outcome.problems)} problems"
        )
    if isinstance(outcome, tuple):
        rows, size = outcome
        return f"{rows} rows, {size / 1024 / 1024:.1f} MB"
    return ""


def run_import(url: str, data: bytes, *, commit: bool) -> ImportReport:
    engine = make_engine(url)
    try:
        with session_scope(engine, write=commit) as session:
            return import_plan(
                session,
                actor=actor_for_email(session, ADMIN),
                source=data,
                filename="plan.xlsx",
                commit=commit,
                now=NOW,
            )
    finally:
        engine.dispose()


def bench_import(url: str, rows: int, results: list[tuple[str, float, str]]) -> None:
    engine = make_engine(url)
    initialise_database(engine, governance_file=GOVERNANCE_FILE, seed=None)
    engine.dispose()
    plan = timed("build a 10,000-row workbook", lambda: build_plan(rows, seed=7), results)
    revised = build_plan(rows, seed=7, rag_shift=1)
    print(f"  workbook {len(plan) / 1024 / 1024:.1f} MB", flush=True)
    timed("import: dry run (all new)", lambda: run_import(url, plan, commit=False), results)
    timed("import: commit (create all)", lambda: run_import(url, plan, commit=True), results)
    timed("import: dry run of the same file", lambda: run_import(url, plan, commit=False), results)
    timed("import: commit of the same file", lambda: run_import(url, plan, commit=True), results)
    timed(
        "import: commit changing every RAG", lambda: run_import(url, revised, commit=True), results
    )


def run_export(url: str, *, history: bool, fmt: str) -> tuple[int, int]:
    engine = make_engine(url)
    export = export_history if history else export_register
    try:
        with session_scope(engine) as session:
            result = export(
                session,
                actor=actor_for_email(session, ADMIN),
                today=NOW.date(),
                fmt=fmt,
                governance=load_governance(GOVERNANCE_FILE),
            )
        return result.rows, len(result.content)
    finally:
        engine.dispose()


def bench_export(url: str, rows: int, updates: int, results: list[tuple[str, float, str]]) -> None:
    engine = make_engine(url)
    initialise_database(engine, governance_file=GOVERNANCE_FILE, seed=seed_strategy)
    report = fill_database(engine, actions=rows, updates=updates, until=NOW.date())
    engine.dispose()
    print(f"  filled: {report.actions} actions, {report.updates} updates", flush=True)
    for fmt in ("xlsx", "csv"):
        label = f"export: register .{fmt} ({rows:,} actions)"
        timed(label, lambda fmt=fmt: run_export(url, history=False, fmt=fmt), results)
    for fmt in ("xlsx", "csv"):
        label = f"export: history .{fmt} ({updates:,} updates)"
        timed(label, lambda fmt=fmt: run_export(url, history=True, fmt=fmt), results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--updates", type=int, default=50_000, help="history size for export")
    parser.add_argument("--database-url", help="an EMPTY scratch database (default: SQLite)")
    parser.add_argument("--export-database-url", help="a second empty one, for the export")
    args = parser.parse_args()
    results: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory() as scratch:
        import_url = args.database_url or f"sqlite:///{scratch}/import.db"
        export_url = args.export_database_url or f"sqlite:///{scratch}/export.db"
        print(f"import database {import_url.split('@')[-1]}", flush=True)
        bench_import(import_url, args.rows, results)
        print(f"export database {export_url.split('@')[-1]}", flush=True)
        bench_export(export_url, args.rows, args.updates, results)
    gated = [r for r in results if r[0].startswith(("import:", "export: register"))]
    slow = [label for label, seconds, _ in gated if seconds > TARGET_SECONDS]
    print("all under 10 s" if not slow else f"OVER {TARGET_SECONDS:.0f} s: {', '.join(slow)}")
    return 1 if slow else 0


if __name__ == "__main__":
    raise SystemExit(main())

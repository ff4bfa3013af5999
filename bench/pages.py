"""Time every page's script run at scale: 10,000 actions and 200,000 updates on SQLite.

    .venv/bin/python bench/pages.py [--actions 10000] [--updates 200000] [--runs 5] [--keep DB]

Builds a database with ``bench.scale_data.fill_database`` (or reuses ``--keep`` if it already
holds enough), then runs the real entry script under Streamlit's AppTest in developer mode as
a person who may see the page, and reports the median of ``--runs`` timed reruns of each page
after a warm-up rerun. The target is under 0.5 s a page; the figures are recorded in
``bench/README.md``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scale_data import fill_database
from tracker.db import make_engine, session_scope
from tracker.models import Action, ActionUpdate
from tracker.seed import seed_strategy
from tracker.services.operations import initialise_database

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "tracker" / "ui" / "app.py"
GOVERNANCE = ROOT / "governance.yaml"
TODAY = date(2026, 11, 2)
TARGET_SECONDS = 0.5


class PageFailed(RuntimeError):
    """The page raised instead of rendering; the benchmark reports it and goes on."""


@dataclass(frozen=True)
class Case:
    name: str
    user: str
    page: str  # the page file in tracker/pages
    query: tuple[tuple[str, str], ...] = ()


CASES = (
    Case("My actions (owner, 5 actions)", "owner00007@example.org", "my_actions.py"),
    Case("My actions (lead, ~1,700 actions)", "head.of.send@example.org", "my_actions.py"),
    Case(
        "My actions, deep link", "head.of.send@example.org", "my_actions.py", (("action", "P2.3"),)
    ),
    Case("Action register", "exec.director.education@example.org", "register.py"),
    Case("Action page (P2.3)", "send.pmo@example.org", "action.py", (("action", "P2.3"),)),
    Case("Executive overview", "exec.director.education@example.org", "overview.py"),
    Case("Success measures", "exec.director.education@example.org", "measures.py"),
    Case("Board papers", "improvement.board@example.org", "papers.py"),
    Case("Governance", "powar@example.org", "governance.py"),
    Case("People and roles", "send.pmo@example.org", "admin/people.py"),
    Case("Import and export", "send.pmo@example.org", "admin/import_export.py"),
    Case("Reminders and mail", "send.pmo@example.org", "admin/reminders.py"),
)


def prepare_database(path: Path, *, actions: int, updates: int) -> str:
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    try:
        if path.exists():
            with session_scope(engine) as session:
                have = session.execute(select(func.count()).select_from(Action)).scalar_one()
                have_updates = session.execute(
                    select(func.count()).select_from(ActionUpdate)
                ).scalar_one()
            if have >= actions and have_updates >= updates:
                return url
        started = time.perf_counter()
        initialise_database(engine, governance_file=GOVERNANCE, seed=seed_strategy)
        report = fill_database(engine, actions=actions, updates=updates, until=TODAY)
        print(
            f"built {report.actions} actions, {report.updates} updates, {report.people} people "
            f"in {time.perf_counter() - started:.1f} s"
        )
    finally:
        engine.dispose()
    return url


def time_case(case: Case, runs: int) -> tuple[float, list[float]] | None:
    """The page's first run (cold caches) and ``runs`` timed reruns after it."""
    from streamlit.testing.v1 import AppTest

    if not (ROOT / "tracker" / "pages" / case.page).is_file():
        return None
    os.environ["TRACKER_DEV_USER"] = case.user
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.query_params.clear()
    at.switch_page(f"../pages/{case.page}")
    at.query_params.update(dict(case.query))
    started = time.perf_counter()
    at.run()  # warm-up: the page's first run, caches filled
    first = time.perf_counter() - started
    if at.exception:
        raise PageFailed(str(at.exception[0].value))
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        at.run()
        timings.append(time.perf_counter() - started)
    if at.exception:
        raise PageFailed(str(at.exception[0].value))
    return first, timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=10_000)
    parser.add_argument("--updates", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="database file to build once and reuse")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        path = args.keep or Path(scratch) / "bench.db"
        url = prepare_database(path, actions=args.actions, updates=args.updates)
        os.environ.update(
            TRACKER_AUTH="dev",
            TRACKER_DATABASE_URL=url,
            TRACKER_GOVERNANCE_FILE=str(GOVERNANCE),
            TRACKER_TODAY=TODAY.isoformat(),
        )
        print(f"{'page':<36} {'median':>8} {'min':>8} {'max':>8} {'first run':>10}")
        slow = []
        for case in CASES:
            try:
                measured = time_case(case, args.runs)
            except PageFailed as exc:
                print(f"{case.name:<36} failed: {exc}")
                slow.append(case.name)
                continue
            if measured is None:
                print(f"{case.name:<36} {'(page not present)':>26}")
                continue
            first, timings = measured
            median = statistics.median(timings)
            flag = "" if median < TARGET_SECONDS else "  SLOWER THAN TARGET"
            print(
                f"{case.name:<36} {median:>7.3f}s {min(timings):>7.3f}s {max(timings):>7.3f}s "
                f"{first:>9.3f}s{flag}"
            )
            if flag:
                slow.append(case.name)
        if slow:
            raise SystemExit(f"failed or over {TARGET_SECONDS} s: {', '.join(slow)}")


if __name__ == "__main__":
    main()

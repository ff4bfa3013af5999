"""Benchmark: plan the reminders for 10,000 actions and 2,000 owners; dispatch 1,000 via Graph.

Part one grows a fresh database with ``bench/scale_data.py`` (10,000 actions, 2,000 people, a
history of updates) and times ``plan_reminders`` for a busy day: an update window open, another
board's deadline just passed (escalations, paper-ready notices) and the Monday digest. Target:
under 1 s. Rendering and queueing the e-mails are timed too, for information.

Part two queues 1,000 messages in the outbox and times ``dispatch_outbox`` sending them through
the fake Microsoft Graph (``tests/fakes/graph_server.py``) with JSON batching. Targets: at most
50 HTTP requests to Graph and under 10 s.

Run from the repository root: ``.venv/bin/python bench/reminders.py``. Temporary SQLite files
are used unless ``--database-url`` and ``--mail-database-url`` name two empty databases.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

# The fake Graph lives in the test tree; make the repository root importable as a script.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scale_data import fill_database  # noqa: E402
from tests.fakes.graph_server import FakeGraphServer  # noqa: E402
from tracker.db import make_engine, session_scope  # noqa: E402
from tracker.governance import load_governance  # noqa: E402
from tracker.mail.graph import GraphTransport  # noqa: E402
from tracker.seed import seed_strategy  # noqa: E402
from tracker.services.operations import initialise_database  # noqa: E402
from tracker.services.outbox import (  # noqa: E402
    DispatchPolicy,
    NewMessage,
    dispatch_outbox,
    enqueue_messages,
)
from tracker.services.reminders import (  # noqa: E402
    build_mail_context,
    plan_reminders,
    render_for_outbox,
)

GOVERNANCE = ROOT / "governance.yaml"
# Monday 19 January 2026: the Operations Board's window is open (deadline 16 January passed
# for its 21 January meeting: escalations), the Improvement Board's deadline has passed, and
# it is digest day.
BUSY_DAY = date(2026, 1, 19)
PLAN_TARGET_S = 1.0
DISPATCH_TARGET_S = 10.0
GRAPH_REQUEST_TARGET = 50


def bench_planning(url: str, *, actions: int, people: int, updates: int) -> bool:
    engine = make_engine(url)
    governance = load_governance(GOVERNANCE)
    started = time.perf_counter()
    initialise_database(engine, governance_file=GOVERNANCE, seed=seed_strategy)
    report = fill_database(
        engine, actions=actions, updates=updates, people=people, until=date(2026, 1, 9)
    )
    print(
        f"data:                   {report.actions} actions, {report.people} people, "
        f"{report.updates} updates ({time.perf_counter() - started:.1f} s to build)"
    )
    config = governance.update_cycle.reminders
    timings = []
    for _ in range(3):
        with session_scope(engine) as session:
            started = time.perf_counter()
            plan = plan_reminders(session, config=config, today=BUSY_DAY)
            timings.append(time.perf_counter() - started)
    best = min(timings)
    owners = len({r.recipient_email for r in plan.reminders if r.rule == "update_request"})
    listed = sum(r.action_count for r in plan.reminders if r.rule != "weekly_digest")
    print(f"reminders planned:      {len(plan.reminders)} ({plan.count_by_rule()})")
    print(f"owners asked to update: {owners}, action lines in cycle reminders: {listed}")
    print(f"planning seconds:       {best:.3f} (best of 3; target < {PLAN_TARGET_S})")
    context = build_mail_context(governance, app_url="https://tracker.example.org")
    started = time.perf_counter()
    messages = render_for_outbox(plan.reminders, context=context)
    rendered = time.perf_counter() - started
    with session_scope(engine, write=True) as session:
        started = time.perf_counter()
        enqueue_messages(session, messages=messages, now=datetime.now(UTC))
    print(f"render / queue seconds: {rendered:.3f} / {time.perf_counter() - started:.3f}")
    engine.dispose()
    return best < PLAN_TARGET_S


def bench_dispatch(url: str, *, count: int) -> bool:
    engine = make_engine(url)
    initialise_database(engine, governance_file=GOVERNANCE, seed=seed_strategy)
    with session_scope(engine, write=True) as session:
        enqueue_messages(
            session,
            messages=[
                NewMessage(
                    dedupe_key=f"bench:{n}",
                    rule="update_request",
                    recipient_email=f"owner{n:05d}@example.org",
                    subject=f"Please update 3 actions for the SEND Operations Board ({n})",
                    body_text=f"Your actions need their RAG update (reminder {n}).\n",
                    body_html=f"<p>Your actions need their <b>RAG update</b> ({n}).</p>",
                )
                for n in range(count)
            ],
            now=datetime.now(UTC),
        )
    with FakeGraphServer() as graph:
        transport = GraphTransport(**graph.transport_options())
        started = time.perf_counter()
        report = dispatch_outbox(
            engine, transport=transport, domain="example.org", policy=DispatchPolicy()
        )
        elapsed = time.perf_counter() - started
        requests = len(graph.graph_requests)
        print(f"messages sent:          {report.sent} / {count} (failed {report.failed})")
        print(f"graph HTTP requests:    {requests} (target <= {GRAPH_REQUEST_TARGET})")
        print(f"token requests:         {len(graph.token_requests)}")
        print(f"dispatch seconds:       {elapsed:.2f} (target < {DISPATCH_TARGET_S})")
        transport.close()
    engine.dispose()
    return report.sent == count and requests <= GRAPH_REQUEST_TARGET and elapsed < DISPATCH_TARGET_S


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an empty database (default: temporary SQLite)")
    parser.add_argument("--mail-database-url", help="a second empty database for the dispatch part")
    parser.add_argument("--actions", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=2_000)
    parser.add_argument("--updates", type=int, default=50_000)
    parser.add_argument("--messages", type=int, default=1_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-reminders-") as folder:
        plan_url = args.database_url or f"sqlite:///{Path(folder) / 'plan.db'}"
        mail_url = args.mail_database_url or f"sqlite:///{Path(folder) / 'mail.db'}"
        print("== planning reminders ==")
        planning_ok = bench_planning(
            plan_url, actions=args.actions, people=args.people, updates=args.updates
        )
        print("== dispatching through the fake Microsoft Graph ==")
        dispatch_ok = bench_dispatch(mail_url, count=args.messages)
    print(
        "result:                 " + ("within targets" if planning_ok and dispatch_ok else "MISSED")
    )
    sys.exit(0 if planning_ok and dispatch_ok else 1)


if __name__ == "__main__":
    main()

"""A large, realistic plan for benchmarks: thousands of actions, hundreds of thousands of updates.

``fill_database`` adds to a database that ``initialise_database`` has already migrated, loaded
with governance.yaml and seeded: it keeps the partnership's priorities, workstreams, bodies and
organisations, adds people (action owners, a few leads and executives), actions numbered on from
the strategy's own (``P1.13``, ``P1.14``...), a history of updates spread over the two years
before ``until`` with ratings that drift the way real plans do, and monthly values for every
success measure. Rows go in with Core bulk inserts (``executemany``), so 200,000 updates take
seconds, not minutes. The same ``seed`` gives the same data.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.engine import Connection

from tracker.models import (
    Action,
    ActionUpdate,
    GovernanceBody,
    MeasureValue,
    Organisation,
    Person,
    PersonRole,
    Priority,
    SuccessMeasure,
    Workstream,
)

CHUNK = 5_000
HISTORY_DAYS = 730
RAGS = ("green", "amber", "red", "blue")
VERBS = (
    "Deliver",
    "Embed",
    "Review",
    "Co-produce",
    "Commission",
    "Publish",
    "Pilot",
    "Extend",
    "Strengthen",
    "Evaluate",
    "Train",
    "Map",
)
SUBJECTS = (
    "the graduated approach toolkit",
    "EHCP quality assurance audits",
    "the ND pathway triage",
    "preparation for adulthood reviews",
    "the Local Offer website",
    "SENCo network sessions",
    "annual review tracking",
    "the joint commissioning plan",
    "speech and language support",
    "transition planning for Year 9",
    "the SEND data dashboard",
    "parent carer co-production",
)
COMMENTS = {
    "green": (
        "Progressing to plan; milestones for this quarter met.",
        "On track. Sessions delivered in all three localities.",
        "Work continues as planned; next review at the Operations Board.",
    ),
    "amber": (
        "Some slippage: recruitment to two posts delayed by six weeks.",
        "Risk to the due date while the data-sharing agreement is signed.",
        "Partial delivery; one locality behind schedule, recovery plan drafted.",
    ),
    "red": (
        "Off track: funding not yet confirmed and the provider has withdrawn.",
        "Blocked pending the ICB commissioning decision; due date will be missed.",
        "Capacity gap in the team; delivery paused this cycle.",
    ),
    "blue": ("Complete; evidence filed with the programme office.",),
}
PATHS = (
    "Interim cover agreed; escalate to the Transformation Board if not resolved by next cycle.",
    "Revised plan to the Operations Board; weekly check-ins with the workstream lead.",
)


@dataclass(frozen=True)
class ScaleReport:
    people: int
    actions: int
    updates: int
    measure_values: int


def _chunks(rows: Iterable[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(conn: Connection, table: Any, rows: Iterable[dict[str, Any]]) -> int:
    count = 0
    for batch in _chunks(rows):
        conn.execute(insert(table), batch)
        count += len(batch)
    return count


def _ids(conn: Connection, column: Any) -> list[int]:
    return [int(v) for v in conn.execute(select(column).order_by(column)).scalars()]


def _add_people(conn: Connection, rng: random.Random, wanted: int) -> list[int]:
    existing = int(conn.execute(select(func.count()).select_from(Person)).scalar_one())
    orgs = _ids(conn, Organisation.id)
    start = conn.execute(select(func.max(Person.id))).scalar_one() or 0
    new = max(wanted - existing, 0)
    _insert(
        conn,
        Person,
        (
            {
                "name": f"Owner {n:05d}",
                "email": f"owner{n:05d}@example.org",
                "job_title": rng.choice(("SEND Officer", "Team Manager", "Service Lead")),
                "organisation_id": rng.choice(orgs),
                "active": rng.random() > 0.02,
                "created_at": datetime(2025, 9, 1, tzinfo=UTC),
            }
            for n in range(1, new + 1)
        ),
    )
    ids = [i for i in _ids(conn, Person.id) if i > start]
    _insert(conn, PersonRole, ({"person_id": i, "role": "action_owner"} for i in ids))
    return _ids(conn, Person.id)


def _next_numbers(conn: Connection) -> dict[int, int]:
    """The next free action number in each priority, after the strategy's own references."""
    numbers: dict[int, int] = {}
    rows = conn.execute(
        select(Priority.id, Action.reference).join(Action, Action.priority_id == Priority.id)
    ).all()
    for priority_id, reference in rows:
        tail = int(reference.rsplit(".", 1)[-1]) if "." in reference else 0
        numbers[priority_id] = max(numbers.get(priority_id, 0), tail)
    return {pid: n + 1 for pid, n in numbers.items()}


def _action_rows(
    conn: Connection, rng: random.Random, count: int, owners: Sequence[int]
) -> Iterator[dict[str, Any]]:
    priorities = dict(conn.execute(select(Priority.id, Priority.number)).tuples().all())
    workstreams = _ids(conn, Workstream.id)
    bodies = _ids(conn, GovernanceBody.id)
    boards = [
        int(b)
        for b in conn.execute(
            select(GovernanceBody.id).where(GovernanceBody.paper_deadline_working_days.is_not(None))
        ).scalars()
    ] or bodies
    orgs = _ids(conn, Organisation.id)
    next_number = _next_numbers(conn)
    priority_ids = sorted(priorities)
    for n in range(count):
        pid = priority_ids[n % len(priority_ids)]
        number = next_number.get(pid, 1)
        next_number[pid] = number + 1
        start = date(2025, 9, 1) + timedelta(days=rng.randrange(0, 365))
        due = start + timedelta(days=rng.randrange(90, 1000))
        due = min(due, date(2028, 8, 31))
        yield {
            "reference": f"P{priorities[pid]}.{number}",
            "title": f"{rng.choice(VERBS)} {rng.choice(SUBJECTS)} ({n + 1})",
            "priority_id": pid,
            "workstream_id": rng.choice(workstreams),
            "owner_id": rng.choice(owners),
            "lead_organisation_id": rng.choice(orgs),
            "body_id": rng.choice(boards) if rng.random() < 0.8 else rng.choice(bodies),
            "start_date": start,
            "due_date": due,
            "original_due_date": due,
            "status": "not_started",
            "sort_key": priorities[pid] * 1000 + number,
            "source": "bench",
            "version": 1,
            "created_at": datetime(2024, 11, 1, tzinfo=UTC),
        }


def _next_rag(rng: random.Random, rag: str) -> str:
    roll = rng.random()
    if rag == "blue":
        return "blue"
    if roll < 0.7:
        return rag
    if roll < 0.99:
        return rng.choice(("green", "amber", "red"))
    return "blue"


def _history(
    rng: random.Random, action_id: int, count: int, owner: int, until: datetime
) -> list[dict[str, Any]]:
    moments = sorted(
        until - timedelta(seconds=rng.randrange(0, HISTORY_DAYS * 86_400)) for _ in range(count)
    )
    rag = rng.choice(("green", "green", "amber", "red"))
    rows = []
    for at in moments:
        rag = _next_rag(rng, rag)
        status = "complete" if rag == "blue" else "in_progress"
        rows.append(
            {
                "action_id": action_id,
                "rag": rag,
                "status": status,
                "commentary": rng.choice(COMMENTS[rag]),
                "path_to_green": rng.choice(PATHS) if rag == "red" else None,
                "next_steps": "Report progress at the next board." if rag != "blue" else None,
                "created_by_id": owner,
                "created_at": at,
                "source": "bench",
            }
        )
    return rows


def _add_updates(conn: Connection, rng: random.Random, total: int, until: datetime) -> int:
    actions = conn.execute(select(Action.id, Action.owner_id).order_by(Action.id)).all()
    if not actions or total <= 0:
        return 0
    # Uneven histories, as in life: some actions updated every cycle, some rarely.
    weights = [rng.uniform(0.2, 1.8) for _ in actions]
    scale = total / sum(weights)
    counts = [max(int(w * scale), 0) for w in weights]
    counts[0] += total - sum(counts)
    inserted = 0
    latest: list[dict[str, Any]] = []
    buffer: list[dict[str, Any]] = []
    for (action_id, owner), count in zip(actions, counts, strict=True):
        if count == 0:
            continue
        rows = _history(rng, action_id, count, owner or 1, until)
        buffer.extend(rows)
        latest.append(rows[-1])
        if len(buffer) >= CHUNK:
            inserted += _insert(conn, ActionUpdate, buffer)
            buffer = []
    inserted += _insert(conn, ActionUpdate, buffer)
    _carry_latest(conn, latest)
    return inserted


def _carry_latest(conn: Connection, latest: list[dict[str, Any]]) -> None:
    """Each action's current state is its newest update, as ``record_update`` leaves it."""
    statement = (
        update(Action)
        .where(Action.id == _bind("b_id"))
        .values(
            rag=_bind("b_rag"),
            status=_bind("b_status"),
            latest_commentary=_bind("b_commentary"),
            path_to_green=_bind("b_path"),
            next_steps=_bind("b_next"),
            last_updated_at=_bind("b_at", Action.__table__.c.last_updated_at.type),
            last_updated_by_id=_bind("b_by"),
            version=Action.version + 1,
        )
    )
    rows = [
        {
            "b_id": r["action_id"],
            "b_rag": r["rag"],
            "b_status": r["status"],
            "b_commentary": r["commentary"],
            "b_path": r["path_to_green"],
            "b_next": r["next_steps"],
            "b_at": r["created_at"],
            "b_by": r["created_by_id"],
        }
        for r in latest
    ]
    for batch in _chunks(rows):
        conn.execute(statement, batch)


def _bind(name: str, type_: Any = None) -> Any:
    from sqlalchemy import bindparam

    return bindparam(name, type_=type_)


def _add_measure_values(conn: Connection, rng: random.Random, until: date) -> int:
    measures = conn.execute(
        select(SuccessMeasure.id, SuccessMeasure.baseline_value, SuccessMeasure.unit)
    ).all()
    existing = {
        (m, p) for m, p in conn.execute(select(MeasureValue.measure_id, MeasureValue.period_end))
    }
    month_ends = _month_ends(until - timedelta(days=HISTORY_DAYS), until)
    rows = []
    for measure_id, baseline, unit in measures:
        if unit == "narrative":
            continue
        value = float(baseline) if baseline is not None else rng.uniform(20, 80)
        for period_end in month_ends:
            value = max(value + rng.uniform(-2.5, 3.5), 0.0)
            if (measure_id, period_end) in existing:
                continue
            rows.append(
                {
                    "measure_id": measure_id,
                    "period_end": period_end,
                    "period_label": period_end.strftime("%b %Y"),
                    "value": round(value, 1),
                    "entered_at": datetime.combine(period_end, time(9), tzinfo=UTC),
                }
            )
    return _insert(conn, MeasureValue, rows)


def _month_ends(start: date, end: date) -> list[date]:
    out = []
    year, month = start.year, start.month
    while True:
        first_next = date(year + month // 12, month % 12 + 1, 1)
        last = first_next - timedelta(days=1)
        if last > end:
            return out
        out.append(last)
        year, month = first_next.year, first_next.month


def fill_database(
    engine: Engine,
    *,
    actions: int = 10_000,
    updates: int = 200_000,
    people: int = 2_000,
    seed: int = 1,
    until: date | None = None,
) -> ScaleReport:
    """Grow an initialised database to ``actions`` actions and ``updates`` updates in total."""
    rng = random.Random(seed)
    end = until or date.today()
    end_at = datetime.combine(end, time(17), tzinfo=UTC)
    with engine.begin() as conn:
        if conn.execute(select(func.count()).select_from(Priority)).scalar_one() == 0:
            raise ValueError("the database has no priorities: run initialise_database first")
        owners = _add_people(conn, rng, people)
        have = int(conn.execute(select(func.count()).select_from(Action)).scalar_one())
        _insert(conn, Action, _action_rows(conn, rng, max(actions - have, 0), owners))
        have_updates = int(
            conn.execute(select(func.count()).select_from(ActionUpdate)).scalar_one()
        )
        added = _add_updates(conn, rng, updates - have_updates, end_at)
        values = _add_measure_values(conn, rng, end)
        return ScaleReport(
            people=len(owners),
            actions=int(conn.execute(select(func.count()).select_from(Action)).scalar_one()),
            updates=have_updates + added,
            measure_values=values,
        )

"""Concurrent writers on both engines: every update lands, none is lost, no "database is locked"."""

from __future__ import annotations

import multiprocessing

from sqlmodel import func, select

from tests.factories import ADMIN
from tracker.db import make_engine, session_scope
from tracker.models import ActionUpdate
from tracker.services.actions import ConflictError, UpdateForm, get_action, record_update
from tracker.services.people import actor_for_email

PROCESSES = 8
UPDATES_EACH = 50
REFERENCES = ["P1.1", "P1.2", "P2.1", "P2.2", "P3.1", "P3.2", "P4.1", "P5.1"]


def _worker(url: str, reference: str, results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    engine = make_engine(url)
    errors = []
    for n in range(UPDATES_EACH):
        try:
            with session_scope(engine, write=True) as session:
                admin = actor_for_email(session, ADMIN)
                action = get_action(session, reference)
                record_update(
                    session,
                    actor=admin,
                    reference=reference,
                    seen_version=action.version,
                    form=UpdateForm(rag="amber", status="in_progress", commentary=f"update {n}"),
                )
        except Exception as exc:  # reported to the parent, which fails the test
            errors.append(f"{reference} #{n}: {type(exc).__name__}: {exc}")
    engine.dispose()
    results.put(errors)


def test_eight_processes_fifty_updates_each(db_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    workers = [context.Process(target=_worker, args=(db_url, ref, results)) for ref in REFERENCES]
    for w in workers:
        w.start()
    errors = [e for _ in workers for e in results.get(timeout=240)]
    for w in workers:
        w.join(timeout=60)
    assert errors == []
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        assert session.exec(select(func.count()).select_from(ActionUpdate)).one() == 400
        for ref in REFERENCES:
            action = get_action(session, ref)
            assert action.version == UPDATES_EACH + 1
            assert action.latest_commentary == f"update {UPDATES_EACH - 1}"
    engine.dispose()


def _racer(url: str, barrier, results) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(url)
    with session_scope(engine) as session:
        admin = actor_for_email(session, ADMIN)
        seen = get_action(session, "P2.5").version
    barrier.wait()
    try:
        with session_scope(engine, write=True) as session:
            record_update(
                session,
                actor=admin,
                reference="P2.5",
                seen_version=seen,
                form=UpdateForm(rag="green", status="in_progress"),
            )
        results.put("saved")
    except ConflictError:
        results.put("conflict")
    except Exception as exc:
        results.put(f"error: {exc}")
    engine.dispose()


def test_simultaneous_saves_of_one_action_one_wins_others_conflict(db_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(4), context.Queue()
    workers = [context.Process(target=_racer, args=(db_url, barrier, results)) for _ in range(4)]
    for w in workers:
        w.start()
    outcomes = sorted(results.get(timeout=120) for _ in workers)
    for w in workers:
        w.join(timeout=30)
    assert outcomes == ["conflict", "conflict", "conflict", "saved"]

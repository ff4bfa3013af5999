"""The audit trail proves itself, on both engines: the database refuses UPDATE and DELETE, an
attacker who disables the triggers is caught by the hash chain, concurrent writers never fork
it, and refused operations, exports and the VIEW_AUDIT check are audited and enforced."""

from __future__ import annotations

import multiprocessing
from datetime import date

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DatabaseError
from sqlmodel import col, func, select

from tests.factories import ADMIN, PARTNER, actor
from tracker.db import make_engine, session_scope
from tracker.models import AuditLog
from tracker.permissions import Actor, PermissionDenied
from tracker.services.audit import record_change
from tracker.services.audit._chain import verify_audit_chain
from tracker.services.plans import export_register
from tracker.services.register import audit_trail

WRITERS = 6
ROWS_EACH = 25


def _disable_triggers(engine: Engine) -> None:
    """What an attacker with rights on the database can do."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")
        else:
            conn.exec_driver_sql("DROP TRIGGER audit_log_no_update")
            conn.exec_driver_sql("DROP TRIGGER audit_log_no_delete")


def _row_ids(engine: Engine) -> list[int]:
    with session_scope(engine) as session:
        return [i for i in session.exec(select(AuditLog.id).order_by(col(AuditLog.id))) if i]


def test_a_freshly_loaded_database_verifies(engine: Engine) -> None:
    with session_scope(engine) as session:
        report = verify_audit_chain(session)
    assert report.ok, report.summary()
    assert report.rows == len(_row_ids(engine)) > 100  # governance.yaml and the strategy


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET new = 'forged' WHERE id = :id",
        "DELETE FROM audit_log WHERE id = :id",
    ],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_change_an_audit_row(engine: Engine, statement: str) -> None:
    target = _row_ids(engine)[10]
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement), {"id": target})
    with session_scope(engine) as session:
        assert verify_audit_chain(session).ok


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        ("UPDATE audit_log SET new = 'forged' WHERE id = :id", "content does not match"),
        ("UPDATE audit_log SET actor_label = 'someone else' WHERE id = :id", "does not match"),
        ("DELETE FROM audit_log WHERE id = :id", "removed or added"),
    ],
    ids=["value edited", "actor edited", "row deleted"],
)
def test_a_row_changed_behind_the_app_s_back_is_named(
    engine: Engine, statement: str, problem: str
) -> None:
    ids = _row_ids(engine)
    target = ids[10]
    _disable_triggers(engine)
    with engine.begin() as conn:
        conn.execute(text(statement), {"id": target})
    with session_scope(engine) as session:
        report = verify_audit_chain(session)
    assert not report.ok
    expected = target if "UPDATE" in statement else ids[11]
    assert report.first_bad_id == expected
    assert problem in str(report.problem)
    assert f"row {expected}" in report.summary()


def test_rewriting_a_row_and_its_hash_breaks_the_next_link(engine: Engine) -> None:
    ids = _row_ids(engine)
    _disable_triggers(engine)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE audit_log SET row_hash = :fake WHERE id = :id"),
            {"fake": "0" * 64, "id": ids[3]},
        )
    with session_scope(engine) as session:
        report = verify_audit_chain(session)
    assert report.first_bad_id == ids[3]


def _writer(url: str, n: int, results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    engine = make_engine(url)
    errors = []
    for i in range(ROWS_EACH):
        try:
            with session_scope(engine, write=True) as session:
                record_change(
                    session,
                    actor=Actor.for_operator(f"writer {n}"),
                    entity="test",
                    entity_id=n,
                    field="counter",
                    old=i,
                    new=i + 1,
                )
        except Exception as exc:  # reported to the parent, which fails the test
            errors.append(f"writer {n} #{i}: {type(exc).__name__}: {exc}")
    engine.dispose()
    results.put(errors)


def test_concurrent_writers_never_fork_the_chain(db_url: str) -> None:
    engine = make_engine(db_url)
    before = len(_row_ids(engine))
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    workers = [context.Process(target=_writer, args=(db_url, n, results)) for n in range(WRITERS)]
    for w in workers:
        w.start()
    errors = [e for _ in workers for e in results.get(timeout=240)]
    for w in workers:
        w.join(timeout=60)
    assert errors == []
    with session_scope(engine) as session:
        report = verify_audit_chain(session)
        seqs = session.exec(select(AuditLog.chain_seq).order_by(col(AuditLog.id))).all()
    assert report.ok, report.summary()
    assert report.rows == before + WRITERS * ROWS_EACH
    assert seqs == list(range(1, len(seqs) + 1))
    engine.dispose()


def test_a_refused_operation_is_audited(engine: Engine) -> None:
    with session_scope(engine) as session:
        partner = actor(session, PARTNER)
    with pytest.raises(PermissionDenied), session_scope(engine, write=True) as session:
        export_register(session, actor=partner, today=date(2026, 10, 1))
    with session_scope(engine) as session:
        refused = session.exec(select(AuditLog).where(AuditLog.field == "operation refused")).one()
        assert verify_audit_chain(session).ok
    assert (refused.actor_label, refused.entity_label) == (PARTNER, "export_plan")
    assert "may not export plan" in str(refused.new)


def test_an_export_is_audited(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        result = export_register(session, actor=actor(session, ADMIN), today=date(2026, 10, 1))
    with session_scope(engine) as session:
        row = session.exec(select(AuditLog).where(AuditLog.entity == "export")).one()
    assert (row.actor_label, row.entity_label, row.new) == (ADMIN, result.filename, "42 rows")


def test_the_audit_trail_service_requires_view_audit(engine: Engine) -> None:
    with session_scope(engine) as session:
        action_id = session.exec(select(func.min(AuditLog.entity_id))).one()
        assert action_id is not None
        staff = audit_trail(session, actor=actor(session, ADMIN), entity="action", entity_id=1)
        assert staff  # the administrator sees who created the action
        with pytest.raises(PermissionDenied, match="audit trail"):
            audit_trail(session, actor=actor(session, PARTNER), entity="action", entity_id=1)

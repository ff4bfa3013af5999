"""The outbox on both engines: nothing queued twice, claims never overlap, retries, failures."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select, update

from tests.factories import ADMIN, OPERATOR, PARTNER, actor
from tests.reminders.helpers import RecordingTransport, outbox_rows
from tracker.db import session_scope
from tracker.mail.message import OutgoingMessage
from tracker.mail.protocol import SendResult
from tracker.models import AuditLog, OutboxMessage
from tracker.permissions import PermissionDenied
from tracker.services.outbox import (
    DispatchPolicy,
    NewMessage,
    claim_batch,
    count_outbox,
    dispatch_outbox,
    enqueue_messages,
    list_outbox,
    make_dedupe_key,
    message_id_for,
    read_message_text,
    retry_failed,
)

START = datetime(2026, 2, 6, 7, 30, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def new(n: int, *, to: str | None = None, rule: str = "update_request") -> NewMessage:
    return NewMessage(
        dedupe_key=make_dedupe_key(rule, to or f"owner{n}@example.org", "sob", "2026-02-18"),
        rule=rule,
        recipient_email=to or f"owner{n}@example.org",
        subject=f"Please update action P2.{n}",
        body_text=f"Action P2.{n} needs an update.\n",
        body_html=f"<p>Action P2.{n} needs an update.</p>",
        meeting_date=date(2026, 2, 18),
    )


def enqueue(
    engine: Engine, messages: Sequence[NewMessage], now: datetime = START
) -> tuple[int, int]:
    with session_scope(engine, write=True) as session:
        report = enqueue_messages(session, messages=messages, now=now)
    return report.added, report.already_queued


def dispatch(engine: Engine, transport: object, clock: Clock, **policy: object) -> object:
    return dispatch_outbox(
        engine,
        transport=transport,  # type: ignore[arg-type]
        domain="example.org",
        clock=clock,
        policy=DispatchPolicy(**policy),  # type: ignore[arg-type]
    )


def test_a_rerun_cannot_queue_the_same_message_twice(engine: Engine) -> None:
    assert enqueue(engine, [new(1), new(2), new(1)]) == (2, 1)
    assert enqueue(engine, [new(1), new(2), new(3)]) == (1, 2)
    dispatch(engine, RecordingTransport(), Clock())
    # Sent is final: the key stays taken, so a later run of the rules sends nothing again.
    assert enqueue(engine, [new(1), new(2), new(3)]) == (0, 3)
    assert len(outbox_rows(engine)) == 3


def test_racing_enqueues_of_one_message_leave_one_row(engine: Engine) -> None:
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            enqueue(engine, [new(7)])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [row.dedupe_key for row in outbox_rows(engine)] == [new(7).dedupe_key]


def test_two_dispatchers_claim_disjoint_batches(engine: Engine) -> None:
    enqueue(engine, [new(n) for n in range(40)])
    claimed: dict[str, list[int]] = {}
    barrier = threading.Barrier(2)

    def claim(worker: str) -> None:
        barrier.wait()
        claimed[worker] = [
            row.id for row in claim_batch(engine, worker=worker, now=START, limit=25)
        ]

    threads = [threading.Thread(target=claim, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not set(claimed["a"]) & set(claimed["b"])
    assert len(claimed["a"]) + len(claimed["b"]) == 40


def test_sent_messages_are_marked_with_a_stable_message_id(engine: Engine) -> None:
    enqueue(engine, [new(1), new(2)])
    transport = RecordingTransport()
    report = dispatch(engine, transport, Clock())
    assert report.counts()["sent"] == 2  # type: ignore[attr-defined]
    rows = outbox_rows(engine)
    assert [r.state for r in rows] == ["sent", "sent"]
    assert [r.attempts for r in rows] == [1, 1]
    assert [m.message_id for m in transport.sent] == [
        message_id_for(r.id, r.dedupe_key, domain="example.org") for r in rows
    ]
    assert transport.sent[0].to == ("owner1@example.org",)
    assert dispatch(engine, transport, Clock()).counts()["sent"] == 0  # type: ignore[attr-defined]


def test_temporary_failures_back_off_exponentially_then_fail(engine: Engine) -> None:
    enqueue(engine, [new(1)])
    transport = RecordingTransport(
        refuse={"owner1@example.org": SendResult("", ok=False, error="451 try later")}
    )
    clock = Clock()
    waits = []
    for _ in range(3):
        dispatch(engine, transport, clock, max_attempts=3)
        (row,) = outbox_rows(engine)
        with session_scope(engine) as session:
            next_at = session.execute(select(OutboxMessage.next_attempt_at)).scalar_one()
        waits.append((row.state, row.attempts, next_at - clock.now))
        assert dispatch(engine, transport, clock, max_attempts=3).counts()["retrying"] == 0  # type: ignore[attr-defined]
        clock.advance(hours=1)
    assert waits[0] == ("pending", 1, timedelta(minutes=1))
    assert waits[1] == ("pending", 2, timedelta(minutes=2))
    assert waits[2][:2] == ("failed", 3)
    (row,) = outbox_rows(engine)
    assert row.last_error == "gave up after 3 attempts: 451 try later"
    assert transport.calls == 3


def test_a_permanent_refusal_fails_at_once(engine: Engine) -> None:
    enqueue(engine, [new(1), new(2)])
    transport = RecordingTransport(
        refuse={
            "owner1@example.org": SendResult("", ok=False, error="550 no such user", permanent=True)
        }
    )
    dispatch(engine, transport, Clock())
    rows = {r.recipient_email: r for r in outbox_rows(engine)}
    assert rows["owner1@example.org"].state == "failed"
    assert rows["owner1@example.org"].last_error == "550 no such user"
    assert rows["owner2@example.org"].state == "sent"


def test_an_unreachable_server_leaves_messages_pending_without_using_attempts(
    engine: Engine,
) -> None:
    enqueue(engine, [new(1), new(2)])
    clock = Clock()
    down = RecordingTransport(unavailable="connection refused")
    report = dispatch(engine, down, clock)
    assert report.counts()["unavailable"] == 2  # type: ignore[attr-defined]
    rows = outbox_rows(engine)
    assert {(r.state, r.attempts) for r in rows} == {("pending", 0)}
    assert rows[0].last_error == "mail server unavailable: connection refused"
    up = RecordingTransport()
    assert dispatch(engine, up, clock).counts()["sent"] == 0  # type: ignore[attr-defined]
    clock.advance(minutes=1)
    assert dispatch(engine, up, clock).counts()["sent"] == 2  # type: ignore[attr-defined]


def test_a_row_that_cannot_be_a_safe_email_fails_and_the_rest_go(engine: Engine) -> None:
    enqueue(engine, [new(1, to="bad\r\nBcc: x@example.org"), new(2)])
    transport = RecordingTransport()
    dispatch(engine, transport, Clock())
    states = {r.recipient_email: (r.state, r.last_error or "") for r in outbox_rows(engine)}
    assert states["owner2@example.org"][0] == "sent"
    state, error = states["bad\r\nBcc: x@example.org"]
    assert state == "failed" and "line break" in error
    assert [m.to for m in transport.sent] == [("owner2@example.org",)]


class Exploding:
    def send(
        self, messages: Sequence[OutgoingMessage], *, on_outcomes: object = None
    ) -> list[SendResult]:
        raise RuntimeError("bug in a transport")


def test_a_transport_bug_does_not_escape_and_counts_as_an_attempt(engine: Engine) -> None:
    enqueue(engine, [new(1)])
    report = dispatch(engine, Exploding(), Clock())
    assert report.errors == ["RuntimeError: bug in a transport"]  # type: ignore[attr-defined]
    (row,) = outbox_rows(engine)
    assert (row.state, row.attempts) == ("pending", 1)
    assert "may have been sent" in (row.last_error or "")


def test_stale_claims_are_reclaimed_after_the_lease_timeout(engine: Engine) -> None:
    enqueue(engine, [new(1), new(2)])
    claim_batch(engine, worker="killed", now=START, limit=10)  # a dispatcher dies here
    clock = Clock(START + timedelta(minutes=10))
    transport = RecordingTransport()
    assert dispatch(engine, transport, clock).counts()["sent"] == 0  # type: ignore[attr-defined]
    assert {r.state for r in outbox_rows(engine)} == {"sending"}
    clock.advance(minutes=21)
    report = dispatch(engine, transport, clock)
    assert report.counts()["reclaimed"] == 2  # type: ignore[attr-defined]
    assert report.counts()["sent"] == 2  # type: ignore[attr-defined]
    assert [r.attempts for r in outbox_rows(engine)] == [2, 2]


def test_a_stale_claim_on_its_last_attempt_fails_instead(engine: Engine) -> None:
    enqueue(engine, [new(1)])
    claim_batch(engine, worker="killed", now=START, limit=10)
    dispatch(engine, RecordingTransport(), Clock(START + timedelta(hours=1)), max_attempts=1)
    (row,) = outbox_rows(engine)
    assert row.state == "failed"
    assert row.last_error == "the dispatcher stopped after claiming this message; no attempts left"


def _fail_all(engine: Engine) -> list[int]:
    enqueue(engine, [new(1), new(2), new(3)])
    with session_scope(engine, write=True) as session:
        session.execute(update(OutboxMessage).values(state="failed", attempts=8, last_error="550"))
    return [r.id for r in outbox_rows(engine)]


def test_failed_messages_can_be_retried_by_id_or_all_with_an_audit_trail(engine: Engine) -> None:
    ids = _fail_all(engine)
    with session_scope(engine, write=True) as session:
        assert retry_failed(session, actor=actor(session, ADMIN), now=START, ids=[ids[0]]) == [
            ids[0]
        ]
    states = [(r.state, r.attempts) for r in outbox_rows(engine)]
    assert states == [("pending", 0), ("failed", 8), ("failed", 8)]
    with session_scope(engine, write=True) as session:
        assert retry_failed(session, actor=OPERATOR, now=START, all_failed=True) == ids[1:]
        audit = session.execute(
            select(func.count()).select_from(AuditLog).where(AuditLog.entity == "outbox_message")
        ).scalar_one()
    assert audit == 3
    assert dispatch(engine, RecordingTransport(), Clock()).counts()["sent"] == 3  # type: ignore[attr-defined]


def test_only_failed_messages_can_be_retried_and_only_by_administrators(engine: Engine) -> None:
    ids = _fail_all(engine)
    dispatch_ready = retry_failed
    with session_scope(engine, write=True) as session:
        dispatch_ready(session, actor=OPERATOR, now=START, ids=[ids[0]])
    with session_scope(engine, write=True) as session:
        with pytest.raises(ValueError, match=rf"{ids[0]} \(pending\), 999 \(no such message\)"):
            retry_failed(session, actor=OPERATOR, now=START, ids=[ids[0], 999])
        with pytest.raises(PermissionDenied):
            retry_failed(session, actor=actor(session, PARTNER), now=START, all_failed=True)
        with pytest.raises(ValueError, match="not both"):
            retry_failed(session, actor=OPERATOR, now=START, ids=[ids[1]], all_failed=True)
    assert [r.state for r in outbox_rows(engine)] == ["pending", "failed", "failed"]


def test_administrators_list_and_filter_the_outbox(engine: Engine) -> None:
    enqueue(engine, [new(1), new(2), new(3, rule="chaser")])
    transport = RecordingTransport(
        refuse={"owner2@example.org": SendResult("", ok=False, error="550", permanent=True)}
    )
    dispatch(engine, transport, Clock())
    with session_scope(engine) as session:
        admin = actor(session, ADMIN)
        assert count_outbox(session) == {"pending": 0, "sending": 0, "sent": 2, "failed": 1}
        newest_first = list_outbox(session, actor=admin)
        assert [e.recipient_email for e in newest_first] == [
            "owner3@example.org",
            "owner2@example.org",
            "owner1@example.org",
        ]
        assert [e.id for e in list_outbox(session, actor=admin, state="failed")] == [
            newest_first[1].id
        ]
        assert len(list_outbox(session, actor=admin, rule="chaser")) == 1
        assert len(list_outbox(session, actor=admin, search="P2.1")) == 1
        text = read_message_text(session, actor=admin, message_id=newest_first[0].id)
        assert text == "Action P2.3 needs an update.\n"
        with pytest.raises(ValueError, match="unknown outbox state"):
            list_outbox(session, actor=admin, state="lost")
        with pytest.raises(PermissionDenied):
            list_outbox(session, actor=actor(session, PARTNER))


def test_long_dedupe_keys_stay_unique_within_the_column() -> None:
    base = "x" * 390
    first, second = make_dedupe_key("rule", base + "a"), make_dedupe_key("rule", base + "b")
    assert len(first) <= 400 and len(second) <= 400
    assert first != second
    assert make_dedupe_key("Chaser", "Owner@Example.org") == "chaser:owner@example.org"

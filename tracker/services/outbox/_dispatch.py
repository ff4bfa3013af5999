"""The outbox dispatcher: claim pending messages, send them, record what happened.

One pass of ``dispatch_outbox`` repeats three short transactions until nothing is due:

1. *claim*: ``UPDATE outbox_message SET state='sending', claimed_by=<this pass>, claimed_at=now,
   attempts=attempts+1 WHERE id IN (<oldest due pending ids>) AND state='pending'`` (on
   PostgreSQL the ids are picked ``FOR UPDATE SKIP LOCKED``, on SQLite the write lock is taken
   up front), committed before anything is sent;
2. *send* the claimed batch through the injected ``MailTransport``, outside any transaction;
3. *record* each message's outcome, committed the moment the transport reports that the server
   answered for it (per message for SMTP and files, per ``$batch`` of at most 20 for Graph) and
   before the next message goes out: sent (with the provider's id), back to pending with
   exponential back-off after a temporary failure, or failed (a permanent refusal, or the last
   allowed attempt).

If the transport cannot start at all (``TransportUnavailable``: the SMTP relay refuses
connections, Entra refuses the token) the batch goes back to pending untouched, not counting as
an attempt, and the pass stops: mail waits for the server, it is never dropped for its absence.

A dispatcher killed between claim and record leaves rows in ``sending``. Each pass first
*reclaims* rows claimed longer ago than the lease timeout (far longer than any one send can
take) and queues them again. Every message is therefore delivered, and a message the server
never received is never lost.

**The one unavoidable window.** Because outcomes are committed one by one, a dispatcher killed
part-way through a batch leaves in ``sending`` only what it had not yet heard back about: the
one message on the wire (SMTP, file) or the one ``$batch`` of at most 20 (Graph). If the server
had in fact accepted it, it is sent again after the lease timeout; everything recorded before
stays sent. No outbox can close this last window without the mail server taking part in a
transaction. The ``Message-ID`` is derived from the outbox row, so the repeat carries the same
id as the original (mail clients and Exchange can recognise it; the file transport overwrites
the same file), and the attempt count and ``last_error`` of a reclaimed row say it was
reclaimed.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, or_, select, update
from sqlmodel import Session, col

from tracker import clock
from tracker.db import session_scope
from tracker.mail.message import HeaderInjectionError, OutgoingMessage
from tracker.mail.protocol import MailTransport, SendResult, TransportUnavailable
from tracker.models import OutboxMessage, OutboxState

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return clock.now()


@dataclass(frozen=True)
class DispatchPolicy:
    """How hard the dispatcher tries; the defaults suit a real relay or Microsoft Graph."""

    max_attempts: int = 8
    batch_size: int = 100
    # Longer than the slowest send a transport can make (Graph retries, Retry-After waits).
    lease_timeout: timedelta = timedelta(minutes=30)
    backoff_base: timedelta = timedelta(minutes=1)
    backoff_cap: timedelta = timedelta(hours=6)
    unavailable_delay: timedelta = timedelta(minutes=1)

    def backoff(self, attempts: int) -> timedelta:
        """Wait after ``attempts`` failed attempts: 1, 2, 4, 8 ... minutes, at most the cap."""
        wait: timedelta = self.backoff_base * 2 ** max(attempts - 1, 0)
        return min(self.backoff_cap, wait)


@dataclass
class DispatchReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    unavailable: int = 0  # messages put back untouched because the server could not be reached
    reclaimed: int = 0
    errors: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "sent": self.sent,
            "retrying": self.retrying,
            "failed": self.failed,
            "unavailable": self.unavailable,
            "reclaimed": self.reclaimed,
        }

    @property
    def did_anything(self) -> bool:
        return any(self.counts().values())


@dataclass(frozen=True)
class _Claimed:
    id: int
    dedupe_key: str
    recipient_email: str
    subject: str
    body_text: str
    body_html: str
    attempts: int


def message_id_for(outbox_id: int, dedupe_key: str, *, domain: str) -> str:
    """The ``Message-ID`` of an outbox row: the same for every attempt at sending it."""
    digest = hashlib.sha256(dedupe_key.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"<outbox-{outbox_id}.{digest}@{domain}>"


def reclaim_stale(engine: Engine, *, now: datetime, policy: DispatchPolicy) -> int:
    """Queue again the rows a dispatcher claimed and never finished (it was killed or hung)."""
    cutoff = now - policy.lease_timeout
    stale = (
        col(OutboxMessage.state) == OutboxState.SENDING.value,
        col(OutboxMessage.claimed_at) < cutoff,
    )
    note = "the dispatcher stopped after claiming this message; "
    with session_scope(engine, write=True) as session:
        failed: Any = session.execute(
            update(OutboxMessage)
            .where(*stale, col(OutboxMessage.attempts) >= policy.max_attempts)
            .values(state=OutboxState.FAILED.value, last_error=note + "no attempts left")
        )
        queued: Any = session.execute(
            update(OutboxMessage)
            .where(*stale)
            .values(
                state=OutboxState.PENDING.value,
                next_attempt_at=now,
                last_error=note + "queued again",
            )
        )
    count_failed, count_queued = int(failed.rowcount or 0), int(queued.rowcount or 0)
    if count_failed or count_queued:
        log.warning(
            "reclaimed %d stale outbox messages (%d failed)",
            count_failed + count_queued,
            count_failed,
        )
    return count_failed + count_queued


def claim_batch(engine: Engine, *, worker: str, now: datetime, limit: int) -> list[_Claimed]:
    """Atomically mark up to ``limit`` due pending messages as being sent by ``worker``."""
    with session_scope(engine, write=True) as session:
        due = (
            select(col(OutboxMessage.id))
            .where(
                col(OutboxMessage.state) == OutboxState.PENDING.value,
                or_(
                    col(OutboxMessage.next_attempt_at).is_(None),
                    col(OutboxMessage.next_attempt_at) <= now,
                ),
            )
            .order_by(col(OutboxMessage.id))
            .limit(limit)
        )
        if session.get_bind().dialect.name == "postgresql":
            # Two dispatchers (a CLI run beside the scheduler) take disjoint batches, no waiting.
            due = due.with_for_update(skip_locked=True)
        ids = list(session.execute(due).scalars())
        if not ids:
            return []
        session.execute(
            update(OutboxMessage)
            .where(
                col(OutboxMessage.id).in_(ids),
                col(OutboxMessage.state) == OutboxState.PENDING.value,
            )
            .values(
                state=OutboxState.SENDING.value,
                claimed_by=worker,
                claimed_at=now,
                attempts=col(OutboxMessage.attempts) + 1,
            )
        )
        rows = session.execute(
            select(OutboxMessage)
            .where(
                col(OutboxMessage.id).in_(ids),
                col(OutboxMessage.claimed_by) == worker,
                col(OutboxMessage.state) == OutboxState.SENDING.value,
            )
            .order_by(col(OutboxMessage.id))
        ).scalars()
        return [
            _Claimed(
                id=m.id or 0,
                dedupe_key=m.dedupe_key,
                recipient_email=m.recipient_email,
                subject=m.subject,
                body_text=m.body_text,
                body_html=m.body_html,
                attempts=m.attempts,
            )
            for m in rows
        ]


def _finish(session: Session, row: _Claimed, worker: str, **values: object) -> None:
    result: Any = session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.id) == row.id,
            col(OutboxMessage.claimed_by) == worker,
            col(OutboxMessage.state) == OutboxState.SENDING.value,
        )
        .values(**values)
    )
    if result.rowcount != 1:
        # Only possible if this send outlived the lease timeout and another pass reclaimed it.
        log.error("outbox message %d was reclaimed while being sent; it may go twice", row.id)


def _record(
    engine: Engine,
    outcomes: Sequence[tuple[_Claimed, SendResult]],
    *,
    worker: str,
    now: datetime,
    policy: DispatchPolicy,
    report: DispatchReport,
) -> None:
    with session_scope(engine, write=True) as session:
        for row, result in outcomes:
            if result.ok:
                report.sent += 1
                _finish(
                    session,
                    row,
                    worker,
                    state=OutboxState.SENT.value,
                    sent_at=now,
                    provider_message_id=(result.provider_id or "")[:400] or None,
                    last_error=None,
                )
            elif result.permanent or row.attempts >= policy.max_attempts:
                report.failed += 1
                error = result.error or "refused"
                if not result.permanent:
                    error = f"gave up after {row.attempts} attempts: {error}"
                _finish(session, row, worker, state=OutboxState.FAILED.value, last_error=error)
            else:
                report.retrying += 1
                _finish(
                    session,
                    row,
                    worker,
                    state=OutboxState.PENDING.value,
                    next_attempt_at=now + policy.backoff(row.attempts),
                    last_error=result.error,
                )


def _release(
    engine: Engine, rows: Sequence[_Claimed], *, worker: str, error: str, retry_at: datetime
) -> None:
    """Give claimed rows back untouched (the attempt does not count): nothing was sent."""
    with session_scope(engine, write=True) as session:
        session.execute(
            update(OutboxMessage)
            .where(
                col(OutboxMessage.id).in_([r.id for r in rows]),
                col(OutboxMessage.claimed_by) == worker,
                col(OutboxMessage.state) == OutboxState.SENDING.value,
            )
            .values(
                state=OutboxState.PENDING.value,
                attempts=col(OutboxMessage.attempts) - 1,
                next_attempt_at=retry_at,
                last_error=error,
            )
        )


def _to_outgoing(
    rows: Sequence[_Claimed], *, domain: str, reply_to: str | None
) -> tuple[list[tuple[_Claimed, OutgoingMessage]], list[tuple[_Claimed, SendResult]]]:
    """Build the messages; a row that cannot be a safe e-mail fails permanently instead."""
    ready: list[tuple[_Claimed, OutgoingMessage]] = []
    refused: list[tuple[_Claimed, SendResult]] = []
    for row in rows:
        message_id = message_id_for(row.id, row.dedupe_key, domain=domain)
        try:
            message = OutgoingMessage(
                to=(row.recipient_email,),
                subject=row.subject,
                text=row.body_text,
                html=row.body_html,
                message_id=message_id,
                reply_to=reply_to,
            )
        except HeaderInjectionError as exc:
            refused.append((row, SendResult(message_id, ok=False, error=str(exc), permanent=True)))
            continue
        ready.append((row, message))
    return ready, refused


def _send_batch(
    engine: Engine,
    rows: Sequence[_Claimed],
    *,
    transport: MailTransport,
    worker: str,
    domain: str,
    reply_to: str | None,
    policy: DispatchPolicy,
    clock: Clock,
    report: DispatchReport,
) -> bool:
    """Send one claimed batch; False when the transport is unavailable and the pass must stop.

    Each outcome is committed the moment the transport reports it (``on_outcomes``), before the
    next message goes out; whatever it did not report is recorded from its return value.
    """
    ready, refused = _to_outgoing(rows, domain=domain, reply_to=reply_to)
    _record(engine, refused, worker=worker, now=clock(), policy=policy, report=report)
    recorded: set[int] = set()

    def record_now(pairs: Sequence[tuple[int, SendResult]]) -> None:
        fresh = [(index, result) for index, result in pairs if index not in recorded]
        outcomes = [(ready[index][0], result) for index, result in fresh]
        _record(engine, outcomes, worker=worker, now=clock(), policy=policy, report=report)
        recorded.update(index for index, _ in fresh)

    messages = [message for _, message in ready]
    try:
        results = transport.send(messages, on_outcomes=record_now) if ready else []
    except TransportUnavailable as exc:
        unsent = [row for index, (row, _) in enumerate(ready) if index not in recorded]
        report.unavailable += len(unsent)
        report.errors.append(str(exc))
        log.warning("mail server unavailable, %d messages stay queued: %s", len(unsent), exc)
        _release(
            engine,
            unsent,
            worker=worker,
            error=f"mail server unavailable: {exc}",
            retry_at=clock() + policy.unavailable_delay,
        )
        return False
    except Exception as exc:
        # A transport bug must not kill the scheduler; the attempt counts, so it cannot loop.
        log.exception("mail transport failed unexpectedly")
        report.errors.append(f"{type(exc).__name__}: {exc}")
        error = f"unexpected transport error (may have been sent): {type(exc).__name__}: {exc}"
        record_now(
            [(i, SendResult(m.message_id, ok=False, error=error)) for i, m in enumerate(messages)]
        )
        return False
    record_now(list(enumerate(results)))
    return True


def dispatch_outbox(
    engine: Engine,
    *,
    transport: MailTransport,
    domain: str,
    reply_to: str | None = None,
    policy: DispatchPolicy | None = None,
    clock: Clock = utc_now,
    max_batches: int | None = None,
) -> DispatchReport:
    """Send every message due now, batch by batch; never raises for a mail problem.

    ``domain`` goes into each ``Message-ID``; ``reply_to`` (the programme office) into each
    message. Stops when nothing is due, the transport is unavailable, or after ``max_batches``.
    """
    policy = policy or DispatchPolicy()
    report = DispatchReport(reclaimed=reclaim_stale(engine, now=clock(), policy=policy))
    worker = f"dispatch-{uuid.uuid4().hex[:12]}"
    batches = 0
    while max_batches is None or batches < max_batches:
        rows = claim_batch(engine, worker=worker, now=clock(), limit=policy.batch_size)
        if not rows:
            break
        batches += 1
        carry_on = _send_batch(
            engine,
            rows,
            transport=transport,
            worker=worker,
            domain=domain,
            reply_to=reply_to,
            policy=policy,
            clock=clock,
            report=report,
        )
        if not carry_on:
            break
    return report

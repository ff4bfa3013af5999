"""The transactional mail outbox: messages written once, then listed, retried and dispatched.

Reminders are not sent by the code that decides them: they are written to ``outbox_message``
with a unique *dedupe key* (rule, recipient, board, meeting, ...). ``enqueue_messages`` inserts
with ``INSERT ... ON CONFLICT (dedupe_key) DO NOTHING`` on both SQLite and PostgreSQL, so running
the rules again, or two runs racing, can never queue the same e-mail twice. The dispatcher
(``tracker.services.outbox``) claims pending rows, sends them through the configured
transport and records the outcome. Administrators list the outbox here and put failed messages
back in the queue (``retry_failed``), from the Reminders page or ``tracker outbox retry``.

States: ``pending`` (waiting, possibly until ``next_attempt_at`` after a temporary failure),
``sending`` (claimed by a dispatcher), ``sent`` and ``failed`` (permanent refusal, or
``mail_max_attempts`` used up).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from tracker.errors import InvalidInput, NotFound
from tracker.models import GovernanceBody, OutboxMessage, OutboxState, Person
from tracker.permissions import Actor, Operation, require
from tracker.services.audit import record_change

MAX_DEDUPE_KEY = 400
STATES = tuple(state.value for state in OutboxState)


def make_dedupe_key(*parts: str) -> str:
    """Join ``parts`` into a dedupe key; e-mail addresses compare case-insensitively.

    A key longer than the column allows keeps a readable prefix and ends in a digest of the
    whole, so two long keys never collide by truncation.
    """
    key = ":".join(part.strip().lower() for part in parts)
    if len(key) <= MAX_DEDUPE_KEY:
        return key
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{key[: MAX_DEDUPE_KEY - len(digest) - 1]}#{digest}"


@dataclass(frozen=True)
class NewMessage:
    """A rendered e-mail ready to be queued."""

    dedupe_key: str
    rule: str
    recipient_email: str
    subject: str
    body_text: str
    body_html: str
    recipient_id: int | None = None
    body_id: int | None = None
    meeting_date: date | None = None


@dataclass(frozen=True)
class EnqueueReport:
    added: int
    already_queued: int


def _insert_ignoring_duplicates(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    table = OutboxMessage.metadata.tables["outbox_message"]
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=["dedupe_key"])
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing(index_elements=["dedupe_key"])
    raise NotImplementedError(f"the outbox does not support the {dialect} database")


def enqueue_messages(
    session: Session, *, messages: Sequence[NewMessage], now: datetime
) -> EnqueueReport:
    """Queue ``messages``; a dedupe key already in the outbox (in any state) is skipped."""
    unique = list({m.dedupe_key: m for m in messages}.values())
    added = 0
    statement = _insert_ignoring_duplicates(session)
    for message in unique:
        # One row per statement with RETURNING: whether the row went in is then known on every
        # driver (rowcount is not reliable for ON CONFLICT), and a run is a few thousand rows.
        inserted = session.execute(
            statement.values(
                dedupe_key=message.dedupe_key,
                rule=message.rule,
                recipient_email=message.recipient_email,
                recipient_id=message.recipient_id,
                body_id=message.body_id,
                meeting_date=message.meeting_date,
                subject=message.subject,
                body_text=message.body_text,
                body_html=message.body_html,
                state=OutboxState.PENDING.value,
                attempts=0,
                created_at=now,
                next_attempt_at=now,
            ).returning(statement.table.c.id)
        ).first()
        added += inserted is not None
    return EnqueueReport(added=added, already_queued=len(messages) - added)


def find_states(session: Session, *, keys: Sequence[str]) -> dict[str, str]:
    """The state of each dedupe key already in the outbox (keys not there are left out)."""
    found: dict[str, str] = {}
    for start in range(0, len(keys), 500):
        chunk = list(keys[start : start + 500])
        rows = session.execute(
            select(col(OutboxMessage.dedupe_key), col(OutboxMessage.state)).where(
                col(OutboxMessage.dedupe_key).in_(chunk)
            )
        ).all()
        found.update({key: state for key, state in rows})
    return found


# --- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxEntry:
    id: int
    rule: str
    recipient_email: str
    recipient_name: str | None
    board: str | None
    meeting_date: date | None
    subject: str
    state: str
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None


def _check_may_manage(actor: Actor, what: str) -> None:
    # The operator at the command line (``Actor.for_operator``) passes: they hold the database.
    require(actor, Operation.MANAGE_MAIL, what=what)


def list_outbox(
    session: Session,
    *,
    actor: Actor,
    state: str | None = None,
    rule: str | None = None,
    search: str | None = None,
    limit: int = 200,
) -> list[OutboxEntry]:
    """Outbox messages, newest first, optionally of one state or rule or matching ``search``."""
    _check_may_manage(actor, "the mail outbox")
    if state is not None and state not in STATES:
        raise InvalidInput(f"unknown outbox state {state!r}; use one of {', '.join(STATES)}")
    query = (
        select(OutboxMessage, col(Person.name), col(GovernanceBody.name))
        .outerjoin(Person, col(Person.id) == col(OutboxMessage.recipient_id))
        .outerjoin(GovernanceBody, col(GovernanceBody.id) == col(OutboxMessage.body_id))
        .order_by(col(OutboxMessage.id).desc())
        .limit(limit)
    )
    if state:
        query = query.where(col(OutboxMessage.state) == state)
    if rule:
        query = query.where(col(OutboxMessage.rule) == rule)
    if search:
        needle = f"%{search.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(OutboxMessage.recipient_email).like(needle),
                func.lower(OutboxMessage.subject).like(needle),
            )
        )
    return [
        OutboxEntry(
            id=m.id or 0,
            rule=m.rule,
            recipient_email=m.recipient_email,
            recipient_name=person,
            board=board,
            meeting_date=m.meeting_date,
            subject=m.subject,
            state=m.state,
            attempts=m.attempts,
            last_error=m.last_error,
            created_at=m.created_at,
            next_attempt_at=m.next_attempt_at,
            sent_at=m.sent_at,
        )
        for m, person, board in session.execute(query).all()
    ]


def count_outbox(session: Session) -> dict[str, int]:
    """How many messages are in each state (every state present, zero when empty)."""
    counts = dict.fromkeys(STATES, 0)
    rows = session.execute(
        select(col(OutboxMessage.state), func.count()).group_by(col(OutboxMessage.state))
    ).all()
    for state, count in rows:
        counts[state] = int(count)
    return counts


@dataclass(frozen=True)
class PendingSummary:
    """Messages waiting to go: how many, the first retry time, and why the last try failed."""

    pending: int
    next_attempt_at: datetime | None  # None: some are due now
    last_error: str | None


def summarise_pending(session: Session, *, now: datetime) -> PendingSummary:
    """Why a send found nothing to do while messages wait: they are held until a retry time."""
    pending = col(OutboxMessage.state) == OutboxState.PENDING.value
    count, first_retry = session.execute(
        select(func.count(), func.min(OutboxMessage.next_attempt_at)).where(pending)
    ).one()
    due_now = session.execute(
        select(func.count()).where(
            pending,
            or_(
                col(OutboxMessage.next_attempt_at).is_(None),
                col(OutboxMessage.next_attempt_at) <= now,
            ),
        )
    ).scalar_one()
    last_error = session.execute(
        select(col(OutboxMessage.last_error))
        .where(pending, col(OutboxMessage.last_error).is_not(None))
        .order_by(col(OutboxMessage.next_attempt_at).desc(), col(OutboxMessage.id).desc())
        .limit(1)
    ).scalar_one_or_none()
    return PendingSummary(
        pending=int(count),
        next_attempt_at=None if due_now else first_retry,
        last_error=last_error,
    )


def read_message_text(session: Session, *, actor: Actor, message_id: int) -> str:
    """The plain-text body of one message, for an administrator checking what was sent."""
    _check_may_manage(actor, "the mail outbox")
    text = session.execute(
        select(col(OutboxMessage.body_text)).where(col(OutboxMessage.id) == message_id)
    ).scalar_one_or_none()
    if text is None:
        raise NotFound(f"no outbox message {message_id}")
    return str(text)


# --- retrying -----------------------------------------------------------------------------


def retry_failed(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    ids: Sequence[int] = (),
    all_failed: bool = False,
) -> list[int]:
    """Put failed messages back in the queue with a fresh set of attempts; returns their ids.

    Give ``ids`` or ``all_failed=True``. An id that is not a failed message is an error (a
    message already sent must never be resent by mistake); nothing changes in that case.
    """
    _check_may_manage(actor, "retry failed e-mail")
    if bool(ids) == all_failed:
        raise InvalidInput("give the ids of failed messages to retry, or all_failed, not both")
    query = select(col(OutboxMessage.id), col(OutboxMessage.state))
    if all_failed:
        query = query.where(col(OutboxMessage.state) == OutboxState.FAILED.value)
    else:
        query = query.where(col(OutboxMessage.id).in_(list(ids)))
    states = {int(i): s for i, s in session.execute(query).all()}
    wrong = [
        f"{i} ({states[i]})" if i in states else f"{i} (no such message)"
        for i in ids
        if states.get(i) != OutboxState.FAILED.value
    ]
    if wrong:
        raise InvalidInput(f"only failed messages can be retried: {', '.join(wrong)}")
    chosen = sorted(states)
    if not chosen:
        return []
    session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.id).in_(chosen),
            col(OutboxMessage.state) == OutboxState.FAILED.value,
        )
        .values(state=OutboxState.PENDING.value, attempts=0, next_attempt_at=now, claimed_by=None)
    )
    for message_id in chosen:
        record_change(
            session,
            actor=actor,
            entity="outbox_message",
            entity_id=message_id,
            field="state",
            old=OutboxState.FAILED.value,
            new=OutboxState.PENDING.value,
            reason="retried",
        )
    return chosen

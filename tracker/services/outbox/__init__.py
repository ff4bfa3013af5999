"""The transactional mail outbox: messages queued once, listed, retried and dispatched.

``enqueue_messages`` writes messages with a unique dedupe key so nothing is queued twice;
``dispatch_outbox`` claims due messages, sends them through an injected transport and records
each outcome.
"""

from tracker.services.outbox._dispatch import (
    Clock,
    DispatchPolicy,
    DispatchReport,
    claim_batch,
    dispatch_outbox,
    message_id_for,
    utc_now,
)
from tracker.services.outbox._queue import (
    STATES,
    NewMessage,
    OutboxEntry,
    count_outbox,
    enqueue_messages,
    find_states,
    list_outbox,
    make_dedupe_key,
    read_message_text,
    retry_failed,
    summarise_pending,
)

__all__ = [
    "STATES",
    "Clock",
    "DispatchPolicy",
    "DispatchReport",
    "NewMessage",
    "OutboxEntry",
    "claim_batch",
    "count_outbox",
    "dispatch_outbox",
    "enqueue_messages",
    "find_states",
    "list_outbox",
    "make_dedupe_key",
    "message_id_for",
    "read_message_text",
    "retry_failed",
    "summarise_pending",
    "utc_now",
]

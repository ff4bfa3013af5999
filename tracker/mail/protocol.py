"""What every mail transport promises: the ``MailTransport`` protocol and its result type.

Kept apart from the transports themselves so the SMTP/file transports and the Graph transport
share one definition without importing each other. The contract the outbox dispatcher relies on:
``send`` returns one ``SendResult`` per message in the same order and never raises for a
per-message failure; it raises ``TransportUnavailable`` only when it could not start at all
(server unreachable, credentials refused), in which case nothing was sent and every message can
stay pending. While it works, ``send`` hands each outcome to ``on_outcomes`` the moment the
server has answered for it (per message for SMTP and files, per ``$batch`` response for Graph)
and before it sends anything more, so the dispatcher can commit it at once: a process killed
part-way then has only the message (or the one batch) in flight unrecorded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from tracker.errors import OperationFailed
from tracker.mail.message import OutgoingMessage


class TransportUnavailable(OperationFailed):
    """The transport could not reach or sign in to its server; no message in the call was sent."""


@dataclass(frozen=True)
class SendResult:
    """The outcome for one message.

    ``permanent`` failures (an address the server refuses, a malformed request) will not succeed
    on retry; temporary ones (throttling, server errors) may. ``provider_id`` is whatever the
    server gave back to trace the message (a file path, a Graph request id), when it gave one.
    """

    message_id: str
    ok: bool
    error: str | None = None
    permanent: bool = False
    provider_id: str | None = None


# Called with (index into the messages given to ``send``, its result) pairs.
OutcomeSink = Callable[[Sequence[tuple[int, SendResult]]], None]


class MailTransport(Protocol):
    """Delivers messages; one real implementation per channel, and fakes in tests."""

    def send(
        self, messages: Sequence[OutgoingMessage], *, on_outcomes: OutcomeSink | None = None
    ) -> list[SendResult]:
        """One result per message, same order; raises only ``TransportUnavailable``.

        Each result is also given to ``on_outcomes`` (once) as soon as it is known, before the
        next message goes out; an exception from ``on_outcomes`` stops the call.
        """
        ...


def report_outcomes(
    on_outcomes: OutcomeSink | None, pairs: Sequence[tuple[int, SendResult]]
) -> None:
    """Give ``pairs`` to ``on_outcomes`` when there is a sink and something to tell it."""
    if on_outcomes is not None and pairs:
        on_outcomes(pairs)


def delivered(message: OutgoingMessage, *, provider_id: str | None = None) -> SendResult:
    """The result for a message the server accepted."""
    return SendResult(message_id=message.message_id, ok=True, provider_id=provider_id)


def failed(message: OutgoingMessage, error: str, *, permanent: bool) -> SendResult:
    """The result for a message the server did not accept."""
    return SendResult(message_id=message.message_id, ok=False, error=error, permanent=permanent)

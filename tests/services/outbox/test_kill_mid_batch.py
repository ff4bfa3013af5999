"""A dispatcher SIGKILLed in the middle of a batch of 100: at most the one in flight goes twice.

The dispatcher runs in a child process against a real server the test slows down (aiosmtpd, or
the fake Microsoft Graph); once about 28 messages have arrived the child is killed outright.
The claims are then recovered (the lease timeout passed) and dispatched again. Counting what
the server received per Message-ID: every message arrived, and only the message on the wire
(SMTP) or the one ``$batch`` of at most 20 in flight (Graph) arrived twice, because each outcome
was committed the moment the server answered for it.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session
from sqlalchemy import Engine

from tests.fakes.graph_server import FakeGraphServer, RecordedRequest, Response
from tests.mail.conftest import RecordingHandler
from tests.reminders.helpers import outbox_rows, parse_envelope
from tests.services.reminders.test_delivery import smtp
from tracker.db import session_scope
from tracker.mail.graph import GraphTransport
from tracker.mail.protocol import MailTransport
from tracker.services.outbox import (
    DispatchPolicy,
    NewMessage,
    dispatch_outbox,
    enqueue_messages,
    make_dedupe_key,
)

pytestmark = pytest.mark.slow

BATCH = 100
KILL_AFTER = 28
DEADLINE = 90.0
CHILD_GRAPH_OPTIONS = (
    *("tenant_id", "client_id", "client_secret", "sender"),
    *("authority_host", "graph_base_url"),
)

CHILD = textwrap.dedent(
    """
    import json, ssl, sys
    import httpx, requests
    from tracker.db import make_engine
    from tracker.mail.graph import GraphTransport
    from tracker.mail.transports import SmtpTransport
    from tracker.services.outbox import DispatchPolicy, dispatch_outbox

    url, kind, options = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    if kind == "smtp":
        transport = SmtpTransport(host="127.0.0.1", port=options["port"], starttls=False,
                                  user=None, password=None, sender="send.tracker@example.org")
    else:
        ca = options.pop("ca_file")
        session = requests.Session()
        session.verify, session.trust_env = ca, False
        http = httpx.Client(verify=ssl.create_default_context(cafile=ca), trust_env=False)
        transport = GraphTransport(**options, http_client=http, msal_http_client=session)
    dispatch_outbox(make_engine(url), transport=transport, domain="example.org",
                    policy=DispatchPolicy(batch_size=int(sys.argv[4])))
    """
)


def queue_batch(engine: Engine) -> None:
    messages = [
        NewMessage(
            dedupe_key=make_dedupe_key("update_request", f"owner{n}@example.org", "sob", "2026"),
            rule="update_request",
            recipient_email=f"owner{n}@example.org",
            subject=f"Please update action P2.{n}",
            body_text=f"Action P2.{n} needs an update.\n",
            body_html=f"<p>Action P2.{n} needs an update.</p>",
            meeting_date=date(2026, 2, 18),
        )
        for n in range(BATCH)
    ]
    with session_scope(engine, write=True) as session:
        assert enqueue_messages(session, messages=messages, now=datetime.now(UTC)).added == BATCH


def kill_after_arrivals(
    db_url: str, kind: str, options: dict[str, Any], arrived: Callable[[], int]
) -> int:
    """Start the dispatcher, SIGKILL it once ``arrived()`` reaches KILL_AFTER; return the count."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, db_url, kind, json.dumps(options), str(BATCH)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + DEADLINE
        while arrived() < KILL_AFTER:
            if child.poll() is not None or time.monotonic() > deadline:
                output = child.stdout.read().decode(errors="replace") if child.stdout else ""
                pytest.fail(f"dispatcher ended or stalled before the kill:\n{output}")
            time.sleep(0.01)
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
        return arrived()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if child.stdout:
            child.stdout.close()


def recover(engine: Engine, transport: MailTransport) -> None:
    """A later pass, after the lease timeout: the killed dispatcher's claims go again."""
    later = datetime.now(UTC) + timedelta(minutes=31)
    report = dispatch_outbox(
        engine,
        transport=transport,
        domain="example.org",
        clock=lambda: later,
        policy=DispatchPolicy(batch_size=BATCH),
    )
    assert report.errors == []


class SlowHandler(RecordingHandler):
    """A relay that takes 50 ms to accept each message, so the kill lands mid-batch."""

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        await asyncio.sleep(0.05)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def slow_smtp() -> Iterator[tuple[SlowHandler, int]]:
    from tests.mail.conftest import _free_port

    handler = SlowHandler()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def test_smtp_killed_mid_batch_sends_at_most_the_message_in_flight_twice(
    db_url: str, engine: Engine, slow_smtp: tuple[SlowHandler, int]
) -> None:
    handler, port = slow_smtp
    queue_batch(engine)
    at_kill = kill_after_arrivals(db_url, "smtp", {"port": port}, lambda: len(handler.envelopes))
    assert KILL_AFTER <= at_kill < BATCH  # killed in the middle of the one batch
    recorded = Counter(row.state for row in outbox_rows(engine))
    assert recorded["sent"] >= at_kill - 1  # all but the one in flight were recorded as sent

    recover(engine, smtp(port))

    deliveries = Counter(parse_envelope(e.content)["Message-ID"] for e in handler.envelopes)
    assert len(deliveries) == BATCH
    assert sum(deliveries.values()) <= BATCH + 1
    assert [n for n in deliveries.values() if n > 1] in ([], [2])
    assert {row.state for row in outbox_rows(engine)} == {"sent"}


class SlowGraph(FakeGraphServer):
    """The fake Graph, answering each ``$batch`` 0.4 s after it carried the messages out."""

    def _batch(self, request: RecordedRequest) -> Response:
        answer = super()._batch(request)
        time.sleep(0.4)
        return answer


def batch_of(request: RecordedRequest) -> set[str]:
    items = request.json()["requests"]
    return {item["body"]["message"]["internetMessageId"] for item in items}


def test_graph_killed_mid_batch_sends_at_most_one_batch_of_20_twice(
    db_url: str, engine: Engine
) -> None:
    queue_batch(engine)
    with SlowGraph() as graph:
        options = graph.transport_options()
        child_options = {key: options[key] for key in CHILD_GRAPH_OPTIONS}
        child_options["ca_file"] = str(graph.ca_file)
        at_kill = kill_after_arrivals(db_url, "graph", child_options, lambda: len(graph.delivered))
        assert KILL_AFTER <= at_kill < BATCH
        recover(engine, GraphTransport(**options, sleep=lambda _: None))

        deliveries = Counter(m.internet_message_id for m in graph.delivered)
        twice = {message_id for message_id, n in deliveries.items() if n > 1}
        batches = [batch_of(r) for r in graph.graph_requests if r.path == "/v1.0/$batch"]
        assert graph.errors == []
    assert len(deliveries) == BATCH
    assert set(deliveries.values()) <= {1, 2}
    assert len(twice) <= 20
    assert any(twice <= batch for batch in batches)  # all of them from one $batch
    assert {row.state for row in outbox_rows(engine)} == {"sent"}

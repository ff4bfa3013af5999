"""Reminders through the outbox to a real SMTP server and to the fake Microsoft Graph.

SMTP: aiosmtpd on a free port receives what the dispatcher sends; a port with nothing listening
stands for a relay that refuses connections. Graph: the fake Entra ID + Graph server, scripted
to throttle, fail and revoke tokens, with the dispatcher and outbox in front of it this time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, delete, select

from jobs.tasks import JobContext, dispatch_outbox_job
from tests.fakes.graph_server import FakeGraphServer, Scripted
from tests.mail.conftest import RecordingHandler, SmtpServer, _free_port
from tests.reminders.helpers import (
    APP_URL,
    SOB,
    html_of,
    make_settings,
    open_actions_by_owner,
    outbox_rows,
    parse_envelope,
    text_of,
)
from tests.services.reminders.test_rules import WINDOW_OPENS
from tracker.db import session_scope
from tracker.governance import GovernanceConfig
from tracker.mail.graph import GraphTransport
from tracker.mail.transports import SmtpTransport
from tracker.models import JobRun, OutboxMessage
from tracker.services.operations import acquire_scheduler_lock
from tracker.services.reminders import queue_due_reminders, send_queued_mail

NOW = datetime(2026, 2, 6, 7, 30, tzinfo=UTC)


def smtp(port: int) -> SmtpTransport:
    return SmtpTransport(
        host="127.0.0.1",
        port=port,
        starttls=False,
        user=None,
        password=None,
        sender="send.tracker@example.org",
        timeout=5,
    )


def queue_window_opening(engine: Engine, governance: GovernanceConfig) -> int:
    queued = queue_due_reminders(
        engine,
        governance=governance,
        app_url=APP_URL,
        today=WINDOW_OPENS,
        now=NOW,
        rules=("update_request",),
    )
    return queued.added


def test_reminders_arrive_with_the_right_recipients_subjects_and_deep_links(
    engine: Engine, governance: GovernanceConfig, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    queue_window_opening(engine, governance)
    settings = make_settings(str(engine.url), tmp_path)
    report = send_queued_mail(
        engine, settings=settings, transport=smtp(smtp_server.port), reply_to="send.pmo@example.org"
    )
    envelopes = smtp_server.handler.envelopes
    assert report.sent == len(envelopes) == len(outbox_rows(engine))
    sob_owners = open_actions_by_owner(engine, SOB)
    received = {}
    for envelope in envelopes:
        (recipient,) = envelope.rcpt_tos
        message = parse_envelope(envelope.content)
        assert envelope.mail_from == "send.tracker@example.org"
        assert message["To"] == recipient
        assert message["Reply-To"] == "send.pmo@example.org"
        received.setdefault(recipient, []).append(message)
    for owner, references in sob_owners.items():
        (message,) = [m for m in received[owner] if "SEND Operations Board" in m["Subject"]]
        count = len(references)
        noun = "action" if count == 1 else "actions"
        assert message["Subject"] == (
            f"Please update {count} {noun} for the SEND Operations Board by Friday 13 February 2026"
        )
        links = set(
            re.findall(r"https://tracker\.example\.org/send\?action=(P[\d.]+)", text_of(message))
        )
        assert links == references
        assert all(f'href="{APP_URL}?action={ref}"' in html_of(message) for ref in references)


def _context(engine: Engine, tmp_path: Path, transport: object, clock: object) -> JobContext:
    settings = make_settings(str(engine.url), tmp_path)
    return JobContext(
        settings=settings,
        engine=engine,
        transport=transport,  # type: ignore[arg-type]
        lock=acquire_scheduler_lock(engine),
        holder="test",
        started_at=NOW,
        clock=clock,  # type: ignore[arg-type]
    )


def test_a_server_refusing_connections_leaves_mail_pending_and_the_dispatcher_alive(
    sqlite_engine: Engine, governance: GovernanceConfig, tmp_path: Path
) -> None:
    queued = queue_window_opening(sqlite_engine, governance)
    port = _free_port()  # nothing listens here yet: connections are refused
    now = [NOW]
    context = _context(sqlite_engine, tmp_path, smtp(port), lambda: now[0])
    try:
        counts = dispatch_outbox_job(context)
        assert counts["unavailable"] == queued and counts["sent"] == 0
        assert {(r.state, r.attempts) for r in outbox_rows(sqlite_engine)} == {("pending", 0)}
        assert "cannot connect to SMTP server" in (outbox_rows(sqlite_engine)[0].last_error or "")
        with session_scope(sqlite_engine) as session:
            (run,) = session.execute(select(JobRun)).scalars()
            assert run.job_id == "dispatch-outbox" and run.error is None
        handler = RecordingHandler()  # the relay comes back on the same port
        server = Controller(handler, hostname="127.0.0.1", port=port)
        server.start()
        try:
            now[0] += timedelta(minutes=1)
            counts = dispatch_outbox_job(context)
        finally:
            server.stop()
    finally:
        context.lock.release()
    assert counts["sent"] == queued == len(handler.envelopes)
    assert {r.state for r in outbox_rows(sqlite_engine)} == {"sent"}


@pytest.fixture
def graph_dispatch(
    sqlite_engine: Engine, fake_graph: FakeGraphServer, sleeps: list[float], tmp_path: Path
) -> Iterator[tuple[Engine, GraphTransport, FakeGraphServer]]:
    transport = GraphTransport(**fake_graph.transport_options(), sleep=sleeps.append, max_retries=4)
    yield sqlite_engine, transport, fake_graph
    transport.close()


def _one_message(engine: Engine, governance: GovernanceConfig) -> None:
    """Queue one weekly digest (to the ICB Chief Nurse) and nothing else."""
    queue_due_reminders(
        engine,
        governance=governance,
        app_url=APP_URL,
        today=date(2026, 2, 9),
        now=NOW,
        rules=("weekly_digest",),
    )
    with session_scope(engine, write=True) as session:
        session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.recipient_email != "chief.nurse@example.nhs.uk"
            )
        )


def _send(engine: Engine, transport: GraphTransport, tmp_path: Path, **settings: object) -> object:
    return send_queued_mail(
        engine,
        settings=make_settings(str(engine.url), tmp_path, **settings),
        transport=transport,
        reply_to="send.pmo@example.org",
        clock=lambda: NOW + timedelta(hours=12),
    )


def test_graph_throttling_then_a_server_error_still_delivers_once(
    graph_dispatch: tuple[Engine, GraphTransport, FakeGraphServer],
    governance: GovernanceConfig,
    sleeps: list[float],
    tmp_path: Path,
) -> None:
    engine, transport, graph = graph_dispatch
    _one_message(engine, governance)
    graph.script_send(Scripted(429, retry_after=3), 503, 202)
    report = _send(engine, transport, tmp_path)
    assert report.sent == 1  # type: ignore[attr-defined]
    (row,) = outbox_rows(engine)
    assert (row.state, row.attempts) == ("sent", 1)
    assert [d.to for d in graph.delivered] == [("chief.nurse@example.nhs.uk",)]
    assert graph.delivered[0].subject == row.subject
    assert sleeps[0] == 3 and len(sleeps) == 2


def test_graph_rejecting_a_token_gets_a_new_one_and_delivers(
    graph_dispatch: tuple[Engine, GraphTransport, FakeGraphServer],
    governance: GovernanceConfig,
    tmp_path: Path,
) -> None:
    engine, transport, graph = graph_dispatch
    _one_message(engine, governance)
    graph.script_send(401, 202)
    assert _send(engine, transport, tmp_path).sent == 1  # type: ignore[attr-defined]
    assert len(graph.token_requests) == 2
    assert [r.state for r in outbox_rows(engine)] == ["sent"]


def test_ten_server_errors_end_with_the_message_failed(
    graph_dispatch: tuple[Engine, GraphTransport, FakeGraphServer],
    governance: GovernanceConfig,
    tmp_path: Path,
) -> None:
    engine, transport, graph = graph_dispatch
    _one_message(engine, governance)
    graph.script_send(*([500] * 10))
    first = _send(engine, transport, tmp_path, mail_max_attempts=2)
    assert first.retrying == 1  # type: ignore[attr-defined]
    (row,) = outbox_rows(engine)
    assert (row.state, row.attempts) == ("pending", 1)
    later = send_queued_mail(
        engine,
        settings=make_settings(str(engine.url), tmp_path, mail_max_attempts=2),
        transport=transport,
        reply_to=None,
        clock=lambda: NOW + timedelta(days=1),
    )
    assert later.failed == 1
    (row,) = outbox_rows(engine)
    assert (row.state, row.attempts) == ("failed", 2)
    assert row.last_error is not None and "HTTP 500" in row.last_error
    assert graph.delivered == []
    assert len(graph.graph_requests) == 10

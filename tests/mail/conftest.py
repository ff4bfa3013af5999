"""Fixtures for the mail tests: a message factory, a real aiosmtpd server and the fake Graph."""

from __future__ import annotations

import socket
import ssl
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from tests.fakes.certificates import write_server_certificate
from tests.fakes.graph_server import FakeGraphServer
from tracker.mail.graph import GraphTransport
from tracker.mail.message import OutgoingMessage

SMTP_USER, SMTP_PASSWORD = "relay-user", "relay-password"


def make_message(number: int = 1, **overrides: Any) -> OutgoingMessage:
    """A reminder-like message; ``number`` makes its message id unique."""
    fields: dict[str, Any] = {
        "to": ("owner@example.org",),
        "subject": f"Please update action P2.{number}",
        "text": f"Action P2.{number} needs its RAG update.\n",
        "html": f"<p>Action <b>P2.{number}</b> needs its RAG update.</p>",
        "message_id": f"<outbox-{number}@send-tracker>",
    }
    fields.update(overrides)
    return OutgoingMessage(**fields)


@dataclass
class RecordingHandler:
    """An aiosmtpd handler that keeps every envelope and refuses some recipients on purpose."""

    envelopes: list[Envelope] = field(default_factory=list)
    # Recipients answered with this reply at RCPT TO instead of "250 OK".
    refusals: dict[str, str] = field(default_factory=dict)
    # Messages for these recipients are refused at the end of DATA with this reply.
    data_refusals: dict[str, str] = field(default_factory=dict)

    async def handle_RCPT(
        self, server: Any, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refusals:
            return self.refusals[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        for address in envelope.rcpt_tos:
            if address in self.data_refusals:
                return self.data_refusals[address]
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class SmtpServer:
    handler: RecordingHandler
    port: int
    ca_file: Path | None = None


def _run_smtp(handler: RecordingHandler, **server_options: Any) -> Iterator[int]:
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **server_options)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A plain SMTP relay on a free port that records what it receives."""
    handler = RecordingHandler()
    for port in _run_smtp(handler):
        yield SmtpServer(handler, port)


def _authenticate(
    server: Any, session: Any, envelope: Any, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        SMTP_USER.encode(),
        SMTP_PASSWORD.encode(),
    )
    # handled=False: let aiosmtpd answer a failure with "535 credentials invalid".
    return AuthResult(success=ok, handled=False)


def _server_tls(tmp_path: Path) -> tuple[ssl.SSLContext, Path]:
    cert_file, key_file = write_server_certificate(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context, cert_file


@pytest.fixture
def secure_smtp_server(tmp_path: Path) -> Iterator[SmtpServer]:
    """A relay that insists on STARTTLS and a login, like a real submission server."""
    context, cert_file = _server_tls(tmp_path)
    handler = RecordingHandler()
    options = {
        "tls_context": context,
        "require_starttls": True,
        "auth_required": True,
        "authenticator": _authenticate,
    }
    for port in _run_smtp(handler, **options):
        yield SmtpServer(handler, port, ca_file=cert_file)


@pytest.fixture
def implicit_tls_smtp_server(tmp_path: Path) -> Iterator[SmtpServer]:
    """A relay that speaks TLS from the first byte (SMTPS, port 465 in real life) and wants
    a login."""
    context, cert_file = _server_tls(tmp_path)
    handler = RecordingHandler()
    options = {
        "ssl_context": context,
        "auth_required": True,
        # aiosmtpd counts only STARTTLS as TLS; this connection is encrypted from the start.
        "auth_require_tls": False,
        "authenticator": _authenticate,
    }
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
        for port in _run_smtp(handler, **options):
            yield SmtpServer(handler, port, ca_file=cert_file)


@pytest.fixture
def fake_graph() -> Iterator[FakeGraphServer]:
    """A started fake Entra ID + Graph; fails the test if the fake itself hit a bug."""
    with FakeGraphServer() as server:
        yield server
        assert server.errors == []


@pytest.fixture
def sleeps() -> list[float]:
    """Every delay the Graph transport asked for, instead of really sleeping."""
    return []


@pytest.fixture
def graph_transport(fake_graph: FakeGraphServer, sleeps: list[float]) -> Iterator[GraphTransport]:
    transport = GraphTransport(**fake_graph.transport_options(), sleep=sleeps.append)
    yield transport
    transport.close()

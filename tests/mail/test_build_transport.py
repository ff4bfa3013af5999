"""build_transport picks and configures the transport the settings name, or says what is missing."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.certificates import generate_client_certificate
from tests.mail.conftest import SmtpServer, make_message
from tracker.config import Settings
from tracker.mail.transports import (
    FileTransport,
    GraphTransport,
    SmtpTransport,
    TransportUnavailable,
    build_transport,
    load_graph_certificate,
)

GRAPH = {
    "mail_transport": "graph",
    "graph_tenant_id": "tenant",
    "graph_client_id": "client",
    "graph_sender": "send.tracker@example.org",
}


@pytest.fixture(autouse=True)
def _no_tracker_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the values a test passes count, whatever the shell running the tests has set."""
    for name in [n for n in os.environ if n.startswith("TRACKER_")]:
        monkeypatch.delenv(name)


def settings(**values: Any) -> Settings:
    return Settings(env="test", **values)


def test_file_transport_writes_to_the_configured_outbox(tmp_path: Path) -> None:
    transport = build_transport(settings(mail_transport="file", outbox_dir=tmp_path / "out"))

    assert isinstance(transport, FileTransport)
    assert transport.send([make_message()])[0].ok
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["outbox-1@send-tracker.eml"]


def test_smtp_transport_is_built_without_connecting() -> None:
    transport = build_transport(
        settings(mail_transport="smtp", smtp_host="relay.invalid", smtp_password="pw")
    )

    assert isinstance(transport, SmtpTransport)


@pytest.mark.parametrize(
    ("tls", "refusal"),
    [
        # TLS from the first byte: the handshake fails on the test server's own certificate.
        ("implicit", "certificate"),
        # A plain SMTP greeting never arrives from a server that waits for a TLS handshake.
        ("none", "cannot connect"),
    ],
)
def test_smtp_tls_setting_decides_how_the_transport_connects(
    implicit_tls_smtp_server: SmtpServer, tls: str, refusal: str
) -> None:
    transport = build_transport(
        settings(
            mail_transport="smtp",
            smtp_host="127.0.0.1",
            smtp_port=implicit_tls_smtp_server.port,
            smtp_tls=tls,
            smtp_timeout=3,
        )
    )

    with pytest.raises(TransportUnavailable, match=refusal):
        transport.send([make_message()])


def test_graph_transport_with_a_secret_is_built_without_connecting() -> None:
    transport = build_transport(settings(**GRAPH, graph_client_secret="s3cret"))

    assert isinstance(transport, GraphTransport)


def test_graph_transport_with_a_certificate_file(tmp_path: Path) -> None:
    key_pem, cert_pem = generate_client_certificate()
    pem_file = tmp_path / "app.pem"
    pem_file.write_text(key_pem + cert_pem)

    transport = build_transport(settings(**GRAPH, graph_certificate_path=pem_file))

    assert isinstance(transport, GraphTransport)


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        ("graph_tenant_id", "TRACKER_GRAPH_TENANT_ID"),
        ("graph_client_id", "TRACKER_GRAPH_CLIENT_ID"),
    ],
)
def test_graph_settings_that_are_missing_are_named(missing: str, named: str) -> None:
    values = {**GRAPH, "graph_client_secret": "s3cret", missing: None}

    with pytest.raises(ValueError, match=named):
        build_transport(settings(**values))


def test_graph_without_any_credential_is_refused() -> None:
    with pytest.raises(ValueError, match="TRACKER_GRAPH_CLIENT_SECRET or"):
        build_transport(settings(**GRAPH))


def test_a_certificate_file_without_a_key_is_refused(tmp_path: Path) -> None:
    _, cert_pem = generate_client_certificate()
    pem_file = tmp_path / "cert-only.pem"
    pem_file.write_text(cert_pem)

    with pytest.raises(ValueError, match="no PEM private key"):
        load_graph_certificate(pem_file, thumbprint=None)


def test_a_key_without_certificate_needs_the_thumbprint(tmp_path: Path) -> None:
    key_pem, _ = generate_client_certificate()
    pem_file = tmp_path / "key-only.pem"
    pem_file.write_text(key_pem)

    with pytest.raises(ValueError, match="TRACKER_GRAPH_CERTIFICATE_THUMBPRINT"):
        load_graph_certificate(pem_file, thumbprint=None)
    assert load_graph_certificate(pem_file, thumbprint="AB12") == {
        "private_key": key_pem,
        "thumbprint": "AB12",
    }


def test_a_missing_certificate_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="TRACKER_GRAPH_CERTIFICATE_PATH"):
        load_graph_certificate(tmp_path / "nowhere.pem", thumbprint=None)


def test_a_pfx_file_is_handed_to_msal_by_path(tmp_path: Path) -> None:
    (tmp_path / "app.pfx").write_bytes(b"PKCS#12 bytes")

    assert load_graph_certificate(tmp_path / "app.pfx", thumbprint=None) == {
        "private_key_pfx_path": str(tmp_path / "app.pfx")
    }

"""SmtpTransport against a real aiosmtpd server: what arrives, and how refusals are reported."""

from __future__ import annotations

import email
import email.policy
import ssl
from email.message import EmailMessage

import pytest

from tests.mail.conftest import SMTP_PASSWORD, SMTP_USER, SmtpServer, _free_port, make_message
from tracker.mail.protocol import TransportUnavailable
from tracker.mail.transports import SmtpTransport

SENDER = "send.tracker@example.org"


def transport_for(server: SmtpServer, **overrides: object) -> SmtpTransport:
    options: dict[str, object] = {
        "host": "127.0.0.1",
        "port": server.port,
        "starttls": False,
        "user": None,
        "password": None,
        "sender": SENDER,
        "timeout": 10,
    }
    options.update(overrides)
    return SmtpTransport(**options)  # type: ignore[arg-type]


def received(server: SmtpServer, position: int) -> EmailMessage:
    content = server.handler.envelopes[position].original_content
    assert content is not None
    parsed = email.message_from_bytes(content, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_recipients_subject_and_body_arrive(smtp_server: SmtpServer) -> None:
    messages = [
        make_message(1, to=("owner@example.org", "deputy@example.org")),
        make_message(2, subject="Action P2.2 – “EHCP timeliness” is overdue 🔴 تحديث"),
    ]

    results = transport_for(smtp_server).send(messages)

    assert [(r.message_id, r.ok) for r in results] == [
        ("<outbox-1@send-tracker>", True),
        ("<outbox-2@send-tracker>", True),
    ]
    first = smtp_server.handler.envelopes[0]
    assert first.mail_from == SENDER
    assert first.rcpt_tos == ["owner@example.org", "deputy@example.org"]
    assert received(smtp_server, 1)["Subject"] == (
        "Action P2.2 – “EHCP timeliness” is overdue 🔴 تحديث"
    )
    text = received(smtp_server, 0).get_body(preferencelist=("plain",))
    assert text is not None
    assert text.get_content().replace("\r\n", "\n") == "Action P2.1 needs its RAG update.\n"


def test_nothing_listening_makes_the_transport_unavailable() -> None:
    port = _free_port()  # bound then released: nothing listens there now

    transport = SmtpTransport(
        host="127.0.0.1", port=port, starttls=False, user=None, password=None, sender=SENDER
    )
    with pytest.raises(TransportUnavailable, match=f"127.0.0.1:{port}"):
        transport.send([make_message()])


@pytest.mark.parametrize(
    ("reply", "permanent"),
    [
        ("550 5.1.1 Mailbox does not exist", True),
        ("451 4.3.0 Mailbox busy, try again later", False),
    ],
)
def test_a_refused_recipient_fails_only_that_message(
    smtp_server: SmtpServer, reply: str, permanent: bool
) -> None:
    smtp_server.handler.refusals["left@example.org"] = reply
    messages = [make_message(1, to=("left@example.org",)), make_message(2)]

    refused, accepted = transport_for(smtp_server).send(messages)

    assert not refused.ok
    assert refused.permanent is permanent
    assert refused.error is not None and reply in refused.error
    assert accepted.ok
    assert [e.rcpt_tos for e in smtp_server.handler.envelopes] == [["owner@example.org"]]


@pytest.mark.parametrize(
    ("reply", "permanent"),
    [("554 5.6.0 Message content rejected", True), ("452 4.3.1 Insufficient storage", False)],
)
def test_a_message_refused_after_its_content_fails_alone(
    smtp_server: SmtpServer, reply: str, permanent: bool
) -> None:
    smtp_server.handler.data_refusals["left@example.org"] = reply

    refused, accepted = transport_for(smtp_server).send(
        [make_message(1, to=("left@example.org",)), make_message(2)]
    )

    assert (refused.ok, refused.permanent) == (False, permanent)
    assert refused.error is not None and reply in refused.error
    assert accepted.ok


def test_a_partly_refused_message_is_not_retried_so_nobody_gets_it_twice(
    smtp_server: SmtpServer,
) -> None:
    smtp_server.handler.refusals["busy@example.org"] = "451 4.3.0 try again later"

    (result,) = transport_for(smtp_server).send(
        [make_message(to=("owner@example.org", "busy@example.org"))]
    )

    assert not result.ok and result.permanent
    assert result.error is not None and "busy@example.org" in result.error
    assert smtp_server.handler.envelopes[0].rcpt_tos == ["owner@example.org"]


def test_starttls_and_login_deliver_to_a_submission_server(
    secure_smtp_server: SmtpServer,
) -> None:
    context = ssl.create_default_context(cafile=str(secure_smtp_server.ca_file))
    transport = transport_for(
        secure_smtp_server,
        starttls=True,
        user=SMTP_USER,
        password=SMTP_PASSWORD,
        tls_context=context,
    )

    (result,) = transport.send([make_message()])

    assert result.ok
    assert secure_smtp_server.handler.envelopes[0].rcpt_tos == ["owner@example.org"]


def test_implicit_tls_and_login_deliver_to_an_smtps_server(
    implicit_tls_smtp_server: SmtpServer,
) -> None:
    context = ssl.create_default_context(cafile=str(implicit_tls_smtp_server.ca_file))
    transport = transport_for(
        implicit_tls_smtp_server,
        implicit_tls=True,
        user=SMTP_USER,
        password=SMTP_PASSWORD,
        tls_context=context,
    )

    (result,) = transport.send([make_message()])

    assert result.ok
    assert implicit_tls_smtp_server.handler.envelopes[0].rcpt_tos == ["owner@example.org"]


def test_a_plain_connection_to_an_smtps_server_is_unavailable(
    implicit_tls_smtp_server: SmtpServer,
) -> None:
    transport = transport_for(implicit_tls_smtp_server, user=SMTP_USER, password=SMTP_PASSWORD)

    with pytest.raises(TransportUnavailable):
        transport.send([make_message()])
    assert implicit_tls_smtp_server.handler.envelopes == []


def test_a_refused_login_makes_the_transport_unavailable(secure_smtp_server: SmtpServer) -> None:
    context = ssl.create_default_context(cafile=str(secure_smtp_server.ca_file))
    transport = transport_for(
        secure_smtp_server, starttls=True, user=SMTP_USER, password="wrong", tls_context=context
    )

    with pytest.raises(TransportUnavailable, match="refused the login"):
        transport.send([make_message()])
    assert secure_smtp_server.handler.envelopes == []


def test_an_untrusted_certificate_makes_the_transport_unavailable(
    secure_smtp_server: SmtpServer,
) -> None:
    transport = transport_for(
        secure_smtp_server, starttls=True, user=SMTP_USER, password=SMTP_PASSWORD
    )

    with pytest.raises(TransportUnavailable, match="certificate"):
        transport.send([make_message()])


def test_sending_nothing_does_not_connect() -> None:
    transport = SmtpTransport(
        host="127.0.0.1",
        port=_free_port(),
        starttls=False,
        user=None,
        password=None,
        sender=SENDER,
    )
    assert transport.send([]) == []


def test_each_outcome_is_reported_as_the_relay_accepts_it_before_the_next_goes(
    smtp_server: SmtpServer,
) -> None:
    seen: list[tuple[list[int], int]] = []  # (indices reported, messages the relay had then)

    def on_outcomes(pairs: object) -> None:
        seen.append(([index for index, _ in pairs], len(smtp_server.handler.envelopes)))  # type: ignore[attr-defined]

    transport_for(smtp_server).send([make_message(n) for n in range(3)], on_outcomes=on_outcomes)

    assert seen == [([0], 1), ([1], 2), ([2], 3)]

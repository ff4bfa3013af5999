"""GraphTransport against the fake Entra ID + Graph: tokens, batching, throttling and failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.certificates import generate_client_certificate
from tests.fakes.graph_server import FakeGraphServer, Scripted
from tests.mail.conftest import _free_port, make_message
from tracker.mail.graph import GraphTransport
from tracker.mail.protocol import TransportUnavailable
from tracker.mail.transports import load_graph_certificate


def test_a_message_arrives_with_its_subject_body_recipients_and_id(
    fake_graph: FakeGraphServer, graph_transport: GraphTransport
) -> None:
    message = make_message(
        3,
        to=("owner@example.org", "deputy@example.org"),
        reply_to="pmo@example.org",
        subject="Action P2.3 – “EHCP” 🔴",
        html="<p>Red: <b>P2.3</b> تحديث</p>",
    )

    (result,) = graph_transport.send([message])

    assert result.ok and result.message_id == "<outbox-3@send-tracker>"
    assert result.provider_id  # Graph's request id, for tracing with Microsoft support
    (delivered,) = fake_graph.delivered
    assert delivered.sender == fake_graph.sender
    assert delivered.subject == "Action P2.3 – “EHCP” 🔴"
    assert delivered.html == "<p>Red: <b>P2.3</b> تحديث</p>"
    assert delivered.to == ("owner@example.org", "deputy@example.org")
    assert delivered.reply_to == ("pmo@example.org",)
    assert delivered.internet_message_id == "<outbox-3@send-tracker>"
    assert delivered.save_to_sent_items
    assert delivered.raw["body"]["contentType"] == "HTML"


def test_characters_graph_cannot_store_are_dropped_not_fatal(
    fake_graph: FakeGraphServer, graph_transport: GraphTransport
) -> None:
    message = make_message(subject="bell\x07 tab\t end", html="<p>nul\x00 esc\x1b \udce9 ok</p>")

    (result,) = graph_transport.send([message])

    assert result.ok
    assert fake_graph.delivered[0].subject == "bell tab end"
    assert fake_graph.delivered[0].html == "<p>nul esc \ufffd ok</p>"


def test_the_token_is_requested_once_and_reused_for_later_sends(
    fake_graph: FakeGraphServer, graph_transport: GraphTransport
) -> None:
    first = graph_transport.send([make_message(1)])
    second = graph_transport.send([make_message(2)])

    assert first[0].ok and second[0].ok
    assert len(fake_graph.token_requests) == 1
    assert len(fake_graph.graph_requests) == 2


@pytest.mark.parametrize("level", ["batch", "message"])
def test_throttling_then_a_server_error_is_retried_until_sent(
    fake_graph: FakeGraphServer, graph_transport: GraphTransport, sleeps: list[float], level: str
) -> None:
    script = fake_graph.script_batch if level == "batch" else fake_graph.script_send
    script(Scripted(429, retry_after=1), 503, 202)

    (result,) = graph_transport.send([make_message()])

    assert result.ok
    assert len(fake_graph.delivered) == 1
    assert len(fake_graph.graph_requests) == 3
    assert len(sleeps) == 2
    assert sleeps[0] >= 1  # honoured Retry-After
    assert 0.5 <= sleeps[1] <= 2  # second retry: back-off with jitter around 1-2 s


def test_only_the_throttled_messages_of_a_batch_are_sent_again(
    fake_graph: FakeGraphServer, graph_transport: GraphTransport, sleeps: list[float]
) -> None:
    fake_graph.script_send(202, Scripted(429, retry_after=3), 202)

    results = graph_transport.send([make_message(1), make_message(2), make_message(3)])

    assert all(r.ok for r in results)
    assert sleeps == [3]
    retry_batch = fake_graph.graph_requests[1].json()["requests"]
    assert [item["body"]["message"]["internetMessageId"] for item in retry_batch] == [
        "<outbox-2@send-tracker>"
    ]
    assert sorted(d.internet_message_id or "" for d in fake_graph.delivered) == [
        "<outbox-1@send-tracker>",
        "<outbox-2@send-tracker>",
        "<outbox-3@send-tracker>",
    ]


@pytest.mark.parametrize("level", ["batch", "message"])
def test_a_401_gets_a_new_token_once_and_the_message_is_sent(
    fake_graph: FakeGraphServer, graph_transport: GraphTransport, sleeps: list[float], level: str
) -> None:
    graph_transport.send([make_message(1)])  # a cached token that is about to be revoked
    script = fake_graph.script_batch if level == "batch" else fake_graph.script_send
    script(401)

    (result,) = graph_transport.send([make_message(2)])

    assert result.ok
    assert len(fake_graph.token_requests) == 2
    assert sleeps == []
    tokens = [r.headers["Authorization"] for r in fake_graph.graph_requests]
    assert tokens[1] == tokens[0] != tokens[2]


def test_a_401_for_a_fresh_token_too_leaves_the_messages_pending(
    fake_graph: FakeGraphServer, graph_transport: GraphTransport
) -> None:
    fake_graph.script_batch(401, 401)

    with pytest.raises(TransportUnavailable, match="newly issued token"):
        graph_transport.send([make_message()])
    assert len(fake_graph.token_requests) == 2
    assert fake_graph.delivered == []


def test_server_errors_that_never_stop_end_in_a_temporary_failure(
    fake_graph: FakeGraphServer, graph_transport: GraphTransport, sleeps: list[float]
) -> None:
    fake_graph.script_batch(*[500] * 10)

    (result,) = graph_transport.send([make_message()])

    assert not result.ok and not result.permanent
    assert result.error is not None and "500" in result.error
    assert len(fake_graph.graph_requests) == 6  # the first try and max_retries=5 retries
    assert len(sleeps) == 5
    for retry, delay in enumerate(sleeps, start=1):
        ceiling = 2.0 ** (retry - 1)
        assert ceiling / 2 <= delay <= ceiling  # exponential, with jitter


def test_a_retry_after_longer_than_allowed_is_left_for_a_later_run(
    fake_graph: FakeGraphServer, graph_transport: GraphTransport, sleeps: list[float]
) -> None:
    fake_graph.script_batch(Scripted(429, retry_after=3600))

    (result,) = graph_transport.send([make_message()])

    assert not result.ok and not result.permanent
    assert result.error is not None and "3600" in result.error
    assert sleeps == []


def test_a_batch_mixing_accepted_and_refused_messages_reports_each(
    fake_graph: FakeGraphServer, graph_transport: GraphTransport, sleeps: list[float]
) -> None:
    fake_graph.script_send(202, Scripted(400, code="ErrorInvalidRecipients"), 202, 403)

    results = graph_transport.send([make_message(n) for n in range(1, 5)])

    assert [(r.message_id, r.ok, r.permanent) for r in results] == [
        ("<outbox-1@send-tracker>", True, False),
        ("<outbox-2@send-tracker>", False, True),
        ("<outbox-3@send-tracker>", True, False),
        ("<outbox-4@send-tracker>", False, True),
    ]
    assert results[1].error is not None and "ErrorInvalidRecipients" in results[1].error
    assert len(fake_graph.graph_requests) == 1 and sleeps == []


def test_a_thousand_messages_take_fifty_requests(
    fake_graph: FakeGraphServer, graph_transport: GraphTransport
) -> None:
    messages = [make_message(n) for n in range(1000)]

    results = graph_transport.send(messages)

    assert [r.message_id for r in results] == [m.message_id for m in messages]
    assert all(r.ok for r in results)
    assert len(fake_graph.delivered) == 1000
    assert len(fake_graph.graph_requests) <= 50
    assert all(len(r.json()["requests"]) <= 20 for r in fake_graph.graph_requests)


def test_refused_credentials_leave_the_messages_pending(fake_graph: FakeGraphServer) -> None:
    options = fake_graph.transport_options() | {"client_secret": "wrong-secret"}
    transport = GraphTransport(**options, sleep=lambda _: None)

    with pytest.raises(TransportUnavailable, match="invalid_client"):
        transport.send([make_message()])
    assert fake_graph.graph_requests == []


def test_an_unreachable_authority_leaves_the_messages_pending() -> None:
    transport = GraphTransport(
        tenant_id="t",
        client_id="c",
        client_secret="s",
        sender="send.tracker@example.org",
        authority_host=f"https://127.0.0.1:{_free_port()}",
        timeout=5,
    )

    with pytest.raises(TransportUnavailable, match="cannot get a token"):
        transport.send([make_message()])
    transport.close()


def test_an_unreachable_graph_leaves_the_messages_pending(fake_graph: FakeGraphServer) -> None:
    options = fake_graph.transport_options() | {
        "graph_base_url": f"https://127.0.0.1:{_free_port()}/v1.0"
    }
    transport = GraphTransport(**options, sleep=lambda _: None)

    with pytest.raises(TransportUnavailable, match="cannot connect to Microsoft Graph"):
        transport.send([make_message()])


def test_an_app_can_sign_in_with_a_certificate_instead_of_a_secret(tmp_path: Path) -> None:
    key_pem, cert_pem = generate_client_certificate()
    pem_file = tmp_path / "send-tracker.pem"
    pem_file.write_text(key_pem + cert_pem)

    with FakeGraphServer(client_secret=None, client_certificate_pem=cert_pem) as graph:
        options = graph.transport_options() | {
            "client_secret": None,
            "certificate": load_graph_certificate(pem_file, thumbprint=None),
        }
        (result,) = GraphTransport(**options).send([make_message()])

        assert result.ok
        assert "client_assertion" in graph.token_requests[0].body.decode()
        assert graph.errors == []


def test_a_transport_needs_exactly_one_kind_of_credential() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        GraphTransport(tenant_id="t", client_id="c", sender="a@example.org")
    with pytest.raises(ValueError, match="exactly one"):
        GraphTransport(
            tenant_id="t",
            client_id="c",
            client_secret="s",
            certificate={"private_key": "k", "thumbprint": "t"},
            sender="a@example.org",
        )


def test_outcomes_are_reported_per_batch_response_before_a_retry_wait(
    fake_graph: FakeGraphServer, sleeps: list[float]
) -> None:
    reported: list[tuple[list[int], int]] = []  # (indices, waits asked for before the report)
    transport = GraphTransport(**fake_graph.transport_options(), sleep=sleeps.append)
    # The first $batch: message 0 throttled, 1-19 accepted; then the retry of 0; then 20-44.
    fake_graph.script_send(Scripted(429, retry_after=2))

    def on_outcomes(pairs: object) -> None:
        reported.append(([index for index, _ in pairs], len(sleeps)))  # type: ignore[attr-defined]

    results = transport.send([make_message(n) for n in range(45)], on_outcomes=on_outcomes)
    transport.close()

    assert all(r.ok for r in results)
    assert reported == [
        (list(range(1, 20)), 0),  # accepted ones recorded before waiting to retry message 0
        ([0], 1),
        (list(range(20, 40)), 1),
        (list(range(40, 45)), 1),
    ]

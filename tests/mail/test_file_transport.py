"""FileTransport writes each message as a complete, parseable .eml file, atomically."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.mail.conftest import make_message
from tracker.mail.protocol import TransportUnavailable
from tracker.mail.transports import FileTransport, safe_file_name

SENDER = "send.tracker@example.org"


def read_eml(path: Path) -> EmailMessage:
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_each_message_becomes_a_parseable_eml_file(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    messages = [make_message(1), make_message(2, subject="Chaser: action P2.2 🚦 is overdue")]

    results = FileTransport(outbox, sender=SENDER).send(messages)

    assert [r.ok for r in results] == [True, True]
    assert [r.message_id for r in results] == ["<outbox-1@send-tracker>", "<outbox-2@send-tracker>"]
    assert sorted(p.name for p in outbox.iterdir()) == [
        "outbox-1@send-tracker.eml",
        "outbox-2@send-tracker.eml",
    ]
    second = read_eml(outbox / "outbox-2@send-tracker.eml")
    assert results[1].provider_id == str(outbox / "outbox-2@send-tracker.eml")
    assert second["Subject"] == "Chaser: action P2.2 🚦 is overdue"
    assert second["From"] == SENDER
    assert second["To"] == "owner@example.org"
    assert second["Message-ID"] == "<outbox-2@send-tracker>"
    html = second.get_body(preferencelist=("html",))
    assert html is not None
    assert "<b>P2.2</b>" in html.get_content()


def test_a_resend_overwrites_the_same_file_instead_of_adding_one(tmp_path: Path) -> None:
    transport = FileTransport(tmp_path, sender=SENDER)

    transport.send([make_message(5, subject="first try")])
    transport.send([make_message(5, subject="second try")])

    files = list(tmp_path.iterdir())
    assert [f.name for f in files] == ["outbox-5@send-tracker.eml"]  # no temp files left either
    assert read_eml(files[0])["Subject"] == "second try"


@pytest.mark.parametrize(
    "message_id",
    ["<../../etc/passwd@x>", "<.hidden@x>", "<a/b@x>", "<a_b@x>", "<" + "y" * 300 + "@x>"],
)
def test_odd_message_ids_stay_inside_the_folder_as_visible_distinct_files(
    tmp_path: Path, message_id: str
) -> None:
    name = safe_file_name(message_id)

    assert "/" not in name and not name.startswith(".") and len(name) < 160
    FileTransport(tmp_path, sender=SENDER).send([make_message(message_id=message_id)])
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_ids_that_clean_to_the_same_text_get_different_files() -> None:
    assert safe_file_name("<a/b@x>") != safe_file_name("<a_b@x>")


def test_an_outbox_that_cannot_be_created_makes_the_transport_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the outbox folder should be")

    with pytest.raises(TransportUnavailable, match="not-a-folder"):
        FileTransport(blocker / "outbox", sender=SENDER).send([make_message()])


def test_sending_nothing_writes_nothing(tmp_path: Path) -> None:
    assert FileTransport(tmp_path, sender=SENDER).send([]) == []
    assert list(tmp_path.iterdir()) == []

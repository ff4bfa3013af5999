"""OutgoingMessage refuses header injection; build_mime survives any text a user can paste."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import pytest

from tests.mail.conftest import make_message
from tracker.mail.message import HeaderInjectionError, build_mime, flatten_header_text

SENDER = "send.tracker@example.org"


def parse(mime: EmailMessage) -> EmailMessage:
    parsed = email.message_from_bytes(mime.as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def parts(parsed: EmailMessage) -> dict[str, str]:
    found = {}
    for part in parsed.iter_parts():
        assert isinstance(part, EmailMessage)
        # Parsed from the wire, line ends come back as CRLF.
        found[part.get_content_type()] = part.get_content().replace("\r\n", "\n")
    return found


def test_build_mime_gives_text_and_html_alternatives_with_the_headers_mail_needs() -> None:
    message = make_message(7, reply_to="pmo@example.org", to=("a@example.org", "b@example.org"))
    sent_at = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)

    parsed = parse(build_mime(message, sender=SENDER, date=sent_at))

    assert parsed.get_content_type() == "multipart/alternative"
    assert parsed["From"] == SENDER
    assert parsed["To"] == "a@example.org, b@example.org"
    assert parsed["Reply-To"] == "pmo@example.org"
    assert parsed["Subject"] == "Please update action P2.7"
    assert parsed["Message-ID"] == "<outbox-7@send-tracker>"
    assert parsed["Date"].datetime == sent_at
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parts(parsed) == {
        "text/plain": "Action P2.7 needs its RAG update.\n",
        "text/html": "<p>Action <b>P2.7</b> needs its RAG update.</p>\n",
    }
    assert all(part.get_content_charset() == "utf-8" for part in parsed.iter_parts())


ODD_TEXT = [
    pytest.param("Update 🚦🟢🟠🔴 👩🏽‍💻 done ✅", id="emoji"),
    pytest.param("تحديث الإجراء P2.3 — עדכון פעולה", id="rtl"),
    pytest.param("\u202eevil\u202c and \u200f marks \u200b zero width", id="bidi-controls"),
    pytest.param("null\x00 bell\x07 vt\x0b ff\x0c esc\x1b del\x7f c1\x85\x9f", id="control-chars"),
    pytest.param("line\u2028separator\u2029paragraph", id="unicode-line-breaks"),
    pytest.param("non-characters \ufffe\uffff and plane 16 \U0010fffd", id="non-characters"),
    pytest.param("e\u0301 combining, ﬁ ligature, Ǆ, ẞ", id="combining"),
    pytest.param("x" * 2000, id="very-long-word"),
    pytest.param(
        "Improve “EHCP” timeliness – finalise plans within the 20 week statutory limit, "
        "with the Parent Carer Forum’s review in every locality of the county",
        id="long-with-typographic-quotes",  # folded: every space must survive
    ),
    pytest.param("a =?utf-8?q?spoof?= b", id="looks-like-encoded-word"),
]


@pytest.mark.parametrize("odd", ODD_TEXT)
def test_build_mime_keeps_odd_unicode_in_subject_and_body(odd: str) -> None:
    message = make_message(subject=f"Action P1.1: {odd}", text=f"Commentary: {odd}\n", html=odd)

    mime = build_mime(message, sender=SENDER)
    wire = mime.as_bytes()

    # Quoted-printable and encoded words: 7-bit clean, so any SMTP server accepts it.
    assert wire.isascii()
    assert all(len(line) <= 998 for line in wire.split(b"\r\n"))
    parsed = parse(mime)
    assert parsed["Subject"] == flatten_header_text(f"Action P1.1: {odd}")
    body = parts(parsed)
    assert body["text/plain"] == f"Commentary: {odd}\n"
    assert body["text/html"].rstrip("\n") == odd


def test_build_mime_replaces_lone_surrogates_instead_of_crashing() -> None:
    # Text decoded with errors="surrogateescape" can carry these; they cannot be UTF-8 encoded.
    broken = "caf\udce9 \ud83d"
    message = make_message(subject=broken, text=broken, html=broken)

    parsed = parse(build_mime(message, sender=SENDER))

    assert parsed["Subject"] == "caf\ufffd \ufffd"
    assert parts(parsed)["text/plain"].rstrip("\n") == "caf\ufffd \ufffd"


def test_flatten_header_text_turns_pasted_multi_line_text_into_one_line() -> None:
    assert flatten_header_text("P2.3 Improve\r\nEHCP\ttimeliness\u2028now\x00") == (
        "P2.3 Improve EHCP timeliness now"
    )


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"subject": "Hello\r\nBcc: everyone@example.org"}, id="subject-crlf"),
        pytest.param({"subject": "Hello\nBcc: everyone@example.org"}, id="subject-lf"),
        pytest.param({"subject": "Hello\rX-Spam: yes"}, id="subject-cr"),
        pytest.param({"to": ("owner@example.org\r\nBcc: x@example.org",)}, id="recipient-crlf"),
        pytest.param({"to": ("ok@example.org", "bad@example.org\n")}, id="second-recipient-lf"),
        pytest.param({"message_id": "<outbox-1@send-tracker>\r\nBcc: x@example.org"}, id="msgid"),
        pytest.param({"reply_to": "pmo@example.org\r\nBcc: x@example.org"}, id="reply-to"),
    ],
)
def test_line_breaks_in_headers_are_refused(overrides: dict[str, Any]) -> None:
    with pytest.raises(HeaderInjectionError, match="line break"):
        make_message(**overrides)


@pytest.mark.parametrize(
    "address",
    [
        "no-at-sign",
        "",
        "two words@example.org",
        "Owner <owner@example.org>",
        "a@example.org, b@example.org",
        "a@b@example.org",
        '"quoted"@example.org',
        "tab\t@example.org",
        "x" * 250 + "@example.org",
    ],
)
def test_invalid_recipient_addresses_are_refused(address: str) -> None:
    with pytest.raises(HeaderInjectionError, match=r"to\[0\]"):
        make_message(to=(address,))


@pytest.mark.parametrize(
    "message_id", ["outbox-1@send-tracker", "<outbox-1>", "<a b@c>", "<é@send-tracker>", "<>"]
)
def test_malformed_message_ids_are_refused(message_id: str) -> None:
    with pytest.raises(HeaderInjectionError, match="message_id"):
        make_message(message_id=message_id)


def test_recipients_must_be_a_non_empty_sequence_not_a_string() -> None:
    with pytest.raises(HeaderInjectionError, match="at least one recipient"):
        make_message(to=())
    with pytest.raises(HeaderInjectionError, match="one string"):
        make_message(to="owner@example.org")


def test_a_recipient_list_is_stored_as_a_tuple() -> None:
    message = make_message(to=["a@example.org", "b@example.org"])

    assert message.to == ("a@example.org", "b@example.org")
    assert hash(message)  # still usable as a frozen value


def test_welsh_domains_are_accepted_but_non_ascii_addresses_are_refused_clearly() -> None:
    assert make_message(to=("gwyneth@ysgol.cymru",)).to == ("gwyneth@ysgol.cymru",)
    with pytest.raises(HeaderInjectionError, match="plain ASCII"):
        make_message(to=("zoë@example.org",))


def test_build_mime_refuses_a_bad_sender() -> None:
    with pytest.raises(HeaderInjectionError, match="sender"):
        build_mime(make_message(), sender="tracker@example.org\r\nBcc: x@example.org")

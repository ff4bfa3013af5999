"""The outgoing e-mail message and its MIME form.

``OutgoingMessage`` is what every transport sends: plain data, validated when it is built so a
recipient, subject or message id carrying a line break (header injection) or a malformed address
can never reach a mail server. ``build_mime`` turns it into a standards-conforming
``multipart/alternative`` e-mail for the SMTP and file transports. User text in the subject and
body is arbitrary Unicode and must never crash the build, so both are cleaned of what cannot be
encoded (lone surrogates) and the subject of characters that would break a header line.
"""

from __future__ import annotations

import email.policy
import email.utils
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.message import EmailMessage

from tracker.errors import InvalidInput

# Deliberately conservative: a bare ASCII ``local@domain`` with no spaces, quotes, brackets or
# separators, so nothing in it can be read as header syntax. Non-ASCII addresses are refused:
# they need SMTPUTF8 end to end, and without it Python writes them as unreadable encoded words.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+"
_ADDRESS_RE = re.compile(rf"{_ATOM}@{_ATOM}")
# RFC 5322 msg-id: printable ASCII without "<", ">" or a second "@" on either side.
_MESSAGE_ID_RE = re.compile(r"<[\x21-\x3b\x3d\x3f\x41-\x7e]+@[\x21-\x3b\x3d\x3f\x41-\x7e]+>")
_MAX_ADDRESS_LENGTH = 254
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
# Every character ``str.splitlines`` treats as a line end, plus the rest of the C0/C1 controls:
# the email package would silently drop or mis-fold them inside a header.
_HEADER_UNSAFE_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class HeaderInjectionError(InvalidInput):
    """A header value (address, subject, message id) that could forge or break e-mail headers."""


def clean_text(value: str) -> str:
    """``value`` with lone surrogates replaced by U+FFFD, so it always encodes as UTF-8."""
    return _SURROGATE_RE.sub("\ufffd", value)


def flatten_header_text(value: str) -> str:
    """User text made safe for a one-line header: every line break or control becomes a space.

    Callers building a subject from user input (an action title pasted from Word) use this
    before constructing an ``OutgoingMessage``, which rejects CR/LF outright.
    """
    return " ".join(_HEADER_UNSAFE_RE.sub(" ", clean_text(value)).split())


def check_address(address: str, *, field: str) -> str:
    """``address`` if it is a plain ``local@domain`` address, else ``HeaderInjectionError``."""
    if not isinstance(address, str):
        raise HeaderInjectionError(f"{field}: expected an e-mail address, got {address!r}")
    if "\r" in address or "\n" in address:
        raise HeaderInjectionError(f"{field}: line break in e-mail address {address!r}")
    if len(address) > _MAX_ADDRESS_LENGTH or not _ADDRESS_RE.fullmatch(address):
        raise HeaderInjectionError(
            f"{field}: not a valid e-mail address (plain ASCII local@domain): {address!r}"
        )
    return address


def _check_no_line_break(value: str, *, field: str) -> None:
    if not isinstance(value, str):
        raise HeaderInjectionError(f"{field}: expected text, got {type(value).__name__}")
    if "\r" in value or "\n" in value:
        raise HeaderInjectionError(f"{field}: line break (CR/LF) in {value!r}")


@dataclass(frozen=True)
class OutgoingMessage:
    """One e-mail to send; ``html`` is already escaped by its renderer and is not re-escaped."""

    to: tuple[str, ...]
    subject: str
    text: str
    html: str
    message_id: str
    reply_to: str | None = None

    def __post_init__(self) -> None:
        # A bare string would silently iterate as one-character "addresses".
        if isinstance(self.to, str):
            raise HeaderInjectionError("to: expected a sequence of addresses, got one string")
        recipients = tuple(self.to) if isinstance(self.to, Iterable) else ()
        if not recipients:
            raise HeaderInjectionError("to: a message needs at least one recipient")
        for position, address in enumerate(recipients):
            check_address(address, field=f"to[{position}]")
        object.__setattr__(self, "to", recipients)
        _check_no_line_break(self.subject, field="subject")
        _check_no_line_break(self.message_id, field="message_id")
        if not _MESSAGE_ID_RE.fullmatch(self.message_id):
            raise HeaderInjectionError(
                f"message_id: expected the form <left@right> in printable ASCII, "
                f"got {self.message_id!r}"
            )
        if self.reply_to is not None:
            check_address(self.reply_to, field="reply_to")


def _set_subject(mime: EmailMessage, subject: str) -> None:
    if subject.isascii() and "=?" not in subject:
        mime["Subject"] = subject
        return
    # Python 3.11's modern folding drops the space where it splits a long encoded word
    # ("Improve EHCP" arrives as "ImproveEHCP"); the older Header class folds inside the
    # encoded words, and set_raw keeps its folding as is. Reading the header still decodes it.
    encoded = Header(subject, charset="utf-8", header_name="Subject").encode(linesep="\r\n")
    mime.set_raw("Subject", encoded)


def build_mime(
    message: OutgoingMessage, *, sender: str, date: datetime | None = None
) -> EmailMessage:
    """The message as ``multipart/alternative`` (plain text, then HTML), UTF-8, SMTP line endings.

    ``date`` defaults to now; pass one for reproducible output. Both parts are quoted-printable so
    the message is 7-bit clean and any server accepts it, whatever characters the body holds.
    """
    check_address(sender, field="sender")
    mime = EmailMessage(policy=email.policy.SMTP)
    mime["From"] = sender
    mime["To"] = ", ".join(message.to)
    if message.reply_to is not None:
        mime["Reply-To"] = message.reply_to
    _set_subject(mime, flatten_header_text(message.subject))
    mime["Date"] = email.utils.format_datetime(date or datetime.now().astimezone())
    mime["Message-ID"] = message.message_id
    # Automated reminders: ask auto-responders (RFC 3834, Exchange) not to answer them.
    mime["Auto-Submitted"] = "auto-generated"
    mime["X-Auto-Response-Suppress"] = "All"
    mime.set_content(clean_text(message.text), charset="utf-8", cte="quoted-printable")
    mime.add_alternative(
        clean_text(message.html), subtype="html", charset="utf-8", cte="quoted-printable"
    )
    return mime

"""Mail transports: a file outbox, SMTP and Microsoft Graph, chosen from the settings.

Every transport follows ``MailTransport``: one ``SendResult`` per message, no exception for a
per-message failure, ``TransportUnavailable`` only when it cannot start. ``FileTransport`` writes
``.eml`` files for development and for sites that pick mail up from a folder; ``SmtpTransport``
talks to a relay with ``smtplib``; ``GraphTransport`` (in ``tracker.mail.graph``) uses Microsoft
Graph's ``sendMail`` with JSON batching. ``build_transport`` picks one from ``Settings``.
"""

from __future__ import annotations

import hashlib
import os
import re
import smtplib
import ssl
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker.mail.graph import GraphTransport
from tracker.mail.message import OutgoingMessage, build_mime, check_address
from tracker.mail.protocol import (
    MailTransport,
    OutcomeSink,
    SendResult,
    TransportUnavailable,
    delivered,
    failed,
    report_outcomes,
)
from tracker.safety.files import PRIVATE_DIR_MODE
from tracker.safety.production import find_settings_problems

if TYPE_CHECKING:
    from tracker.config import Settings

__all__ = [
    "FileTransport",
    "GraphTransport",
    "MailTransport",
    "SendResult",
    "SmtpTransport",
    "TransportUnavailable",
    "build_transport",
    "load_graph_certificate",
    "safe_file_name",
]

_UNSAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9._@+-]")
_MAX_FILE_STEM = 120


def safe_file_name(message_id: str) -> str:
    """A file name for ``message_id``: the same id always maps to the same name, distinct ids
    to distinct names, and nothing in it can climb out of the folder or hide the file."""
    stem = message_id.strip("<>")
    cleaned = _UNSAFE_FILE_CHARS.sub("_", stem).lstrip(".")[:_MAX_FILE_STEM]
    if cleaned != stem:
        # Cleaning can merge two ids ("a/b", "a_b"); a digest of the original keeps them apart.
        digest = hashlib.sha256(message_id.encode("utf-8")).hexdigest()[:12]
        cleaned = f"{cleaned}-{digest}"
    return f"{cleaned}.eml"


class FileTransport:
    """Writes each message as ``<message id>.eml`` in ``directory``; a resend overwrites it."""

    def __init__(self, directory: Path, *, sender: str) -> None:
        self._directory = Path(directory)
        self._sender = check_address(sender, field="sender")

    def send(
        self, messages: Sequence[OutgoingMessage], *, on_outcomes: OutcomeSink | None = None
    ) -> list[SendResult]:
        try:
            self._directory.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
        except OSError as exc:
            raise TransportUnavailable(
                f"cannot create the mail outbox folder {self._directory}: {exc}"
            ) from exc
        results: list[SendResult] = []
        for index, message in enumerate(messages):
            results.append(self._write(message))
            report_outcomes(on_outcomes, [(index, results[-1])])
        return results

    def _write(self, message: OutgoingMessage) -> SendResult:
        target = self._directory / safe_file_name(message.message_id)
        data = build_mime(message, sender=self._sender).as_bytes()
        # Write beside the target then rename, so a reader never sees half a message.
        handle, temp_name = tempfile.mkstemp(dir=self._directory, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as temp_file:
                temp_file.write(data)
                temp_file.flush()
                os.fsync(temp_file.fileno())
            os.replace(temp_name, target)
        except OSError as exc:
            Path(temp_name).unlink(missing_ok=True)
            return failed(message, f"cannot write {target}: {exc}", permanent=False)
        return delivered(message, provider_id=str(target))


def _describe_reply(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return f"{code} {text}".strip()


class SmtpTransport:
    """Sends through an SMTP relay, one connection per ``send`` call.

    A recipient refused with a 5xx reply is a permanent failure, with a 4xx a temporary one. If a
    server accepts some recipients of a message and refuses others, the message has gone out to
    the accepted ones: the failure is then reported as permanent so a retry cannot send it twice.
    """

    def __init__(
        self,
        *,
        host: str,
        port: int,
        starttls: bool,
        user: str | None,
        password: str | None,
        sender: str,
        timeout: float = 30,
        tls_context: ssl.SSLContext | None = None,
        implicit_tls: bool = False,
    ) -> None:
        if starttls and implicit_tls:
            raise ValueError("SMTP: choose STARTTLS or implicit TLS, not both")
        self._host = host
        self._port = port
        self._starttls = starttls
        self._implicit_tls = implicit_tls
        self._user = user
        self._password = password
        self._sender = check_address(sender, field="sender")
        self._timeout = timeout
        self._tls_context = tls_context or ssl.create_default_context()

    def send(
        self, messages: Sequence[OutgoingMessage], *, on_outcomes: OutcomeSink | None = None
    ) -> list[SendResult]:
        if not messages:
            return []
        smtp = self._connect()
        results: list[SendResult] = []
        try:
            for index, message in enumerate(messages):
                try:
                    results.append(self._send_one(smtp, message))
                except (smtplib.SMTPException, OSError) as exc:
                    # The connection is gone: this message's fate is unknown, the rest unsent.
                    error = f"SMTP connection lost: {exc}"
                    results.extend(
                        failed(m, error, permanent=False) for m in messages[len(results) :]
                    )
                    report_outcomes(on_outcomes, list(enumerate(results))[index:])
                    break
                # The relay has answered for this message: recorded before the next one goes.
                report_outcomes(on_outcomes, [(index, results[-1])])
        finally:
            self._close(smtp)
        return results

    def _connect(self) -> smtplib.SMTP:
        where = f"{self._host}:{self._port}"
        smtp: smtplib.SMTP | None = None
        try:
            if self._implicit_tls:
                # TLS from the first byte (SMTPS, usually port 465): nothing crosses in clear.
                smtp = smtplib.SMTP_SSL(
                    self._host, self._port, timeout=self._timeout, context=self._tls_context
                )
            else:
                smtp = smtplib.SMTP(self._host, self._port, timeout=self._timeout)
            smtp.ehlo()
            if self._starttls:
                smtp.starttls(context=self._tls_context)
                smtp.ehlo()
            if self._user:
                smtp.login(self._user, self._password or "")
            return smtp
        except smtplib.SMTPAuthenticationError as exc:
            self._close(smtp)
            reason = _describe_reply(exc.smtp_code, exc.smtp_error)
            raise TransportUnavailable(
                f"SMTP server {where} refused the login for {self._user}: {reason}"
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            self._close(smtp)
            raise TransportUnavailable(f"cannot connect to SMTP server {where}: {exc}") from exc

    def _send_one(self, smtp: smtplib.SMTP, message: OutgoingMessage) -> SendResult:
        mime = build_mime(message, sender=self._sender)
        try:
            refused = smtp.send_message(mime, from_addr=self._sender, to_addrs=list(message.to))
        except smtplib.SMTPRecipientsRefused as exc:
            return _refused_result(message, exc.recipients, partial=False)
        except smtplib.SMTPResponseException as exc:
            # Sender refused or message data rejected: the reply code says whether to retry.
            reason = _describe_reply(exc.smtp_code, exc.smtp_error)
            return failed(
                message,
                f"SMTP server refused the message: {reason}",
                permanent=exc.smtp_code >= 500,
            )
        except smtplib.SMTPNotSupportedError as exc:
            return failed(message, f"SMTP server cannot take this message: {exc}", permanent=True)
        if refused:
            return _refused_result(message, refused, partial=True)
        return delivered(message)

    @staticmethod
    def _close(smtp: smtplib.SMTP | None) -> None:
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def _refused_result(
    message: OutgoingMessage, refused: dict[str, tuple[int, bytes]], *, partial: bool
) -> SendResult:
    details = "; ".join(
        f"{address}: {_describe_reply(code, reply)}" for address, (code, reply) in refused.items()
    )
    if partial:
        return failed(
            message,
            f"sent to the other recipients, but refused for {details} (not retried, "
            "so the accepted recipients do not get it twice)",
            permanent=True,
        )
    permanent = all(code >= 500 for code, _ in refused.values())
    return failed(message, f"recipient refused: {details}", permanent=permanent)


def load_graph_certificate(path: Path, *, thumbprint: str | None) -> dict[str, Any]:
    """msal's ``client_credential`` for a certificate: a ``.pfx``/``.p12`` file, or a PEM file
    holding the private key (and the certificate, when no thumbprint is configured)."""
    if not path.is_file():
        raise ValueError(f"TRACKER_GRAPH_CERTIFICATE_PATH: no such file {path}")
    if path.suffix.lower() in {".pfx", ".p12"}:
        return {"private_key_pfx_path": str(path)}
    try:
        pem = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"TRACKER_GRAPH_CERTIFICATE_PATH: cannot read {path}: {exc}") from exc
    if "PRIVATE KEY-----" not in pem:
        raise ValueError(f"TRACKER_GRAPH_CERTIFICATE_PATH: {path} holds no PEM private key")
    if thumbprint:
        return {"private_key": pem, "thumbprint": thumbprint}
    if "-----BEGIN CERTIFICATE-----" not in pem:
        raise ValueError(
            f"TRACKER_GRAPH_CERTIFICATE_THUMBPRINT is not set and {path} holds no certificate "
            "to compute it from; set the thumbprint or add the certificate to the PEM file"
        )
    # msal computes the SHA-256 thumbprint from the certificate when none is given.
    return {"private_key": pem, "public_certificate": pem}


def _require(value: str | None, name: str) -> str:
    if not value:
        raise ValueError(f"TRACKER_MAIL_TRANSPORT=graph needs {name} to be set")
    return value


def _build_graph_transport(settings: Settings) -> GraphTransport:
    secret = settings.graph_client_secret
    certificate = None
    if settings.graph_certificate_path is not None:
        certificate = load_graph_certificate(
            settings.graph_certificate_path, thumbprint=settings.graph_certificate_thumbprint
        )
    elif secret is None:
        raise ValueError(
            "TRACKER_MAIL_TRANSPORT=graph needs TRACKER_GRAPH_CLIENT_SECRET or "
            "TRACKER_GRAPH_CERTIFICATE_PATH to be set"
        )
    return GraphTransport(
        tenant_id=_require(settings.graph_tenant_id, "TRACKER_GRAPH_TENANT_ID"),
        client_id=_require(settings.graph_client_id, "TRACKER_GRAPH_CLIENT_ID"),
        client_secret=None if certificate or secret is None else secret.get_secret_value(),
        certificate=certificate,
        sender=settings.graph_sender or settings.mail_from,
        authority_host=settings.graph_authority_host,
        graph_base_url=settings.graph_base_url,
    )


def build_transport(settings: Settings) -> MailTransport:
    """The transport ``settings.mail_transport`` names, configured from the settings.

    Raises ``ValueError`` naming the missing or bad setting (in production, also any go-live
    problem with the settings, such as SMTP credentials without TLS); nothing connects until
    ``send``.
    """
    if settings.env == "production":
        problems = find_settings_problems(settings)
        if problems:
            raise ValueError("; ".join(problems))
    if settings.mail_transport == "file":
        return FileTransport(settings.outbox_dir, sender=settings.mail_from)
    if settings.mail_transport == "smtp":
        password = settings.smtp_password
        return SmtpTransport(
            host=settings.smtp_host,
            port=settings.smtp_port,
            starttls=settings.smtp_tls_mode == "starttls",
            implicit_tls=settings.smtp_tls_mode == "implicit",
            user=settings.smtp_user,
            password=password.get_secret_value() if password is not None else None,
            sender=settings.mail_from,
            timeout=settings.smtp_timeout,
        )
    return _build_graph_transport(settings)

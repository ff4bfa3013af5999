"""Mail delivery: the outgoing message, its MIME form, and the transports that send it.

``tracker.mail.message`` holds the validated ``OutgoingMessage`` and ``build_mime``;
``tracker.mail.transports`` the file, SMTP and Graph transports and ``build_transport``. The
database outbox and its dispatcher build on these and are the only callers that should decide
when a message is sent or retried.
"""

from tracker.mail.message import HeaderInjectionError, OutgoingMessage, build_mime
from tracker.mail.protocol import MailTransport, SendResult, TransportUnavailable
from tracker.mail.transports import (
    FileTransport,
    GraphTransport,
    SmtpTransport,
    build_transport,
)

__all__ = [
    "FileTransport",
    "GraphTransport",
    "HeaderInjectionError",
    "MailTransport",
    "OutgoingMessage",
    "SendResult",
    "SmtpTransport",
    "TransportUnavailable",
    "build_mime",
    "build_transport",
]

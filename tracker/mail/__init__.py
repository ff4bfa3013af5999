"""Mail delivery: the outgoing message, its MIME form, and the transports that send it.

``tracker.mail.message`` holds the validated ``OutgoingMessage`` and ``build_mime``;
``tracker.mail.protocol`` the ``MailTransport`` contract and ``SendResult``;
``tracker.mail.transports`` the file, SMTP and Graph transports and ``build_transport``. This
package re-exports only the first two, so code that builds messages (services, the outbox) does
not load msal and httpx just by importing ``tracker.mail``.
"""

from tracker.mail.message import HeaderInjectionError, OutgoingMessage, build_mime
from tracker.mail.protocol import MailTransport, SendResult, TransportUnavailable

__all__ = [
    "HeaderInjectionError",
    "MailTransport",
    "OutgoingMessage",
    "SendResult",
    "TransportUnavailable",
    "build_mime",
]

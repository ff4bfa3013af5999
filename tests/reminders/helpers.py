"""Shared pieces for the update-cycle tests: a recording transport, settings and outbox reads."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from tests.conftest import GOVERNANCE_FILE
from tracker.config import Settings
from tracker.db import session_scope
from tracker.governance import GovernanceConfig, load_governance
from tracker.mail.message import OutgoingMessage
from tracker.mail.protocol import SendResult, TransportUnavailable, delivered, failed
from tracker.models import Action, GovernanceBody, OutboxMessage, Person

APP_URL = "https://tracker.example.org/send"
SOB = "send_operations_board"


def load_test_governance() -> GovernanceConfig:
    return load_governance(GOVERNANCE_FILE)


@dataclass
class RecordingTransport:
    """Accepts everything (unless told otherwise) and keeps what it was asked to send."""

    sent: list[OutgoingMessage] = field(default_factory=list)
    calls: int = 0
    unavailable: str | None = None
    refuse: dict[str, SendResult] = field(default_factory=dict)

    def send(
        self, messages: Sequence[OutgoingMessage], *, on_outcomes: object = None
    ) -> list[SendResult]:
        self.calls += 1
        if self.unavailable:
            raise TransportUnavailable(self.unavailable)
        results = []
        for message in messages:
            scripted = self.refuse.get(message.to[0])
            if scripted is not None:
                results.append(failed(message, scripted.error or "", permanent=scripted.permanent))
            else:
                self.sent.append(message)
                results.append(delivered(message, provider_id=f"fake-{len(self.sent)}"))
        return results


def make_settings(database_url: str, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "governance_file": GOVERNANCE_FILE,
        "app_url": APP_URL,
        "mail_transport": "file",
        "outbox_dir": tmp_path / "outbox",
        "mail_from": "send.tracker@example.org",
        "env": "test",
    }
    values.update(overrides)
    return Settings(**values)


@dataclass(frozen=True)
class Row:
    id: int
    dedupe_key: str
    rule: str
    recipient_email: str
    subject: str
    body_text: str
    body_html: str
    state: str
    attempts: int
    last_error: str | None
    board_key: str | None
    meeting_date: date | None


def outbox_rows(engine: Engine) -> list[Row]:
    with session_scope(engine) as session:
        found = session.execute(
            select(OutboxMessage, GovernanceBody.key)
            .outerjoin(GovernanceBody, GovernanceBody.id == OutboxMessage.body_id)
            .order_by(OutboxMessage.id)
        ).all()
        return [
            Row(
                id=m.id,
                dedupe_key=m.dedupe_key,
                rule=m.rule,
                recipient_email=m.recipient_email,
                subject=m.subject,
                body_text=m.body_text,
                body_html=m.body_html,
                state=m.state,
                attempts=m.attempts,
                last_error=m.last_error,
                board_key=key,
                meeting_date=m.meeting_date,
            )
            for m, key in found
        ]


def open_actions_by_owner(engine: Engine, board_key: str) -> dict[str, set[str]]:
    """Owner e-mail -> references of the open actions overseen directly by ``board_key``."""
    with session_scope(engine) as session:
        rows = session.execute(
            select(Person.email, Action.reference)
            .join(Action, Action.owner_id == Person.id)
            .join(GovernanceBody, GovernanceBody.id == Action.body_id)
            .where(GovernanceBody.key == board_key, Action.status.not_in(["complete", "withdrawn"]))
        ).all()
    owners: dict[str, set[str]] = {}
    for owner, reference in rows:
        owners.setdefault(owner, set()).add(reference)
    return owners


def parse_envelope(content: bytes | str) -> EmailMessage:
    data = content.encode() if isinstance(content, str) else content
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())

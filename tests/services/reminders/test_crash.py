"""A dispatcher killed mid-way (SIGKILL, no clean-up) and restarted: nothing lost, nothing twice.

A child process claims a batch and is killed before it sends; the restarted dispatcher, once
the lease timeout has passed, reclaims the batch and delivers every message exactly once. The
kill in the middle of a batch, with the one window no outbox can close, is in
``test_kill_mid_batch``.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from tests.mail.conftest import SmtpServer
from tests.reminders.helpers import make_settings, outbox_rows, parse_envelope
from tests.services.reminders.test_delivery import queue_window_opening, smtp
from tracker.db import make_engine
from tracker.governance import GovernanceConfig
from tracker.services.reminders import send_queued_mail

CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from tracker.db import make_engine
    from tracker.services.outbox import DispatchPolicy, dispatch_outbox

    url, port, when = sys.argv[1], int(sys.argv[2]), sys.argv[3]

    class KilledBeforeSending:
        def send(self, messages, on_outcomes=None):
            os.kill(os.getpid(), signal.SIGKILL)

    transport = KilledBeforeSending()
    dispatch_outbox(make_engine(url), transport=transport, domain="example.org",
                    policy=DispatchPolicy(batch_size=3))
    """
)


def run_child(url: str, port: int, when: str) -> None:
    child = subprocess.run(
        [sys.executable, "-c", CHILD, url, str(port), when],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr


def restart(url: str, port: int, tmp_path: Path, *, after: timedelta) -> None:
    engine = make_engine(url)
    try:
        send_queued_mail(
            engine,
            settings=make_settings(url, tmp_path),
            transport=smtp(port),
            reply_to=None,
            clock=lambda: datetime.now(UTC) + after,
        )
    finally:
        engine.dispose()


def test_killed_between_claim_and_send_then_restarted_delivers_each_message_once(
    db_url: str,
    engine: Engine,
    governance: GovernanceConfig,
    smtp_server: SmtpServer,
    tmp_path: Path,
) -> None:
    queued = queue_window_opening(engine, governance)
    run_child(db_url, smtp_server.port, "before")
    assert Counter(r.state for r in outbox_rows(engine)) == {"sending": 3, "pending": queued - 3}
    assert smtp_server.handler.envelopes == []

    # Restarted at once: the rest go, the claimed batch waits for its lease to run out.
    restart(db_url, smtp_server.port, tmp_path, after=timedelta(0))
    assert len(smtp_server.handler.envelopes) == queued - 3
    restart(db_url, smtp_server.port, tmp_path, after=timedelta(minutes=31))

    rows = outbox_rows(engine)
    envelopes = smtp_server.handler.envelopes
    assert {r.state for r in rows} == {"sent"}
    assert len(envelopes) == len(rows) == queued
    delivered = Counter((e.rcpt_tos[0], parse_envelope(e.content)["Subject"]) for e in envelopes)
    assert set(delivered.values()) == {1}
    assert Counter((r.recipient_email, r.subject) for r in rows) == delivered
    # The killed attempt counts: the reclaimed batch shows two attempts.
    assert Counter(r.attempts for r in rows) == {1: queued - 3, 2: 3}

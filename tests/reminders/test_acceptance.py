"""The issue's acceptance test, as an operator would run it.

With ``TRACKER_MAIL_TRANSPORT=smtp`` pointing at a local SMTP server, ``tracker remind --as-of``
a date inside an update window of the seeded calendar delivers one e-mail per owner with deep
links; running it again delivers nothing new. The real ``tracker`` command runs in a subprocess.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from tests.conftest import GOVERNANCE_FILE
from tests.mail.conftest import SmtpServer
from tests.reminders.helpers import SOB, open_actions_by_owner, parse_envelope, text_of
from tracker.db import make_engine

TRACKER = Path(sys.executable).with_name("tracker")
# The SEND Operations Board's window for its 18 February 2026 meeting opened on 6 February.
IN_WINDOW = "2026-02-09"
APP_URL = "https://send-tracker.example.org"


def tracker(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TRACKER), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_remind_delivers_one_email_per_owner_with_deep_links_and_nothing_new_when_rerun(
    db_url: str, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    env = {
        "TRACKER_DATABASE_URL": db_url,
        "TRACKER_GOVERNANCE_FILE": str(GOVERNANCE_FILE),
        "TRACKER_APP_URL": APP_URL,
        "TRACKER_MAIL_TRANSPORT": "smtp",
        "TRACKER_SMTP_HOST": "127.0.0.1",
        "TRACKER_SMTP_PORT": str(smtp_server.port),
        "TRACKER_MAIL_FROM": "send.tracker@example.org",
    }
    first = tracker("remind", "--as-of", IN_WINDOW, env=env)
    assert first.returncode == 0, first.stderr
    envelopes = list(smtp_server.handler.envelopes)
    assert envelopes

    requests: dict[str, list[str]] = {}
    for envelope in envelopes:
        message = parse_envelope(envelope.content)
        if message["Subject"].endswith("for the SEND Operations Board by Friday 13 February 2026"):
            (recipient,) = envelope.rcpt_tos
            requests.setdefault(recipient, []).append(text_of(message))
    engine = make_engine(db_url)
    owners = open_actions_by_owner(engine, SOB)
    engine.dispose()
    assert set(requests) == set(owners)
    for owner, texts in requests.items():
        assert len(texts) == 1, f"{owner} got {len(texts)} update requests"
        links = set(re.findall(re.escape(APP_URL) + r"\?action=(P[\d.]+)", texts[0]))
        assert links == owners[owner]
    assert f"sent {len(envelopes)}," in first.stdout

    second = tracker("remind", "--as-of", IN_WINDOW, env=env)
    assert second.returncode == 0, second.stderr
    assert "0 queued" in second.stdout and "sent 0," in second.stdout
    assert len(smtp_server.handler.envelopes) == len(envelopes)
    recipients = Counter(e.rcpt_tos[0] for e in smtp_server.handler.envelopes)
    subjects = Counter(
        (e.rcpt_tos[0], parse_envelope(e.content)["Subject"]) for e in smtp_server.handler.envelopes
    )
    assert set(subjects.values()) == {1}
    assert sum(recipients.values()) == len(envelopes)

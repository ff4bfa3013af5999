"""Risk owners reminded to review their risks through the same rules and outbox as actions.

One e-mail per person per day: an owner with actions to update gets their risks due for review
in the same e-mail; an owner with none gets one of their own. A run repeated the same day sends
nothing more; an overdue review is chased at governance's interval, not daily; a rescored risk
is not chased. The e-mails go through a real SMTP server (aiosmtpd) and escape user text.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import select

from tests.factories import ADMIN, EXECUTIVE, actor
from tests.mail.conftest import SmtpServer
from tests.reminders.helpers import (
    APP_URL,
    SOB,
    html_of,
    make_settings,
    open_actions_by_owner,
    outbox_rows,
    parse_envelope,
    text_of,
)
from tests.services.reminders.test_delivery import smtp
from tests.services.reminders.test_rules import WINDOW_OPENS
from tracker.db import session_scope
from tracker.governance import GovernanceConfig
from tracker.models import Risk
from tracker.services.reminders import preview_reminders, queue_due_reminders, send_queued_mail
from tracker.services.risks import NewRisk, Rescore, add_risk, score_risk

NOW = datetime(2026, 2, 6, 7, 30, tzinfo=UTC)
NASTY = 'Capital slips <script>alert("x")</script> & "quotes"'


def _add_risk(
    engine: Engine, governance: GovernanceConfig, owner: str, title: str, *, due: date
) -> str:
    """A risk owned by ``owner`` whose review falls due on ``due`` (added 30 days before)."""
    with session_scope(engine, write=True) as session:
        risk = add_risk(
            session,
            actor=actor(session, ADMIN),
            form=NewRisk(title=title, owner_email=owner, likelihood=4, impact=5, review_days=30),
            governance=governance,
            today=due - timedelta(days=30),
        )
        return risk.reference


def _run(engine: Engine, governance: GovernanceConfig, day: date) -> int:
    return queue_due_reminders(
        engine,
        governance=governance,
        app_url=APP_URL,
        today=day,
        now=NOW + timedelta(days=(day - WINDOW_OPENS).days),
        rules=("update_request", "chaser", "escalation", "paper_ready", "risk_review"),
    ).added


def test_an_owners_risks_ride_in_their_action_email_and_a_rerun_sends_nothing_more(
    engine: Engine, governance: GovernanceConfig
) -> None:
    owner = sorted(open_actions_by_owner(engine, SOB))[0]
    reference = _add_risk(engine, governance, owner, "EP recruitment fails", due=WINDOW_OPENS)
    before = len(outbox_rows(engine))
    added = _run(engine, governance, WINDOW_OPENS)
    rows = [r for r in outbox_rows(engine)[before:] if r.recipient_email == owner]
    assert added > 0
    assert [r.rule for r in rows if r.rule == "risk_review"] == []  # no second e-mail
    (host,) = [r for r in rows if reference in r.body_text]
    assert host.rule == "update_request"
    assert host.subject.endswith(", and review 1 risk")
    assert "link opens it in the register, where you rescore it" in host.body_html
    assert "Risks to review (1):" in host.body_text
    assert "Score: 20 (likelihood 4 x impact 5) | Review due: 6 Feb 2026" in host.body_text
    assert f"{APP_URL}/risks?risk={reference}" in host.body_text
    assert f'href="{APP_URL}/risks?risk={reference}"' in host.body_html
    # The same day again, and the next day: nothing more is queued for the risk.
    assert _run(engine, governance, WINDOW_OPENS) == 0
    _run(engine, governance, WINDOW_OPENS + timedelta(days=1))
    later = [r for r in outbox_rows(engine)[before:] if reference in r.body_text]
    assert later == [host]


def test_an_owner_with_no_actions_due_gets_one_risk_email_escaped_and_delivered(
    engine: Engine, governance: GovernanceConfig, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    assert EXECUTIVE not in open_actions_by_owner(engine, SOB)
    first = _add_risk(engine, governance, EXECUTIVE, NASTY, due=WINDOW_OPENS - timedelta(days=3))
    second = _add_risk(engine, governance, EXECUTIVE, "ND pathway waits grow", due=WINDOW_OPENS)
    _run(engine, governance, WINDOW_OPENS)
    (row,) = [r for r in outbox_rows(engine) if r.recipient_email == EXECUTIVE]
    assert row.rule == "risk_review"
    assert row.subject == "Please review 2 risks (1 overdue) you own"
    settings = make_settings(str(engine.url), tmp_path)
    send_queued_mail(engine, settings=settings, transport=smtp(smtp_server.port), reply_to=None)
    (envelope,) = [e for e in smtp_server.handler.envelopes if e.rcpt_tos == [EXECUTIVE]]
    message = parse_envelope(envelope.content)
    text, page = text_of(message), html_of(message)
    assert f"- {first}  {NASTY}" in text
    assert "Review due: 3 Feb 2026 (3 days overdue)" in text
    assert f"{APP_URL}/risks?risk={second}" in text
    assert "<script>" not in page
    assert "Capital slips &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;" in page
    assert f'href="{APP_URL}/risks?risk={first}"' in page


def test_an_overdue_review_is_chased_weekly_and_a_rescored_risk_is_left_alone(
    engine: Engine, governance: GovernanceConfig
) -> None:
    due = date(2026, 3, 2)  # no board cycle is open for this owner then
    reference = _add_risk(engine, governance, EXECUTIVE, "Data quality of the EHCP hub", due=due)

    def risk_mails() -> list[str]:
        return [r.dedupe_key for r in outbox_rows(engine) if r.rule == "risk_review"]

    _run(engine, governance, due - timedelta(days=1))
    assert risk_mails() == []  # not due yet
    _run(engine, governance, due)
    assert risk_mails() == [f"risk_review:{EXECUTIVE}:{due}"]
    for day in range(1, 7):
        _run(engine, governance, due + timedelta(days=day))
    assert len(risk_mails()) == 1  # overdue, but chased only after 7 days
    _run(engine, governance, due + timedelta(days=7))
    assert risk_mails()[-1] == f"risk_review:{EXECUTIVE}:{due + timedelta(days=7)}"
    with session_scope(engine, write=True) as session:
        score_risk(
            session,
            actor=actor(session, EXECUTIVE),
            reference=reference,
            form=Rescore(likelihood=3, impact=5, commentary="Hub audit done"),
            scale=governance.risks,
            today=due + timedelta(days=8),
        )
    _run(engine, governance, due + timedelta(days=14))
    assert len(risk_mails()) == 2  # reviewed: not chased again until the next review


def test_the_dry_run_lists_the_risk_lines_and_writes_nothing(
    engine: Engine, governance: GovernanceConfig
) -> None:
    reference = _add_risk(
        engine, governance, EXECUTIVE, "Capital programme slips", due=WINDOW_OPENS
    )
    with session_scope(engine) as session:
        _, items = preview_reminders(
            session, governance=governance, app_url=APP_URL, today=WINDOW_OPENS
        )
    # (On a Friday the executive's weekly digest is due too; it has its own job and e-mail.)
    (item,) = [i for i in items if i.reminder.rule == "risk_review"]
    assert item.reminder.recipient_email == EXECUTIVE
    assert [line.reference for line in item.reminder.risks] == [reference]
    assert item.would_send and item.subject == "Please review 1 risk you own"
    with session_scope(engine) as session:
        (risk,) = session.exec(select(Risk)).all()
        assert risk.review_reminded_on is None
    assert [r for r in outbox_rows(engine) if r.recipient_email == EXECUTIVE] == []

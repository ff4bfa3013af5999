"""Escalations go only to a body someone reads, and its secretary is told through the outbox."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from tests.factories import ADMIN, actor
from tests.papers.scenario import governance
from tracker.db import session_scope
from tracker.models import Action, GovernanceBody, OutboxMessage
from tracker.services.actions import EscalationError, escalate_action

RAISED = datetime(2026, 4, 20, 9, 0, tzinfo=UTC)


def _escalate(engine, reference: str):
    with session_scope(engine, write=True) as session:
        return escalate_action(
            session,
            actor=actor(session, ADMIN),
            reference=reference,
            reason="Needs a funding decision.",
            governance=governance(),
            now=RAISED,
        )


def test_the_receiving_boards_secretary_is_notified_once(engine) -> None:
    row = _escalate(engine, "P2.3")  # overseen by the Operations Board
    assert row.to_body == "SEND Transformation Board"
    with session_scope(engine) as session:
        queued = session.exec(select(OutboxMessage)).all()
    assert [(m.rule, m.recipient_email) for m in queued] == [
        ("escalation_raised", "transformation.board@example.org")
    ]
    assert queued[0].subject == "P2.3 escalated to the SEND Transformation Board"
    assert "Needs a funding decision." in queued[0].body_text


def test_no_escalation_to_a_body_that_neither_meets_nor_has_anyone_named(engine) -> None:
    # The Improvement Board reports to the LCC Cabinet, which has no calendar, secretary or
    # chair in governance.yaml: refused before anything is recorded, not lost on arrival.
    with session_scope(engine, write=True) as session:
        sib = session.exec(
            select(GovernanceBody).where(GovernanceBody.key == "send_improvement_board")
        ).one()
        action = session.exec(select(Action).where(Action.reference == "P2.3")).one()
        action.body_id = sib.id
    with pytest.raises(EscalationError, match="has no board above it"):
        _escalate(engine, "P2.3")
    with session_scope(engine) as session:
        assert session.exec(select(OutboxMessage)).all() == []

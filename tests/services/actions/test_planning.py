"""Seeded planning details "to confirm": never overdue until an administrator confirms them."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, text
from sqlmodel import select

from tests.factories import actor
from tracker.db import session_scope
from tracker.models import Action, AuditLog
from tracker.permissions import PermissionDenied
from tracker.rules import days_overdue
from tracker.services.actions import ActionFields, edit_action, get_action
from tracker.services.actions._planning import confirm_planning, count_confirmed
from tracker.services.register import list_overdue_actions
from tracker.services.reminders._rules import plan_weekly_digests

LATE = date(2029, 1, 1)  # after every seeded due date
ADMIN = "send.pmo@example.org"


@pytest.mark.parametrize(
    ("due", "status", "confirmed", "expected"),
    [
        (date(2026, 3, 31), "in_progress", True, 10),
        (date(2026, 3, 31), "in_progress", False, None),
        (date(2026, 3, 31), "complete", True, None),
        (date(2026, 4, 10), "not_started", True, None),
        (None, "in_progress", True, None),
    ],
)
def test_days_overdue(due: date | None, status: str, confirmed: bool, expected: int | None) -> None:
    today = date(2026, 4, 10)
    assert (
        days_overdue(due_date=due, status=status, today=today, due_confirmed=confirmed) == expected
    )


@pytest.fixture
def unconfirmed(engine: Engine) -> Engine:
    """The seeded plan as a production ``tracker init`` leaves it."""
    with engine.begin() as conn:
        conn.execute(text("UPDATE action SET planning_confirmed = false"))
    return engine


def test_nothing_is_overdue_until_confirmed_then_bulk_confirm_counts(unconfirmed: Engine) -> None:
    with session_scope(unconfirmed, write=True) as session:
        assert list_overdue_actions(session, today=LATE) == []
        assert count_confirmed(session).confirmed == 0
        done = confirm_planning(session, actor=actor(session, ADMIN))
        assert len(done) == 42
    with session_scope(unconfirmed) as session:
        assert len(list_overdue_actions(session, today=LATE)) == 42
        audit = session.exec(select(AuditLog).where(AuditLog.field == "planning_confirmed")).all()
        assert len(audit) == 42 and audit[0].new == "confirmed"


def test_confirming_chosen_actions_bumps_their_version_only(unconfirmed: Engine) -> None:
    with session_scope(unconfirmed, write=True) as session:
        before = get_action(session, "P2.3").version
        assert confirm_planning(session, actor=actor(session, ADMIN), references=["p2.3"]) == [
            "P2.3"
        ]
    with session_scope(unconfirmed) as session:
        assert get_action(session, "P2.3").version == before + 1
        assert [r.reference for r in list_overdue_actions(session, today=LATE)] == ["P2.3"]


def test_only_administrators_confirm(unconfirmed: Engine) -> None:
    with (
        session_scope(unconfirmed, write=True) as session,
        pytest.raises(PermissionDenied),
    ):
        confirm_planning(session, actor=actor(session, "head.of.send@example.org"))


def test_editing_an_action_confirms_it(unconfirmed: Engine) -> None:
    with session_scope(unconfirmed, write=True) as session:
        action = get_action(session, "P1.2")
        fields = ActionFields(
            reference=action.reference,
            title=action.title,
            priority_id=action.priority_id,
            workstream_id=action.workstream_id,
            owner_id=action.owner_id,
            lead_organisation_id=action.lead_organisation_id,
            body_id=action.body_id,
            start_date=action.start_date,
            due_date=action.due_date,
        )
        edit_action(
            session,
            actor=actor(session, ADMIN),
            reference="P1.2",
            seen_version=action.version,
            fields=fields,
        )
    with session_scope(unconfirmed) as session:
        assert session.exec(
            select(Action.planning_confirmed).where(Action.reference == "P1.2")
        ).one()


def _digest_overdue(engine: Engine) -> list[str]:
    from tests.conftest import GOVERNANCE_FILE
    from tracker.governance import load_governance
    from tracker.services.reminders._facts import load_reminder_facts
    from tracker.services.reminders._rules import PlanNotes

    config = load_governance(GOVERNANCE_FILE).update_cycle.reminders
    monday = date(2028, 12, 4)
    with session_scope(engine) as session:
        facts = load_reminder_facts(session, today=monday)
    digests = plan_weekly_digests(facts, config=config, today=monday, notes=PlanNotes())
    return [
        line.reference
        for d in digests
        for section in d.sections
        if section.heading == "Overdue actions"
        for line in section.lines
    ]


def test_the_weekly_digest_lists_no_unconfirmed_action_as_overdue(unconfirmed: Engine) -> None:
    assert _digest_overdue(unconfirmed) == []
    with session_scope(unconfirmed, write=True) as session:
        confirm_planning(session, actor=actor(session, ADMIN), references=["P2.3"])
    assert set(_digest_overdue(unconfirmed)) == {"P2.3"}

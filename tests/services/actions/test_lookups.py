"""Choices for filters and forms, and one action's detail."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine

from tests.factories import ADMIN, actor, add_update
from tracker.db import session_scope
from tracker.services.actions import ActionNotFound, get_action_detail, list_choices
from tracker.services.people import set_active


def test_choices_in_strategy_and_governance_order(engine: Engine) -> None:
    with session_scope(engine) as session:
        choices = list_choices(session)
    assert [c.id for c in choices.priorities] == [1, 2, 3, 4, 5]
    assert choices.priorities[0].label == "Priority 1: Identifying needs"
    assert set(choices.priority_ids) == {1, 2, 3, 4, 5}
    assert len(choices.workstreams) == 6 and len(choices.bodies) == 15
    assert any(c.label == "Lancashire County Council (LCC)" for c in choices.organisations)
    owners = {c.label for c in choices.owners}
    assert "Head of SEND Service" in owners and "POWAR Participation Worker" not in owners


def test_inactive_people_cannot_be_assigned(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        target = next(c for c in list_choices(session).people if "powar@" in c.label)
        set_active(session, actor=actor(session, ADMIN), person_id=target.id, active=False)
    with session_scope(engine) as session:
        assert target.id not in {c.id for c in list_choices(session).people}


def test_action_detail_carries_the_last_update(engine: Engine) -> None:
    add_update(engine, "P2.3", rag="amber", commentary="Slipping.", by=ADMIN)
    with session_scope(engine) as session:
        detail = get_action_detail(session, reference=" P2.3 ", today=date(2026, 10, 1))
    assert detail.row.reference == "P2.3" and detail.row.rag == "amber"
    assert detail.last_updated_by == "SEND Programme Management Office"
    assert (
        detail.last_update is not None
        and detail.last_update.by == "SEND Programme Management Office"
    )
    assert detail.original_due_date == detail.row.due_date


def test_unknown_action(engine: Engine) -> None:
    with session_scope(engine) as session, pytest.raises(ActionNotFound):
        get_action_detail(session, reference="P9.9", today=date(2026, 10, 1))

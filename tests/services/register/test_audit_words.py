"""The audit trail as a person reads it: no codes, ISO dates or bare e-mail addresses."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import ADMIN, HEAD_OF_SEND, actor, add_update
from tracker.db import session_scope
from tracker.services.actions import get_action, reassign_action
from tracker.services.register._audit_words import word_audit_value, worded_audit_trail

NAMES = {"head.of.send@example.org": "Head of SEND Service"}


@pytest.mark.parametrize(
    ("field", "value", "worded"),
    [
        ("rag", "red", "Red"),
        ("status", "not_started", "Not started"),
        ("status", "in_progress", "In progress"),
        ("due_date", "2026-06-30", "30 Jun 2026"),
        ("owner", "head.of.send@example.org", "Head of SEND Service"),
        ("rag", None, "—"),
        ("latest_commentary", "  ", "—"),
        ("latest_commentary", "Posts filled 2026-06-30.", "Posts filled 2026-06-30."),
    ],
)
def test_values_are_worded(field: str, value: str | None, worded: str) -> None:
    assert word_audit_value(field, value, names=NAMES) == worded


def test_an_actions_trail_reads_as_words(engine) -> None:
    add_update(
        engine,
        "P2.3",
        rag="amber",
        commentary="Slipping.",
        revised_due_date=date(2027, 3, 31),
        due_date_reason="Recruitment",
        by=HEAD_OF_SEND,
    )
    with session_scope(engine, write=True) as session:
        action = get_action(session, "P2.5")
        reassign_action(
            session,
            actor=actor(session, ADMIN),
            reference="P2.5",
            seen_version=action.version,
            owner_id=get_action(session, "P2.3").owner_id or 0,
        )
    with session_scope(engine) as session:
        admin = actor(session, ADMIN)
        p23_id, p25_id = get_action(session, "P2.3").id, get_action(session, "P2.5").id
        p23 = worded_audit_trail(session, actor=admin, entity="action", entity_id=p23_id)
        p25 = worded_audit_trail(session, actor=admin, entity="action", entity_id=p25_id)
    by_field = {e.field: (e.old, e.new) for e in p23}
    assert by_field["RAG rating"] == ("—", "Amber")
    assert by_field["status"] == ("Not started", "In progress")
    assert by_field["due date"] == ("30 Jun 2026", "31 Mar 2027")
    assert "Head of SEND Service" in {e.actor for e in p23}
    assert not any("@" in e.actor for e in p23 + p25)
    owner_change = next(e for e in p25 if e.field == "owner")
    assert "@" not in (owner_change.old or "") + (owner_change.new or "")
    assert owner_change.new == "Head of SEND Service"

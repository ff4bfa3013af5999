"""A person's worklist: owned and led actions, most urgent first, closed ones last."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import Engine

from tests.factories import HEAD_OF_SEND, actor, add_update
from tracker.db import session_scope
from tracker.services.actions import list_my_actions, match_reference, picker_references

TODAY = date(2026, 10, 1)


def test_lead_gets_owned_and_workstream_actions(engine: Engine) -> None:
    with session_scope(engine) as session:
        worklist = list_my_actions(session, actor=actor(session, HEAD_OF_SEND), today=TODAY)
    relations = {i.row.reference: i.relation for i in worklist.items}
    assert relations["P2.3"] == "Owner and workstream lead"
    assert relations["P2.4"] == "Workstream lead"  # owned by the Principal EP
    assert worklist.workstreams == ["EHCP Improvement"]
    assert all(i.row.workstream == "EHCP Improvement" or i.owned for i in worklist.items)


def test_most_urgent_first_and_closed_last(engine: Engine) -> None:
    add_update(engine, "P2.4", rag="green", by=HEAD_OF_SEND)
    add_update(engine, "P2.6", rag="blue", status="complete", commentary="Done.", by=HEAD_OF_SEND)
    with session_scope(engine) as session:
        items = list_my_actions(session, actor=actor(session, HEAD_OF_SEND), today=TODAY).items
    bands = [
        3
        if i.row.status == "complete"
        else 0
        if i.row.flags.overdue
        else 1
        if i.row.flags.not_updated
        else 2
        for i in items
    ]
    assert bands == sorted(bands)
    overdue = [
        i.row.flags.days_overdue
        for i in items
        if i.row.flags.overdue and i.row.status != "complete"
    ]
    assert overdue == sorted(overdue, reverse=True)
    assert items[-1].row.reference == "P2.6" and not items[-1].needs_update


def test_workstreams_can_be_left_out(engine: Engine) -> None:
    with session_scope(engine) as session:
        mine = list_my_actions(
            session, actor=actor(session, HEAD_OF_SEND), today=TODAY, include_workstreams=False
        )
    assert mine.items and all(i.owned for i in mine.items)


def test_someone_with_no_actions_gets_an_empty_list(engine: Engine) -> None:
    with session_scope(engine) as session:
        worklist = list_my_actions(session, actor=actor(session, "powar@example.org"), today=TODAY)
    assert worklist.items == [] and worklist.overdue == 0 and worklist.update_due == 0


@pytest.mark.parametrize(
    ("typed", "found"),
    [("P4.1", "P4.1"), ("p4.11", "P4.11"), (" P4.10 ", "P4.10"), ("P4.12", None), ("P4", None)],
)
def test_a_typed_reference_matches_exactly(typed: str, found: str | None) -> None:
    assert match_reference(typed, ["P4.10", "P4.11", "P4.1"]) == found


def test_the_picker_lists_p4_1_before_p4_10() -> None:
    typed = ("P4.10", "P4.3", "P4.1", "P4.11")
    refs = picker_references([SimpleNamespace(row=SimpleNamespace(reference=r)) for r in typed])
    assert refs == ["P4.1", "P4.3", "P4.10", "P4.11"]

"""Each screen's view model: one call, everything the screen shows, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine

from tests.conftest import GOVERNANCE_FILE
from tests.factories import (
    ADMIN,
    EXECUTIVE,
    HEAD_OF_SEND,
    PARTNER,
    SECRETARY_SOB,
    actor,
    add_update,
)
from tracker.db import session_scope
from tracker.governance import current_governance
from tracker.permissions import Actor
from tracker.services.actions import ActionNotFound, load_action_page, load_my_actions
from tracker.services.papers import load_papers_page
from tracker.services.register import ActionFilter, load_register_page

TODAY = date(2026, 10, 1)


def _actor(engine: Engine, email: str) -> Actor:
    with session_scope(engine) as session:
        return actor(session, email)


@pytest.mark.postgres
def test_my_actions_carry_each_listed_actions_newest_update(engine: Engine) -> None:
    add_update(engine, "P2.3", rag="red", commentary="Older.", at=datetime(2026, 9, 1, tzinfo=UTC))
    add_update(engine, "P2.3", rag="amber", commentary="Newer.", by=ADMIN)
    screen = load_my_actions(
        engine, actor=_actor(engine, HEAD_OF_SEND), today=TODAY, wanted=["P2.3", "P2.4", "P1.1"]
    )

    listed = {item.row.reference for item in screen.worklist.items}
    assert {"P2.3", "P2.4"} <= listed and "P1.1" not in listed
    # The details read are those wanted that are on the list, and the one opened by default.
    assert set(screen.details) == {"P2.3", "P2.4", screen.worklist.first_to_update}
    detail = screen.details["P2.3"]
    assert detail.row.rag == "amber"
    assert detail.last_update is not None
    assert detail.last_update.by == "SEND Programme Management Office"
    assert detail.last_updated_by == "SEND Programme Management Office"
    assert screen.details["P2.4"].last_update is None  # never updated
    assert screen.linked is None


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("who", "linked", "exists", "opens"),
    [
        (HEAD_OF_SEND, "P1.1", True, False),  # someone else's action: not theirs to update
        (HEAD_OF_SEND, "P9.9", False, False),
        (ADMIN, "P1.1", True, True),  # administrators may update any action
    ],
)
def test_a_linked_action_off_the_list_says_whether_it_opens(
    engine: Engine, who: str, linked: str, exists: bool, opens: bool
) -> None:
    screen = load_my_actions(engine, actor=_actor(engine, who), today=TODAY, linked=linked)
    assert screen.linked is not None
    assert (screen.linked.exists, screen.linked.detail is not None) == (exists, opens)


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("who", "updatable", "audit", "admin"),
    [
        (HEAD_OF_SEND, True, True, False),
        (EXECUTIVE, False, True, False),
        (PARTNER, False, False, False),
        (ADMIN, True, True, True),
    ],
)
def test_the_action_page_shows_each_person_what_they_may_see(
    engine: Engine, who: str, updatable: bool, audit: bool, admin: bool
) -> None:
    add_update(engine, "P2.3", rag="amber", commentary="First.")
    add_update(engine, "P2.3", rag="red", commentary="Second.", path_to_green="Plan B.")
    page = load_action_page(engine, actor=_actor(engine, who), reference="P2.3", today=TODAY)
    assert page.reference == "P2.3" and page.detail.row.rag == "red"
    assert [e.commentary for e in page.history] == ["Second.", "First."]
    assert page.may_update is updatable
    assert (page.audit is not None, page.choices is not None) == (audit, admin)


def test_the_action_page_of_an_unknown_action(engine: Engine) -> None:
    with pytest.raises(ActionNotFound):
        load_action_page(engine, actor=_actor(engine, ADMIN), reference="P9.9", today=TODAY)


@pytest.mark.postgres
def test_the_register_screen_drops_a_choice_no_longer_offered(engine: Engine) -> None:
    screen = load_register_page(engine, today=TODAY, filters=ActionFilter(workstream_id=99_999))
    assert screen.filters.workstream_id is None
    assert screen.page.total == 42 and len(screen.page.rows) == 42
    assert len(screen.choices.workstreams) == 6

    ehcp = next(c.id for c in screen.choices.workstreams if c.label == "EHCP Improvement")
    narrowed = load_register_page(engine, today=TODAY, filters=ActionFilter(workstream_id=ehcp))
    assert narrowed.filters.workstream_id == ehcp
    assert 0 < narrowed.page.total < 42
    assert {row.workstream for row in narrowed.page.rows} == {"EHCP Improvement"}


@pytest.mark.postgres
def test_the_papers_screen_opens_on_the_secretarys_own_board_and_next_meeting(
    engine: Engine,
) -> None:
    config = current_governance(GOVERNANCE_FILE)
    secretary = _actor(engine, SECRETARY_SOB)
    screen = load_papers_page(engine, actor=secretary, governance=config, today=TODAY)
    assert screen.board is not None and screen.board.name == "SEND Operations Board"
    assert screen.own == (screen.board.key,) and screen.may_generate
    assert screen.meeting is not None and screen.meeting.meeting_date >= TODAY
    earlier = [m for m in screen.meetings if m.meeting_date < screen.meeting.meeting_date]
    assert all(m.meeting_date < TODAY for m in earlier)

    other = next(b for b in screen.boards if b.key != screen.board.key)
    chosen = load_papers_page(
        engine,
        actor=secretary,
        governance=config,
        today=TODAY,
        board_key=other.key,
        meeting_dates={other.key: date(1999, 1, 1)},  # not one of its meetings: the next one
    )
    assert chosen.board == other and not chosen.may_generate
    coming = [m for m in chosen.meetings if m.meeting_date >= TODAY]
    assert chosen.meeting == (coming[0] if coming else chosen.meetings[-1])

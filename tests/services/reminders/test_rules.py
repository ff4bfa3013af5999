"""The five reminder rules on the seeded plan: who is told what, on which days, and only once.

The SEND Operations Board meets on Wednesday 18 February 2026: its paper deadline is Friday
13 February (3 working days before) and its update window opens Friday 6 February (5 working
days before that). With the governance defaults the chaser falls on Wednesday 11 February and
the escalation and paper-ready notice on Monday 16 February.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.sql import ColumnElement
from sqlmodel import col

from tests.factories import add_update
from tests.reminders.helpers import SOB, open_actions_by_owner
from tracker.db import session_scope
from tracker.governance import GovernanceConfig, ReminderRule, RemindersConfig
from tracker.models import Action, GovernanceBody, Person, PersonRole, Workstream
from tracker.services.reminders import (
    ALL_RULES,
    PlannedReminder,
    ReminderPlan,
    plan_reminders,
)

MEETING = date(2026, 2, 18)
WINDOW_OPENS = date(2026, 2, 6)
CHASER_DAY = date(2026, 2, 11)
DEADLINE = date(2026, 2, 13)
AFTER_DEADLINE = date(2026, 2, 16)


def plan(engine: Engine, config: RemindersConfig, day: date) -> ReminderPlan:
    with session_scope(engine) as session:
        return plan_reminders(session, config=config, today=day)


def for_sob_meeting(result: ReminderPlan) -> list[PlannedReminder]:
    return [
        r
        for r in result.reminders
        if r.cycle is not None and r.cycle.board_key == SOB and r.cycle.meeting == MEETING
    ]


def change(engine: Engine, table: Any, where: ColumnElement[bool], **values: Any) -> None:
    """Set up a test case directly in the database."""
    with session_scope(engine, write=True) as session:
        session.execute(update(table).where(where).values(**values))


def refs(reminder: PlannedReminder) -> set[str]:
    return {line.reference for section in reminder.sections for line in section.lines}


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 2, 5), set()),
        (WINDOW_OPENS, {"update_request"}),
        (date(2026, 2, 10), {"update_request"}),  # a scheduler back after downtime catches up
        (CHASER_DAY, {"chaser"}),  # the chaser replaces the request: never both in one run
        (DEADLINE, {"chaser"}),
        (date(2026, 2, 14), set()),  # Saturday after the deadline: nothing until a working day
        (AFTER_DEADLINE, {"escalation", "paper_ready"}),
        (MEETING, {"escalation", "paper_ready"}),
        (date(2026, 2, 19), set()),
    ],
)
def test_each_rule_is_due_from_its_day_until_the_next_takes_over(
    sqlite_engine: Engine, governance: GovernanceConfig, day: date, expected: set[str]
) -> None:
    result = plan(sqlite_engine, governance.update_cycle.reminders, day)
    assert {r.rule for r in for_sob_meeting(result)} == expected


def test_update_request_goes_once_to_each_owner_listing_all_their_board_actions(
    engine: Engine, governance: GovernanceConfig
) -> None:
    result = plan(engine, governance.update_cycle.reminders, WINDOW_OPENS)
    requests = [r for r in for_sob_meeting(result) if r.rule == "update_request"]
    expected = open_actions_by_owner(engine, SOB)
    assert {r.recipient_email: refs(r) for r in requests} == expected
    assert len({r.dedupe_key for r in requests}) == len(requests)
    sample = next(r for r in requests if r.recipient_email == "inclusion.lead@example.org")
    assert (
        sample.dedupe_key
        == "update_request:inclusion.lead@example.org:send_operations_board:2026-02-18"
    )
    assert [line.reference for line in sample.sections[0].lines] == [
        "P1.1",
        "P2.6",
        "P2.8",
        "P5.3",
        "P5.8",
    ]


def test_chaser_goes_only_to_owners_still_not_updated_and_lists_what_is_missing(
    sqlite_engine: Engine, governance: GovernanceConfig
) -> None:
    in_window = datetime(2026, 2, 9, 10, tzinfo=UTC)
    before_window = datetime(2026, 2, 5, 10, tzinfo=UTC)
    for reference in ("P2.3", "P3.6"):  # the Head of SEND updates both actions
        add_update(sqlite_engine, reference, at=in_window)
    add_update(sqlite_engine, "P4.9", at=in_window)  # the co-chair updates one of two
    add_update(sqlite_engine, "P2.4", at=before_window)  # before the window: does not count
    result = plan(sqlite_engine, governance.update_cycle.reminders, CHASER_DAY)
    chasers = {r.recipient_email: refs(r) for r in for_sob_meeting(result) if r.rule == "chaser"}
    assert "head.of.send@example.org" not in chasers
    assert chasers["cochair@example-lpcf.org.uk"] == {"P4.10"}
    assert chasers["principal.ep@example.org"] == {"P2.4"}


def test_escalation_goes_to_each_workstream_lead_with_their_workstreams_missing_actions(
    sqlite_engine: Engine, governance: GovernanceConfig
) -> None:
    add_update(sqlite_engine, "P1.2", at=datetime(2026, 2, 10, 9, tzinfo=UTC))
    result = plan(sqlite_engine, governance.update_cycle.reminders, AFTER_DEADLINE)
    escalations = {
        r.recipient_email: refs(r) for r in for_sob_meeting(result) if r.rule == "escalation"
    }
    assert escalations["workforce.lead@example.org"] == {"P1.1", "P5.9"}
    assert escalations["head.of.send@example.org"] == {
        "P2.3",
        "P3.6",
        "P2.4",
        "P2.6",
        "P2.8",
        "P5.3",
    }
    assert escalations["nd.pathway@example.nhs.uk"] == {"P5.8"}
    owners = {line.owner for r in for_sob_meeting(result) for s in r.sections for line in s.lines}
    assert "Head of Inclusion" in owners


def test_paper_ready_tells_the_secretary_how_many_were_updated(
    sqlite_engine: Engine, governance: GovernanceConfig
) -> None:
    add_update(sqlite_engine, "P4.11", at=datetime(2026, 2, 12, 9, tzinfo=UTC))
    result = plan(sqlite_engine, governance.update_cycle.reminders, AFTER_DEADLINE)
    (notice,) = [r for r in for_sob_meeting(result) if r.rule == "paper_ready"]
    assert notice.recipient_email == "operations.board@example.org"
    assert notice.total_actions == 25
    assert notice.action_count == 24
    assert "P4.11" not in refs(notice)


def test_no_one_to_write_to_is_a_note_not_a_crash(
    sqlite_engine: Engine, governance: GovernanceConfig
) -> None:
    change(sqlite_engine, Person, Person.email == "workforce.lead@example.org", active=False)
    change(sqlite_engine, GovernanceBody, GovernanceBody.key == SOB, secretary_id=None)
    result = plan(sqlite_engine, governance.update_cycle.reminders, AFTER_DEADLINE)
    rules = {(r.rule, r.recipient_email) for r in for_sob_meeting(result)}
    assert ("escalation", "workforce.lead@example.org") not in rules
    assert not any(rule == "paper_ready" for rule, _ in rules)
    assert any("workforce.lead@example.org> is inactive" in note for note in result.notes)
    assert any("paper-ready notice, no secretary" in note for note in result.notes)


def test_actions_of_a_body_without_meetings_are_updated_for_the_board_it_reports_to(
    sqlite_engine: Engine, governance: GovernanceConfig
) -> None:
    # The Joint Commissioning Network has no calendar and reports to the Transformation Board,
    # whose window for its 5 March 2026 meeting opens on 12 February.
    result = plan(sqlite_engine, governance.update_cycle.reminders, date(2026, 2, 12))
    stb = [
        r
        for r in result.reminders
        if r.rule == "update_request"
        and r.cycle
        and r.cycle.board_key == "send_transformation_board"
    ]
    listed = set().union(*(refs(r) for r in stb))
    with session_scope(sqlite_engine) as session:
        jcn = set(
            session.execute(
                Action.__table__.select()
                .with_only_columns(Action.reference)
                .join(GovernanceBody, GovernanceBody.id == Action.body_id)
                .where(GovernanceBody.key == "joint_commissioning_network")
            ).scalars()
        )
    assert jcn
    assert jcn <= listed


def test_closed_and_not_yet_started_actions_are_left_out(
    sqlite_engine: Engine, governance: GovernanceConfig
) -> None:
    change(sqlite_engine, Action, Action.reference == "P5.8", status="complete", rag="blue")
    change(sqlite_engine, Action, Action.reference == "P2.6", start_date=date(2026, 4, 1))
    result = plan(sqlite_engine, governance.update_cycle.reminders, WINDOW_OPENS)
    (request,) = [
        r
        for r in for_sob_meeting(result)
        if r.rule == "update_request" and r.recipient_email == "inclusion.lead@example.org"
    ]
    assert refs(request) == {"P1.1", "P2.8", "P5.3"}


def test_weekly_digest_lists_overdue_most_overdue_first_and_red_for_each_executive(
    engine: Engine, governance: GovernanceConfig
) -> None:
    at = datetime(2026, 2, 2, 9, tzinfo=UTC)
    for reference, due in (("P1.1", date(2026, 1, 30)), ("P1.2", date(2026, 1, 2))):
        add_update(engine, reference, rag="amber", commentary="Slipping.", at=at)
        change(engine, Action, col(Action.reference) == reference, due_date=due)
    add_update(engine, "P2.3", rag="red", commentary="Blocked.", at=at)
    add_update(engine, "P2.4", rag="red", commentary="Blocked.", at=at)
    add_update(engine, "P2.4", rag="blue", status="complete", commentary="Done.", at=at)
    monday = date(2026, 2, 9)
    result = plan(engine, governance.update_cycle.reminders, monday)
    digests = [r for r in result.reminders if r.rule == "weekly_digest"]
    assert {d.recipient_email for d in digests} == {
        "exec.director.education@example.org",
        "chief.nurse@example.nhs.uk",
    }
    overdue, red = digests[0].sections
    assert [line.reference for line in overdue.lines] == ["P1.2", "P1.1"]
    assert [line.days_overdue for line in overdue.lines] == [38, 10]
    assert [line.reference for line in red.lines] == ["P2.3"]
    assert digests[0].dedupe_key.endswith(":2026-w07")


def test_weekly_digest_lists_a_red_overdue_action_once_with_its_commentary(
    engine: Engine, governance: GovernanceConfig
) -> None:
    at = datetime(2026, 2, 2, 9, tzinfo=UTC)
    add_update(
        engine,
        "P1.1",
        rag="red",
        commentary="Psychologist vacancies unfilled.",
        path_to_green="Agency cover from March.",
        at=at,
    )
    change(engine, Action, col(Action.reference) == "P1.1", due_date=date(2026, 1, 30))
    add_update(engine, "P2.3", rag="red", commentary="Blocked.", path_to_green="Escalate.", at=at)
    result = plan(engine, governance.update_cycle.reminders, date(2026, 2, 9))
    digest = next(r for r in result.reminders if r.rule == "weekly_digest")
    overdue, red = digest.sections
    listed = [line.reference for section in digest.sections for line in section.lines]
    assert len(listed) == len(set(listed)) == digest.action_count
    assert [(x.reference, x.rag) for x in overdue.lines] == [("P1.1", "red")]
    assert [x.reference for x in red.lines] == ["P2.3"]
    assert (overdue.lines[0].commentary, overdue.lines[0].path_to_green) == (
        "Psychologist vacancies unfilled.",
        "Agency cover from March.",
    )
    assert (red.lines[0].commentary, red.lines[0].path_to_green) == ("Blocked.", "Escalate.")


@pytest.mark.parametrize(
    ("day", "due"),
    [
        (date(2026, 2, 8), False),  # Sunday before: last week's digest
        (date(2026, 2, 9), True),  # Monday
        (date(2026, 2, 12), True),  # missed on Monday: still due this week
    ],
)
def test_weekly_digest_is_due_from_its_weekday_to_the_end_of_the_week(
    sqlite_engine: Engine, governance: GovernanceConfig, day: date, due: bool
) -> None:
    config = governance.update_cycle.reminders
    result = plan(sqlite_engine, config, day)
    keys = {r.dedupe_key for r in result.reminders if r.rule == "weekly_digest"}
    if due:
        assert keys == {
            "weekly_digest:exec.director.education@example.org:2026-w07",
            "weekly_digest:chief.nurse@example.nhs.uk:2026-w07",
        }
    else:
        assert all(key.endswith("2026-w06") for key in keys)


def test_disabled_rules_send_nothing_and_a_disabled_chaser_leaves_the_request_due(
    sqlite_engine: Engine, governance: GovernanceConfig
) -> None:
    config = governance.update_cycle.reminders.model_copy(
        update={
            "chaser": ReminderRule(enabled=False),
            "weekly_digest": ReminderRule(enabled=False),
            "paper_ready": ReminderRule(enabled=False),
        }
    )
    on_chaser_day = plan(sqlite_engine, config, CHASER_DAY)
    assert {r.rule for r in for_sob_meeting(on_chaser_day)} == {"update_request"}
    after = plan(sqlite_engine, config, AFTER_DEADLINE)
    assert {r.rule for r in after.reminders} <= {"escalation", "update_request"}


def test_a_chaser_set_further_back_than_the_window_comes_the_day_after_it_opens(
    sqlite_engine: Engine, governance: GovernanceConfig
) -> None:
    config = governance.update_cycle.reminders.model_copy(
        update={"chaser": ReminderRule(working_days_before_deadline=20)}
    )
    rules_by_day = {
        day: {r.rule for r in for_sob_meeting(plan(sqlite_engine, config, day))}
        for day in (WINDOW_OPENS, date(2026, 2, 9))
    }
    assert rules_by_day == {WINDOW_OPENS: {"update_request"}, date(2026, 2, 9): {"chaser"}}


def test_plan_is_plain_data_in_a_stable_order(
    sqlite_engine: Engine, governance: GovernanceConfig
) -> None:
    first = plan(sqlite_engine, governance.update_cycle.reminders, AFTER_DEADLINE)
    second = plan(sqlite_engine, governance.update_cycle.reminders, AFTER_DEADLINE)
    assert first == second
    assert set(first.count_by_rule()) == set(ALL_RULES)


def test_an_executive_without_the_role_gets_no_digest(
    sqlite_engine: Engine, governance: GovernanceConfig
) -> None:
    with session_scope(sqlite_engine, write=True) as session:
        nurse = session.execute(
            Person.__table__.select()
            .with_only_columns(Person.id)
            .where(Person.email == "chief.nurse@example.nhs.uk")
        ).scalar_one()
        session.execute(
            PersonRole.__table__.delete().where(
                PersonRole.person_id == nurse, PersonRole.role == "executive"
            )
        )
    result = plan(sqlite_engine, governance.update_cycle.reminders, date(2026, 2, 9))
    assert {r.recipient_email for r in result.reminders if r.rule == "weekly_digest"} == {
        "exec.director.education@example.org"
    }


def test_a_workstream_without_a_lead_is_noted(
    sqlite_engine: Engine, governance: GovernanceConfig
) -> None:
    change(sqlite_engine, Workstream, Workstream.key == "nd_pathway", lead_id=None)
    result = plan(sqlite_engine, governance.update_cycle.reminders, AFTER_DEADLINE)
    assert any("P5.8" in note and "no workstream lead" in note for note in result.notes)

"""Gathering papers from the seeded strategy after two rounds of updates: what each board reads.

Each test tells the spring 2026 story of ``scenario.py`` and checks what a board member would
read: movement since the last paper, the exceptions the board's level asks for, overdue days at
the paper deadline, counts that agree with the register, and summaries that name actions.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from tests.conftest import GOVERNANCE_FILE
from tests.factories import ADMIN, add_update
from tests.measures.conftest import M23, enter, set_m23_targets
from tests.papers.scenario import (
    DUE_IN_MARCH,
    MEETINGS,
    NEW_DUE,
    gather,
    generate,
    record_round_one,
    record_round_two,
)
from tracker.db import session_scope
from tracker.governance import parse_governance
from tracker.models import Action, GovernanceBody
from tracker.papers.model import ActionLine, BoardPaper, MovementItem
from tracker.services.papers import preview_paper
from tracker.services.people import actor_for_email
from tracker.services.register import summarise_rag


def refs(items: tuple[MovementItem, ...] | tuple[ActionLine, ...]) -> list[str]:
    return [item.reference for item in items]


def line(paper: BoardPaper, reference: str) -> ActionLine:
    return next(a for a in paper.actions if a.reference == reference)


def two_rounds_with_a_paper_between(engine: Engine, board: str) -> BoardPaper:
    record_round_one(engine)
    generate(engine, board, MEETINGS[board][0])
    record_round_two(engine)
    return gather(engine, board, MEETINGS[board][1]).paper


@pytest.mark.parametrize("board", ["SIB", "STB", "SOB"])
def test_movement_since_the_boards_last_paper(engine: Engine, board: str) -> None:
    paper = two_rounds_with_a_paper_between(engine, board)
    movement = paper.movement

    assert refs(movement.improved) == ["P1.1"]
    assert refs(movement.deteriorated) == ["P2.3"]
    assert (movement.deteriorated[0].from_rag, movement.deteriorated[0].to_rag) == ("green", "red")
    assert refs(movement.new_reds) == ["P2.3"]
    slipped = movement.slipped[0]
    assert refs(movement.slipped) == ["P4.1"]
    assert (slipped.from_due, slipped.to_due) == (date(2026, 3, 31), NEW_DUE)
    assert slipped.note == "Consultation extended by the Forum."
    assert refs(movement.completed) == ["P5.1"]
    assert refs(paper.completed_since_last) == ["P5.1"]
    assert "Since the paper for the meeting on" in paper.executive_summary[2]


def test_the_improvement_board_sees_red_and_overdue_exceptions_by_priority(engine: Engine) -> None:
    paper = two_rounds_with_a_paper_between(engine, "SIB")

    assert paper.level == "strategic" and paper.board_name == "SEND Improvement Board"
    assert refs(paper.exceptions) == ["P2.3", "P3.1", "P1.2", "P2.4", "P3.3", "P4.9"]
    assert line(paper, "P2.3").path_to_green == "Locum EPs start in June."
    # Days overdue are counted at the paper deadline, 8 May 2026: 38 days after 31 March.
    assert [(a.reference, a.days_overdue) for a in paper.overdue] == [
        (ref, 38) for ref in DUE_IN_MARCH if ref != "P4.1"
    ]
    rows = {row.group.split(":")[0]: row for row in paper.summary_rows}
    assert list(rows) == [f"Priority {n}" for n in range(1, 6)]
    assert paper.summary_rows[0].group == "Priority 1: Identifying needs"
    directions = {group: row.direction_of_travel for group, row in rows.items()}
    assert directions == {
        "Priority 1": "improving",
        "Priority 2": "deteriorating",
        "Priority 3": "stable",
        "Priority 4": "stable",
        "Priority 5": "improving",
    }
    assert sum(row.total for row in paper.summary_rows) == 42
    assert len(paper.measures) == 35


def test_the_summary_names_the_actions_the_board_should_look_at(engine: Engine) -> None:
    paper = two_rounds_with_a_paper_between(engine, "SIB")
    summary = " ".join(paper.executive_summary)

    assert "as at the paper deadline, Friday 8 May 2026" in summary
    assert "2 actions are Red: P2.3 and P3.1." in summary
    assert "4 actions are overdue at the paper deadline: P1.2 (38 days)" in summary
    assert "1 action deteriorated (P2.3)" in summary
    assert "1 action had the due date moved later (P4.1)" in summary
    assert "1 action was completed (P5.1)" in summary
    recommendations = paper.recommendations
    assert recommendations[0].startswith("note the position of the 42 actions")
    assert "consider the 2 actions rated Red (P2.3 and P3.1)" in recommendations[1]
    # The Improvement Board's paper is for assurance: it is asked to agree revised dates.
    assert "agree the revised due date of P4.1 (now 30 Sep 2026)." in recommendations
    assert any("escalated to the LCC Cabinet" in r for r in recommendations)


def test_a_paper_for_noting_asks_the_board_to_note_revised_dates(engine: Engine) -> None:
    paper = two_rounds_with_a_paper_between(engine, "SOB")

    assert "note the revised due date of P4.1 (now 30 Sep 2026)." in paper.recommendations


@pytest.mark.parametrize(("board", "by"), [("SIB", "priority"), ("STB", "workstream")])
def test_summary_counts_equal_the_register(engine: Engine, board: str, by: str) -> None:
    paper = two_rounds_with_a_paper_between(engine, board)
    with session_scope(engine) as session:
        expected = summarise_rag(session, by=by)  # type: ignore[arg-type]

    assert len(expected) == len(paper.summary_rows)
    for want, row in zip(expected, paper.summary_rows, strict=True):
        if by == "workstream":
            assert row.group == want.group
        assert {code: row.count(code) for code in want.counts} == want.counts
        assert row.total == want.total
    assert sum(row.count("red") for row in paper.summary_rows) == 2


def test_updates_saved_after_the_deadline_stay_out_of_the_paper(engine: Engine) -> None:
    record_round_one(engine)
    record_round_two(engine)

    paper = gather(engine, "SIB", MEETINGS["SIB"][0]).paper

    p23 = line(paper, "P2.3")
    assert (p23.rag, p23.commentary) == ("green", "Progressing to plan.")
    assert p23.last_updated == date(2026, 2, 24)
    assert line(paper, "P4.1").due_date == date(2026, 3, 31)
    assert (line(paper, "P5.1").rag, line(paper, "P5.1").status) == ("amber", "in_progress")
    assert line(paper, "P2.2").rag is None


def test_the_deadline_ends_at_midnight_london_time(engine: Engine) -> None:
    # 8 May 2026 is in British Summer Time: 23:30 BST is 22:30 UTC, 00:30 BST is 23:30 UTC.
    add_update(
        engine,
        "P2.1",
        rag="amber",
        commentary="Late on the day.",
        at=datetime(2026, 5, 8, 22, 30, tzinfo=UTC),
    )
    add_update(
        engine,
        "P2.2",
        rag="red",
        commentary="Next morning.",
        at=datetime(2026, 5, 8, 23, 30, tzinfo=UTC),
    )

    paper = gather(engine, "SIB", MEETINGS["SIB"][1]).paper

    assert line(paper, "P2.1").rag == "amber"
    assert line(paper, "P2.2").rag is None


def test_without_a_stored_paper_movement_is_measured_from_the_previous_deadline(
    engine: Engine,
) -> None:
    record_round_one(engine)
    record_round_two(engine)

    gathered = gather(engine, "SIB", MEETINGS["SIB"][1])

    assert gathered.baseline.kind == "history"
    assert gathered.baseline.meeting_date == date(2026, 3, 17)
    assert refs(gathered.paper.movement.deteriorated) == ["P2.3"]
    assert refs(gathered.paper.movement.slipped) == ["P4.1"]
    assert gathered.paper.executive_summary[2].startswith(
        "No paper was stored for the previous meeting on Tuesday 17 March 2026, so movement is "
        "measured against the position at that meeting's paper deadline, Friday 6 March 2026."
    )


def test_a_boards_first_meeting_reports_no_movement(engine: Engine) -> None:
    gathered = gather(engine, "SIB", date(2025, 9, 16))
    paper = gathered.paper

    assert gathered.baseline.kind == "none"
    assert paper.previous_meeting_date is None
    assert paper.next_meeting_date == date(2025, 11, 18)
    assert refs(paper.movement.improved) == [] and refs(paper.movement.new_reds) == []
    assert "first paper for the SEND Improvement Board" in paper.executive_summary[2]
    assert all(row.direction_of_travel is None for row in paper.summary_rows)


def test_the_operations_board_reads_every_action_and_red_and_amber_exceptions(
    engine: Engine,
) -> None:
    record_round_one(engine)

    paper = gather(engine, "SOB", MEETINGS["SOB"][0]).paper

    assert paper.level == "action"
    assert len(paper.actions) == 42
    assert refs(paper.actions)[:3] == ["P1.1", "P1.2", "P1.3"]
    assert refs(paper.exceptions) == ["P3.1", "P1.1", "P5.1"]
    assert line(paper, "P1.1").commentary == "Training dates slipped."
    assert line(paper, "P1.1").owner == "Head of Inclusion"
    assert line(paper, "P1.1").lead_organisation == "LCC"
    # Due between the deadline (13 March) and the next meeting (15 April 2026).
    assert refs(paper.due_before_next) == list(DUE_IN_MARCH)
    assert "1 is Amber" not in paper.executive_summary[1]
    assert "2 are Amber: P1.1 and P5.1." in paper.executive_summary[1]


def test_the_transformation_board_reads_each_workstream(engine: Engine) -> None:
    paper = two_rounds_with_a_paper_between(engine, "STB")

    assert [row.group for row in paper.summary_rows] == [
        "Data dashboard",
        "EHCP Improvement",
        "ND Pathway",
        "Communication and Engagement",
        "Preparation for Adulthood and Transitions",
        "Workforce Development and Training",
    ]
    ehcp = paper.summary_rows[1]
    assert (ehcp.count("red"), ehcp.count("blue")) == (1, 1)
    assert ehcp.direction_of_travel == "stable"  # P2.3 deteriorated, P5.1 completed
    # P1.2 is rated Green while overdue: an inconsistent rating is always an exception.
    assert refs(paper.exceptions) == ["P2.3", "P3.1", "P1.2"]


def _with_scope(text: str, level: str) -> str:
    marker = f"      level: {level}\n"
    assert marker in text
    return text.replace(marker, f"{marker}      scope: cascade\n")


def test_a_cascade_scope_reports_only_the_board_and_the_bodies_below_it(engine: Engine) -> None:
    text = GOVERNANCE_FILE.read_text(encoding="utf-8")
    config = parse_governance(_with_scope(_with_scope(text, "action"), "workstream"))
    with session_scope(engine) as session:
        admin = actor_for_email(session, ADMIN)
        keys = dict(session.exec(select(GovernanceBody.id, GovernanceBody.key)).all())
        bodies = {a.reference: keys.get(a.body_id) for a in session.exec(select(Action)).all()}
        papers = {
            board: preview_paper(
                session, actor=admin, governance=config, board_ref=board, meeting_date=day
            ).paper
            for board, day in (("SOB", MEETINGS["SOB"][0]), ("STB", MEETINGS["STB"][0]))
        }

    below_stb = {
        "send_transformation_board",
        "send_operations_board",
        "joint_commissioning_network",
    }
    assert set(refs(papers["SOB"].actions)) == {
        ref for ref, key in bodies.items() if key == "send_operations_board"
    }
    assert set(refs(papers["STB"].actions)) == {
        ref for ref, key in bodies.items() if key in below_stb
    }
    assert (
        "overseen by the SEND Operations Board and the bodies reporting to it"
        in (papers["SOB"].executive_summary[0])
    )


def test_the_improvement_board_reads_its_success_measures_as_at_the_deadline(
    engine: Engine,
) -> None:
    set_m23_targets(engine)
    enter(engine, M23, date(2025, 10, 31), 35, note="October return")
    enter(engine, M23, date(2025, 11, 30), 28, note="Two EP vacancies")
    # A period ending after the paper deadline (9 January 2026) is not in the paper.
    enter(engine, M23, date(2026, 1, 12), 50, note="After the deadline")

    paper = gather(engine, "SIB", date(2026, 1, 20)).paper

    m23 = next(m for m in paper.measures if m.reference == M23)
    assert (m23.latest, m23.previous, m23.unit) == (28, 35, "%")
    assert m23.direction_of_travel == "deteriorating" and m23.rag == "red"
    assert "1 is rated Red: M2.3." in paper.executive_summary[-1]
    assert any("success measure rated Red (M2.3)" in r for r in paper.recommendations)


def test_a_paper_generated_before_its_deadline_shows_the_position_now(engine: Engine) -> None:
    add_update(
        engine, "P2.3", rag="red", commentary="Behind.", at=datetime(2027, 1, 4, 9, tzinfo=UTC)
    )

    with session_scope(engine) as session:
        paper = preview_paper(
            session,
            actor=actor_for_email(session, ADMIN),
            governance=parse_governance(GOVERNANCE_FILE.read_text(encoding="utf-8")),
            board_ref="send improvement board",
            meeting_date=None,
            now=datetime(2027, 1, 5, 9, tzinfo=UTC),
        ).paper

    assert paper.meeting_date == date(2027, 1, 19)
    assert paper.paper_deadline == date(2027, 1, 8)
    assert refs(paper.exceptions)[0] == "P2.3"

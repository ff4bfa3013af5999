"""Escalating an action up the cascade, and the receiving board reading and closing it.

P2.3 is overseen by the SEND Operations Board, so its first escalation goes to the
Transformation Board, the next to the Improvement Board. Each appears in that board's paper
under Escalations until its secretary closes it with a decision.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import docx
import pytest
from sqlalchemy import Engine
from sqlmodel import select

from tests.factories import (
    ADMIN,
    HEAD_OF_SEND,
    OPERATOR,
    PARTNER,
    SECRETARY_SIB,
    SECRETARY_SOB,
    SECRETARY_STB,
    actor,
)
from tests.papers.readback import table_after
from tests.papers.scenario import MEETINGS, gather, generate, governance
from tracker.db import session_scope
from tracker.models import Action, GovernanceBody
from tracker.permissions import PermissionDenied
from tracker.services.actions import (
    EscalationError,
    EscalationRow,
    escalate_action,
    find_escalation_target,
    list_action_escalations,
    resolve_escalation,
)
from tracker.services.papers import get_paper_file
from tracker.services.register import audit_trail

RAISED = datetime(2026, 4, 20, 9, 0, tzinfo=UTC)
OTHER_OWNER = "principal.ep@example.org"  # owns P2.4, not P2.3


def escalate(
    engine: Engine, reference: str, by: str, reason: str = "Needs a funding decision."
) -> EscalationRow:
    with session_scope(engine, write=True) as session:
        return escalate_action(
            session,
            actor=actor(session, by),
            reference=reference,
            reason=reason,
            governance=governance(),
            now=RAISED,
        )


def close(engine: Engine, escalation_id: int, by: str, decision: str = "Funding agreed.") -> None:
    with session_scope(engine, write=True) as session:
        resolve_escalation(
            session, actor=actor(session, by), escalation_id=escalation_id, resolution=decision
        )


def escalated_in(engine: Engine, board: str) -> list[tuple[str, str, str]]:
    paper = gather(engine, board, MEETINGS[board][1]).paper
    return [(e.reference, e.from_body, e.reason) for e in paper.escalations]


def test_an_owner_escalates_to_the_next_board_up_and_it_appears_in_that_paper(
    engine: Engine,
) -> None:
    row = escalate(engine, "P2.3", HEAD_OF_SEND, "EP vacancies need a funding decision.")

    assert (row.from_body, row.to_body, row.raised_by) == (
        "SEND Operations Board",
        "SEND Transformation Board",
        "Head of SEND Service",
    )
    assert escalated_in(engine, "STB") == [
        ("P2.3", "SEND Operations Board", "EP vacancies need a funding decision.")
    ]
    assert escalated_in(engine, "SIB") == []
    paper = gather(engine, "STB", MEETINGS["STB"][1]).paper
    assert paper.escalations[0].raised_on == date(2026, 4, 20)
    assert (
        "1 matter has been escalated to the Board: P2.3 from the SEND Operations Board."
        in (paper.executive_summary[-1])
    )
    assert any(
        r.startswith("consider the matter escalated to it (P2.3)") for r in paper.recommendations
    )


def test_an_escalation_is_audited_on_the_action(engine: Engine) -> None:
    escalate(engine, "P2.3", HEAD_OF_SEND, "Blocked on recruitment.")

    with session_scope(engine) as session:
        action_id = session.exec(select(Action.id).where(Action.reference == "P2.3")).one()
        trail = audit_trail(
            session, actor=actor(session, HEAD_OF_SEND), entity="action", entity_id=action_id or 0
        )
    entry = trail[0]
    assert (entry.field, entry.old, entry.new) == (
        "escalation",
        "SEND Operations Board",
        "escalated to SEND Transformation Board",
    )
    assert (entry.actor, entry.reason) == (HEAD_OF_SEND, "Blocked on recruitment.")


def test_an_escalation_travels_further_up_the_same_way(engine: Engine) -> None:
    first = escalate(engine, "P2.3", HEAD_OF_SEND)
    second = escalate(engine, "P2.3", SECRETARY_STB, "The Transformation Board cannot fund it.")

    assert (first.to_body, second.from_body, second.to_body) == (
        "SEND Transformation Board",
        "SEND Transformation Board",
        "SEND Improvement Board",
    )
    assert escalated_in(engine, "SIB") == [
        ("P2.3", "SEND Transformation Board", "The Transformation Board cannot fund it.")
    ]
    assert [e.reference for e in gather(engine, "STB", MEETINGS["STB"][1]).paper.escalations] == [
        "P2.3"
    ]


@pytest.mark.parametrize(
    ("reference", "target"),
    [
        ("P2.1", "SEND Transformation Board"),  # Joint Commissioning Network reports to the STB
        ("P1.4", "SEND Improvement Board"),  # CYP Partnership Board reports to the SIB
    ],
)
def test_the_target_is_the_body_the_overseeing_body_reports_to(
    engine: Engine, reference: str, target: str
) -> None:
    with session_scope(engine) as session:
        found = find_escalation_target(session, reference=reference, governance=governance())
    assert found.name == target


def test_an_action_with_no_overseeing_body_goes_to_the_bottom_of_the_cascade(
    engine: Engine,
) -> None:
    with session_scope(engine, write=True) as session:
        action = session.exec(select(Action).where(Action.reference == "P3.2")).one()
        action.body_id = None
        session.add(action)

    row = escalate(engine, "P3.2", ADMIN)

    assert (row.from_body, row.to_body) == (None, "SEND Operations Board")
    assert escalated_in(engine, "SOB") == [("P3.2", "No overseeing body", row.reason)]


def test_an_action_at_the_top_cannot_go_further(engine: Engine) -> None:
    # P4.1 sits with the Improvement Board; the LCC Cabinet above it has no calendar, secretary
    # or chair in governance.yaml, so nobody would read an escalation sent there.
    with pytest.raises(EscalationError, match="the SEND Improvement Board has no board above it"):
        escalate(engine, "P4.1", ADMIN)


@pytest.mark.parametrize("email", [HEAD_OF_SEND, SECRETARY_SOB, ADMIN])
def test_owner_secretaries_and_administrators_may_escalate(engine: Engine, email: str) -> None:
    assert escalate(engine, "P2.3", email).to_body == "SEND Transformation Board"


def test_a_workstream_lead_may_escalate_an_action_of_the_workstream(engine: Engine) -> None:
    # P2.4 is owned by the Principal EP, in the EHCP Improvement workstream the Head of SEND leads.
    assert escalate(engine, "P2.4", HEAD_OF_SEND).to_body == "SEND Transformation Board"


@pytest.mark.parametrize("email", [PARTNER, OTHER_OWNER])
def test_partners_and_other_owners_may_not_escalate(engine: Engine, email: str) -> None:
    with pytest.raises(PermissionDenied, match=r"may not escalate action P2\.3"):
        escalate(engine, "P2.3", email)
    with session_scope(engine) as session:
        assert list_action_escalations(session, reference="P2.3") == []


@pytest.mark.parametrize("reason", ["", "   ", "\x00\x01"])
def test_an_escalation_needs_a_reason(engine: Engine, reason: str) -> None:
    with pytest.raises(EscalationError, match="Say why the action is being escalated"):
        escalate(engine, "P2.3", HEAD_OF_SEND, reason)


def test_a_reason_is_kept_as_typed_apart_from_characters_xml_forbids(engine: Engine) -> None:
    row = escalate(engine, "P2.3", HEAD_OF_SEND, "Funding <£40k> & a \x0bdecision 🙂")

    assert row.reason == "Funding <£40k> & a decision 🙂"


def test_the_receiving_secretary_closes_it_and_it_leaves_the_paper(engine: Engine) -> None:
    row = escalate(engine, "P2.3", HEAD_OF_SEND)

    close(engine, row.id, SECRETARY_STB, "Agency cover funded until March.")

    assert escalated_in(engine, "STB") == []
    with session_scope(engine) as session:
        closed = list_action_escalations(session, reference="P2.3")[0]
    assert not closed.is_open
    assert (closed.resolved_by, closed.resolution) == (
        "SEND Transformation Board Secretary",
        "Agency cover funded until March.",
    )
    with pytest.raises(EscalationError, match="is closed"):
        close(engine, row.id, ADMIN)


@pytest.mark.parametrize("email", [SECRETARY_SOB, SECRETARY_SIB, HEAD_OF_SEND, PARTNER])
def test_only_the_receiving_boards_secretary_chair_or_an_administrator_closes_it(
    engine: Engine, email: str
) -> None:
    row = escalate(engine, "P2.1", ADMIN)  # to the Transformation Board
    with session_scope(engine) as session:
        chair_id = session.exec(
            select(GovernanceBody.chair_id).where(GovernanceBody.key == "send_transformation_board")
        ).one()
        is_chair = chair_id == actor(session, email).person_id

    if is_chair:  # the Head of SEND chairs the Transformation Board
        close(engine, row.id, email)
        return
    with pytest.raises(PermissionDenied, match="its secretary, its chair or an administrator"):
        close(engine, row.id, email)
    assert [e for e, *_ in escalated_in(engine, "STB")] == ["P2.1"]


def test_closing_needs_the_boards_decision(engine: Engine) -> None:
    row = escalate(engine, "P2.3", HEAD_OF_SEND)

    with pytest.raises(EscalationError, match="Record the board's decision"):
        close(engine, row.id, ADMIN, " ")


def test_the_receiving_boards_word_paper_lists_the_escalation(engine: Engine) -> None:
    escalate(engine, "P2.3", HEAD_OF_SEND, "EP vacancies need a funding decision.")

    info = generate(engine, "STB", MEETINGS["STB"][1])

    with session_scope(engine) as session:
        content = get_paper_file(session, actor=OPERATOR, paper_id=info.id).content
    table = table_after(docx.Document(io.BytesIO(content)), "Escalations")
    assert [c.text for c in table.rows[1].cells] == [
        "P2.3",
        "Build capacity in the SEND and Educational Psychology service to improve timeliness "
        "of ECHPs and Annual Reviews.",
        "Head of SEND Service, SEND Operations Board",
        "20 Apr 2026",
        "EP vacancies need a funding decision.",
    ]

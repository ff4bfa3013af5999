"""The risk register through its service, on SQLite and PostgreSQL: what a risk owner, an
administrator, a partner and a board paper see and may do, and bad input refused whole."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import func, select

from tests.factories import ADMIN, HEAD_OF_SEND, PARTNER, actor
from tests.papers.scenario import governance
from tracker.db import session_scope
from tracker.models import AuditLog, Risk, RiskReview
from tracker.papers.boards import choose_meeting, find_paper_board, list_board_meetings
from tracker.papers.gather import gather_board_paper
from tracker.permissions import PermissionDenied
from tracker.services.risks import (
    NewRisk,
    Rescore,
    RiskClosed,
    RiskFilter,
    RiskInvalid,
    add_mitigation,
    add_risk,
    close_risk,
    list_risks,
    risk_detail,
    score_risk,
)

TODAY = date(2026, 10, 1)
ADDED = datetime(2026, 10, 1, 9, tzinfo=UTC)
EP = "principal.ep@example.org"  # owns P2.4, not P2.3; not an administrator


def _add(engine, **changes) -> str:
    fields = {
        "title": "EP recruitment fails",
        "owner_email": HEAD_OF_SEND,
        "likelihood": 4,
        "impact": 5,
        "priorities": (2,),
        "actions": ("P2.3",),
    } | changes
    with session_scope(engine, write=True) as session:
        return add_risk(
            session,
            actor=actor(session, ADMIN),
            form=NewRisk(**fields),
            governance=governance(),
            today=TODAY,
            now=ADDED,
        ).reference


def _rows(engine, email: str = ADMIN, **where):
    with session_scope(engine) as session:
        return list_risks(
            session,
            actor=actor(session, email),
            scale=governance().risks,
            today=TODAY,
            where=RiskFilter(**where),
        )


def _counts(engine) -> tuple[int, int, int]:
    with session_scope(engine) as session:
        return (
            session.exec(select(func.count()).select_from(Risk)).one(),
            session.exec(select(func.count()).select_from(RiskReview)).one(),
            session.exec(select(func.count()).select_from(AuditLog)).one(),
        )


def test_a_risk_is_scored_banded_linked_and_audited(engine) -> None:
    assert _add(engine) == "R1"
    (row,) = _rows(engine)
    assert (row.reference, row.score, row.band, row.inherent_score) == ("R1", 20, "Very high", 20)
    assert row.priorities == (2,) and row.actions == ("P2.3",)
    assert row.body == "SEND Operations Board"  # the body overseeing P2.3
    assert row.next_review == TODAY + timedelta(days=30)
    with session_scope(engine) as session:
        audit = session.exec(select(AuditLog).where(AuditLog.entity == "risk")).all()
    assert {(a.field, a.new) for a in audit} >= {("score", "20"), ("actions", "P2.3")}
    assert _add(engine, title="Capital slippage", actions=(), likelihood=3, impact=4) == "R2"
    assert [r.body for r in _rows(engine) if r.reference == "R2"] == ["SEND Improvement Board"]


def test_bad_input_names_each_field_and_stores_nothing(engine) -> None:
    before = _counts(engine)
    with pytest.raises(RiskInvalid) as refused:
        _add(
            engine,
            owner_email="nobody@example.org",
            likelihood=7,
            impact=0,
            priorities=(9,),
            actions=("P9.9",),
            title=" ",
        )
    fields = refused.value.fields
    assert set(fields) == {"title", "owner", "likelihood", "impact", "priority", "action"}
    assert "not 7" in fields["likelihood"] and "5 Almost certain" in fields["likelihood"]
    assert "nobody@example.org" in fields["owner"] and "P9.9" in fields["action"]
    assert _counts(engine) == before


def test_rescoring_keeps_the_history_and_moves_the_review(engine) -> None:
    _add(engine)
    later = TODAY + timedelta(days=10)
    with session_scope(engine, write=True) as session:
        score_risk(
            session,
            actor=actor(session, HEAD_OF_SEND),  # the risk's owner, not an administrator
            reference="r1",
            form=Rescore(3, 5, "Two EPs appointed in October."),
            scale=governance().risks,
            today=later,
            now=ADDED + timedelta(days=10),
        )
    with session_scope(engine) as session:
        detail = risk_detail(
            session,
            actor=actor(session, HEAD_OF_SEND),
            reference="R1",
            scale=governance().risks,
            today=later,
        )
    assert detail.risk.score == 15 and detail.risk.band == "High"
    assert detail.risk.inherent_score == 20
    assert detail.risk.next_review == later + timedelta(days=30)
    assert [(r.score, r.commentary) for r in detail.reviews] == [
        (15, "Two EPs appointed in October."),
        (20, "First assessment."),
    ]


def test_a_rescore_needs_commentary_and_a_scale_value(engine) -> None:
    _add(engine)
    before = _counts(engine)
    with session_scope(engine, write=True) as session, pytest.raises(RiskInvalid) as refused:
        score_risk(
            session,
            actor=actor(session, ADMIN),
            reference="R1",
            form=Rescore(6, 2, "  "),
            scale=governance().risks,
            today=TODAY,
        )
    assert set(refused.value.fields) == {"likelihood", "commentary"}
    assert _counts(engine) == before


def test_a_closed_risk_is_not_rescored(engine) -> None:
    _add(engine)
    with session_scope(engine, write=True) as session:
        close_risk(session, actor=actor(session, ADMIN), reference="R1", reason="EPs recruited.")
    before = _counts(engine)
    with session_scope(engine, write=True) as session, pytest.raises(RiskClosed):
        score_risk(
            session,
            actor=actor(session, ADMIN),
            reference="R1",
            form=Rescore(2, 2, "Better"),
            scale=governance().risks,
            today=TODAY,
        )
    assert _counts(engine) == before
    assert _rows(engine) == []  # the register shows open risks by default
    assert [r.closed_reason for r in _rows(engine, status=None)] == ["EPs recruited."]


def test_only_the_owner_and_administrators_score_and_only_administrators_add(engine) -> None:
    _add(engine)
    with session_scope(engine, write=True) as session, pytest.raises(PermissionDenied):
        score_risk(
            session,
            actor=actor(session, EP),  # owns actions, but not this risk
            reference="R1",
            form=Rescore(1, 1, "Not mine to say"),
            scale=governance().risks,
            today=TODAY,
        )
    with session_scope(engine, write=True) as session, pytest.raises(PermissionDenied):
        add_mitigation(session, actor=actor(session, EP), reference="R1", description="Mine")
    with session_scope(engine, write=True) as session, pytest.raises(PermissionDenied):
        add_risk(
            session,
            actor=actor(session, HEAD_OF_SEND),
            form=NewRisk("Another", HEAD_OF_SEND, 2, 2),
            governance=governance(),
            today=TODAY,
        )


def test_partners_see_only_shareable_risks(engine) -> None:
    _add(engine)
    _add(engine, title="Parent confidence stays low", shareable=True, likelihood=3, impact=3)
    assert [r.reference for r in _rows(engine, PARTNER)] == ["R2"]
    assert [r.reference for r in _rows(engine, HEAD_OF_SEND)] == ["R1", "R2"]
    with session_scope(engine) as session, pytest.raises(PermissionDenied):
        risk_detail(
            session,
            actor=actor(session, PARTNER),
            reference="R1",
            scale=governance().risks,
            today=TODAY,
        )


def test_the_improvement_board_paper_names_the_risk_with_its_score_and_movement(engine) -> None:
    _add(engine, mitigations=("Grow-your-own trainee EPs",))
    config = governance()
    now = datetime(2026, 10, 2, 9, tzinfo=UTC)
    with session_scope(engine) as session:
        board = find_paper_board(session, governance=config, ref="SEND Improvement Board")
        meetings = list_board_meetings(session, body_id=board.body_id)
        meeting = choose_meeting(board, meetings, meeting_date=None, today=now.date())
        paper = gather_board_paper(
            session, governance=config, board=board, meeting=meeting, now=now
        ).paper
    (line,) = paper.risks.lines
    assert (line.reference, line.score, line.band) == ("R1", 20, "Very high")
    assert line.mitigations == ("Grow-your-own trainee EPs",)
    assert line.movement == "new since the last paper"
    assert paper.risks.heat_map[3][4] == 1  # likelihood 4, impact 5


def test_the_register_reads_only_the_people_its_risks_name(engine) -> None:
    from sqlalchemy import event

    _add(engine)
    statements: list[str] = []

    def keep(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(" ".join(statement.split()).lower())

    with session_scope(engine) as session:
        admin = actor(session, ADMIN)
        event.listen(engine, "before_cursor_execute", keep)
        try:
            (row,) = list_risks(session, actor=admin, scale=governance().risks, today=TODAY)
        finally:
            event.remove(engine, "before_cursor_execute", keep)
    assert row.owner_email == HEAD_OF_SEND
    # The owners by id: never the whole person table.
    people = [s for s in statements if "from person" in s]
    assert people and all("where person.id in" in s for s in people), people

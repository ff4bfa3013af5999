"""The demonstration database as a visitor would find it: a year of work, not an empty plan."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import col, select

from tests.conftest import GOVERNANCE_FILE
from tests.demo.conftest import SEED, TODAY, build
from tests.factories import add_update
from tracker.db import make_engine, session_scope
from tracker.demo import DemoRefused, DemoReport, build_demo
from tracker.governance import load_governance
from tracker.models import (
    Action,
    ActionUpdate,
    Escalation,
    Evidence,
    MeasureComparator,
    MeasureValue,
    Risk,
    RiskReview,
    StoredPaper,
)
from tracker.seed import seed_strategy
from tracker.services.operations import initialise_database
from tracker.services.operations._site import count_update_cycles, is_demo
from tracker.services.register import list_overdue_actions

Demo = tuple[Engine, DemoReport]


def test_most_actions_are_rated_and_some_are_red_or_amber(demo: Demo) -> None:
    engine, _ = demo
    with session_scope(engine) as session:
        actions = session.exec(select(Action)).all()
        rags = Counter(a.rag for a in actions)
        overdue = list_overdue_actions(session, today=TODAY)
    assert len(actions) == 42
    assert sum(n for rag, n in rags.items() if rag) >= 34
    assert rags["red"] >= 2 and rags["amber"] >= 3 and rags["blue"] >= 2
    assert all(a.planning_confirmed for a in actions)  # the demo's dates count
    assert 1 <= len(overdue) <= 12


def test_every_board_has_at_least_four_cycles_of_updates(demo: Demo) -> None:
    engine, report = demo
    with session_scope(engine) as session:
        cycles = count_update_cycles(session, today=TODAY)
        span = session.exec(
            select(func.min(ActionUpdate.created_at), func.max(ActionUpdate.created_at))
        ).one()
    assert set(cycles) == {
        "SEND Improvement Board",
        "SEND Transformation Board",
        "SEND Operations Board",
    }
    assert min(cycles.values()) >= 4
    assert report.updates >= 150
    assert (span[1] - span[0]).days >= 180
    assert span[1].date() < TODAY


def test_red_and_amber_updates_carry_commentary_paths_to_green_and_revised_dates(
    demo: Demo,
) -> None:
    engine, _ = demo
    with session_scope(engine) as session:
        entries = session.exec(select(ActionUpdate)).all()
        escalations = session.exec(select(func.count()).select_from(Escalation)).one()
    reds = [e for e in entries if e.rag == "red"]
    assert reds and all(e.commentary and e.path_to_green for e in reds)
    revised = [e for e in entries if e.revised_due_date is not None]
    assert len(revised) >= 3 and all(e.due_date_reason for e in revised)
    assert escalations >= 1


def test_commentary_is_written_for_send_and_does_not_visibly_repeat(demo: Demo) -> None:
    engine, _ = demo
    with session_scope(engine) as session:
        texts = [t for t in session.exec(select(ActionUpdate.commentary)).all() if t]
    assert len(set(texts)) >= 0.97 * len(texts)
    joined = " ".join(texts).lower()
    assert "lorem" not in joined
    for subject in ("ehcp", "parent carer forum", "powar", "local offer", "nd pathway"):
        assert subject in joined, subject
    assert not re.search(r"\{[a-z0-9]+\}", joined)  # every slot filled in


def test_papers_are_stored_at_past_meetings_with_movement_between_them(demo: Demo) -> None:
    engine, _ = demo
    with session_scope(engine) as session:
        papers = session.exec(select(StoredPaper).order_by(col(StoredPaper.meeting_date))).all()
    by_board: dict[int, list[StoredPaper]] = {}
    for paper in papers:
        by_board.setdefault(paper.body_id, []).append(paper)
    assert len(by_board) == 3
    for stored in by_board.values():
        assert len(stored) == 2 and all(p.meeting_date < TODAY for p in stored)
        later = stored[-1].summary
        assert later["baseline"]["meeting_date"] == stored[0].meeting_date.isoformat()
        assert any(later["movement"][kind] for kind in later["movement"])


def test_many_measures_have_values_with_a_trend(demo: Demo) -> None:
    engine, _ = demo
    with session_scope(engine) as session:
        per_measure = session.exec(
            select(MeasureValue.measure_id, func.count()).group_by(col(MeasureValue.measure_id))
        ).all()
    assert len([m for m, n in per_measure if n >= 2]) >= 15


def test_the_database_is_marked_as_a_demonstration(demo: Demo) -> None:
    engine, _ = demo
    with session_scope(engine) as session:
        assert is_demo(session)


def _fingerprint(engine: Engine) -> list[tuple[object, ...]]:
    with session_scope(engine) as session:
        rows = session.exec(
            select(
                ActionUpdate.action_id,
                ActionUpdate.created_at,
                ActionUpdate.rag,
                ActionUpdate.commentary,
                ActionUpdate.revised_due_date,
            ).order_by(col(ActionUpdate.id))
        ).all()
        files = session.exec(select(Evidence.filename, Evidence.sha256).order_by(Evidence.id)).all()  # type: ignore[arg-type]
    return [tuple(r) for r in rows] + [tuple(f) for f in files]


def test_the_same_seed_and_day_build_the_same_history(tmp_path: Path) -> None:
    first, _ = build(f"sqlite:///{tmp_path / 'a.db'}")
    second, _ = build(f"sqlite:///{tmp_path / 'b.db'}")
    other, _ = build(f"sqlite:///{tmp_path / 'c.db'}", seed=SEED + 1)
    assert _fingerprint(first) == _fingerprint(second)
    assert _fingerprint(first) != _fingerprint(other)
    for engine in (first, second, other):
        engine.dispose()


def test_history_is_relative_to_today(tmp_path: Path) -> None:
    engine, _ = build(f"sqlite:///{tmp_path / 'later.db'}", today=date(2027, 6, 15))
    with session_scope(engine) as session:
        latest = session.exec(select(func.max(ActionUpdate.created_at))).one()
    engine.dispose()
    assert latest is not None and date(2027, 5, 1) <= latest.date() < date(2027, 6, 15)


def test_a_database_holding_real_work_is_refused_and_left_alone(db_url: str) -> None:
    engine = make_engine(db_url)
    add_update(engine, "P2.3", rag="green")
    with (
        pytest.raises(DemoRefused, match="1 action updates"),
        session_scope(engine, write=True) as session,
    ):
        build_demo(
            session,
            governance=load_governance(GOVERNANCE_FILE),
            governance_file=GOVERNANCE_FILE,
            today=TODAY,
        )
    with session_scope(engine) as session:
        assert not is_demo(session)
        assert session.exec(select(func.count()).select_from(ActionUpdate)).one() == 1
    engine.dispose()


def test_building_twice_changes_nothing_the_second_time(tmp_path: Path) -> None:
    engine, _ = build(f"sqlite:///{tmp_path / 'twice.db'}")
    initialise_database(engine, governance_file=GOVERNANCE_FILE, seed=seed_strategy)
    with session_scope(engine, write=True) as session:
        again = build_demo(
            session,
            governance=load_governance(GOVERNANCE_FILE),
            governance_file=GOVERNANCE_FILE,
            today=TODAY,
        )
    engine.dispose()
    assert again.already_demo and again.updates == 0


def test_no_open_action_is_left_green_while_overdue(demo: Demo) -> None:
    engine, _ = demo
    with session_scope(engine) as session:
        overdue = list_overdue_actions(session, today=TODAY)
    assert overdue and [r.reference for r in overdue if r.rag == "green"] == []


def test_the_demo_holds_a_risk_register_and_published_comparators(demo: Demo) -> None:
    engine, report = demo
    with session_scope(engine) as session:
        risks = session.exec(select(Risk)).all()
        reviews = session.exec(select(RiskReview)).all()
        figures = session.exec(select(MeasureComparator)).all()
    assert len(risks) >= 5 and report.risk_scorings == len(reviews) > len(risks)
    moved = {r.risk_id for r in reviews if (r.likelihood, r.impact) != (5, 5)}
    assert len(moved) >= 5  # scores move through the year
    assert any(r.next_review < TODAY for r in risks)  # one risk's review has lapsed
    assert {f.area_kind for f in figures} == {"national", "regional", "local", "neighbour"}
    assert any(f.value is None and f.missing_reason == "c: confidential" for f in figures)


def test_the_demo_holds_evidence_files_on_several_actions(demo: Demo) -> None:
    import hashlib

    from tracker.services.evidence import iter_content

    engine, report = demo
    with session_scope(engine) as session:
        files = session.exec(select(Evidence)).all()
        contents = {e.filename: b"".join(iter_content(session, e, None)) for e in files}
        references = {
            session.get(Action, e.action_id).reference  # type: ignore[union-attr]
            for e in files
        }
    assert report.evidence_files == len(files) >= 5 and len(references) >= 3
    assert {e.kind for e in files} >= {"pdf", "docx", "csv"}
    assert any(e.shareable for e in files) and any(not e.shareable for e in files)
    assert any(e.superseded_at is not None and e.superseded_reason for e in files)
    assert all(e.note and e.added_at.date() < TODAY for e in files)
    for evidence in files:
        data = contents[evidence.filename]
        assert hashlib.sha256(data).hexdigest() == evidence.sha256
        assert len(data) == evidence.size_bytes
    assert contents["Parent Carer Forum workshop notes.docx"].startswith(b"PK")
    assert contents["EP service recruitment update.pdf"].startswith(b"%PDF-")

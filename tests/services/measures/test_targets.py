"""Setting baselines, targets and tolerances; narrative judgements; contributing actions."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from tests.factories import ADMIN, EXECUTIVE, HEAD_OF_SEND, PARTNER, actor
from tests.measures.conftest import M23, OTHER_OWNER, TODAY, audit_rows, enter, set_m23_targets
from tracker.db import session_scope
from tracker.models import SuccessMeasure
from tracker.permissions import PermissionDenied
from tracker.services.actions import ConflictError, ValidationFailed
from tracker.services.measures import (
    get_measure_summary,
    link_actions,
    set_narrative_rating,
    set_targets,
)

GOOD: dict[str, Any] = {
    "baseline_value": 30,
    "baseline_date": date(2025, 6, 30),
    "target_value": 60,
    "target_date": date(2026, 8, 31),
    "tolerance_pct": 10,
    "direction": "higher",
}


def version_of(engine: Engine, reference: str) -> int:
    with session_scope(engine) as session:
        return session.exec(
            select(SuccessMeasure.version).where(SuccessMeasure.reference == reference)
        ).one()


def targets(
    engine: Engine, reference: str = M23, *, by: str = HEAD_OF_SEND, **changes: Any
) -> None:
    seen = changes.pop("seen_version", None) or version_of(engine, reference)
    with session_scope(engine, write=True) as session:
        set_targets(
            session,
            actor=actor(session, by),
            reference=reference,
            seen_version=seen,
            **(GOOD | changes),
        )


def summary(engine: Engine, reference: str = M23) -> Any:
    with session_scope(engine) as session:
        return get_measure_summary(session, reference=reference, as_of=TODAY)


@pytest.mark.postgres
def test_owner_sets_targets_and_each_change_is_audited(engine: Engine) -> None:
    targets(engine, reason="Agreed at the Improvement Board, Nov 2025")

    after = summary(engine)
    assert (after.baseline_value, after.target_value, after.tolerance_pct) == (30, 60, 10)
    assert after.baseline_set and after.target_date == date(2026, 8, 31)
    assert after.version == 2
    changes = {(r.field, r.old, r.new) for r in audit_rows(engine, M23)}
    assert ("target value", None, "60%") in changes
    assert ("baseline date", None, "2025-06-30") in changes
    assert all(
        r.reason == "Agreed at the Improvement Board, Nov 2025" for r in audit_rows(engine, M23)
    )


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("email", "allowed"),
    [
        (HEAD_OF_SEND, True),
        (ADMIN, True),
        (OTHER_OWNER, False),
        (EXECUTIVE, False),
        (PARTNER, False),
    ],
)
def test_only_the_owner_and_administrators_set_targets(
    engine: Engine, email: str, allowed: bool
) -> None:
    if allowed:
        targets(engine, by=email)
        assert summary(engine).target_value == 60
        return
    with pytest.raises(PermissionDenied, match=r"M2\.3"):
        targets(engine, by=email)
    assert summary(engine).target_value is None
    assert audit_rows(engine, M23) == []


@pytest.mark.postgres
def test_a_stale_form_is_refused_and_names_who_saved_first(engine: Engine) -> None:
    seen = version_of(engine, M23)
    targets(engine, by=ADMIN, seen_version=seen, target_value=70)

    with pytest.raises(ConflictError, match=f"changed by {ADMIN}"):
        targets(engine, seen_version=seen, target_value=65)
    assert summary(engine).target_value == 70


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"target_value": 20}, "target_value", "should be above the baseline (30%)"),
        ({"direction": "lower"}, "target_value", "should be below the baseline"),
        ({"target_date": date(2025, 1, 1)}, "target_date", "after the baseline date"),
        ({"baseline_date": None}, "baseline_date", "give the date of the baseline"),
        ({"target_value": None}, "target_value", "a target date needs a target value"),
        ({"target_value": 120}, "target_value", "between 0 and 100"),
        ({"tolerance_pct": 150}, "tolerance_pct", "between 0 and 100"),
        ({"direction": "sideways"}, "direction", "higher or lower"),
        ({"unit": "furlongs"}, "unit", "is not a unit"),
        ({"unit": "narrative", "rating_mode": "numeric"}, "rating_mode", "choose a numeric unit"),
    ],
)
def test_bad_targets_are_refused_field_by_field(
    sqlite_engine: Engine, changes: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ValidationFailed) as failed:
        targets(sqlite_engine, **changes)
    assert message in failed.value.errors[field]
    assert summary(sqlite_engine).version == 1


def test_baseline_can_be_cleared_and_target_kept(sqlite_engine: Engine) -> None:
    targets(sqlite_engine)
    targets(sqlite_engine, baseline_value=None, baseline_date=None)
    after = summary(sqlite_engine)
    assert not after.baseline_set and after.target_value == 60


def test_unit_change_is_refused_while_values_do_not_fit(sqlite_engine: Engine) -> None:
    enter(sqlite_engine, "M1.3", date(2025, 12, 31), 24980, by=ADMIN)
    with pytest.raises(ValidationFailed) as failed:
        targets(
            sqlite_engine,
            "M1.3",
            by=ADMIN,
            unit="percentage",
            baseline_value=13.2,
            target_value=15,
        )
    assert "24,980 for 31 Dec 2025" in failed.value.errors["unit"]
    assert summary(sqlite_engine, "M1.3").unit == "count"


@pytest.mark.postgres
def test_narrative_measure_is_rated_by_its_owners_judgement(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        set_narrative_rating(
            session,
            actor=actor(session, HEAD_OF_SEND),
            reference="M2.2",
            seen_version=version_of(engine, "M2.2"),
            rag="amber",
            commentary="Two teams below establishment; recruitment under way.",
        )
    after = summary(engine, "M2.2")
    assert (after.rag, after.rating_basis) == ("amber", "narrative judgement")
    assert after.commentary == "Two teams below establishment; recruitment under way."


@pytest.mark.parametrize(
    ("reference", "rag", "commentary", "field", "message"),
    [
        ("M2.2", "amber", "  ", "commentary", "needs commentary"),
        ("M2.2", "purple", "Fine", "rag", "choose Blue, Green, Amber or Red"),
        (M23, "green", "Fine", "rag", "rated against its target"),
    ],
)
def test_narrative_judgement_needs_a_rating_and_commentary(
    sqlite_engine: Engine, reference: str, rag: str, commentary: str, field: str, message: str
) -> None:
    with session_scope(sqlite_engine, write=True) as session, pytest.raises(ValidationFailed) as e:
        set_narrative_rating(
            session,
            actor=actor(session, ADMIN),
            reference=reference,
            seen_version=1,
            rag=rag,
            commentary=commentary,
        )
    assert message in e.value.errors[field]


def test_a_survey_measure_can_switch_to_narrative_until_defined(sqlite_engine: Engine) -> None:
    targets(
        sqlite_engine,
        "M2.1",
        baseline_value=None,
        baseline_date=None,
        target_value=None,
        target_date=None,
        rating_mode="narrative",
    )
    with session_scope(sqlite_engine, write=True) as session:
        set_narrative_rating(
            session,
            actor=actor(session, HEAD_OF_SEND),
            reference="M2.1",
            seen_version=version_of(sqlite_engine, "M2.1"),
            rag="green",
            commentary="Survey questions agreed with the Parent Carer Forum.",
        )
    after = summary(sqlite_engine, "M2.1")
    assert (after.unit, after.rag, after.rating_basis) == (
        "survey_score",
        "green",
        "narrative judgement",
    )


@pytest.mark.postgres
def test_administrators_link_contributing_actions(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        result = link_actions(
            session,
            actor=actor(session, ADMIN),
            reference=M23,
            seen_version=version_of(engine, M23),
            action_references=["p2.4", "P2.3", "P5.10", "P5.2"],
        )
    assert result == ("P2.3", "P2.4", "P5.2", "P5.10")
    assert summary(engine).linked_actions == ("P2.3", "P2.4", "P5.2", "P5.10")
    [row] = [r for r in audit_rows(engine, M23) if r.field == "contributing actions"]
    assert (row.old, row.new) == ("P2.3", "P2.3, P2.4, P5.2, P5.10")


def test_owners_may_not_relink_actions_and_unknown_actions_are_named(
    sqlite_engine: Engine,
) -> None:
    with session_scope(sqlite_engine, write=True) as session:
        with pytest.raises(PermissionDenied):
            link_actions(
                session,
                actor=actor(session, HEAD_OF_SEND),
                reference=M23,
                seen_version=1,
                action_references=["P2.4"],
            )
        with pytest.raises(ValidationFailed, match=r"no such action: P9\.1"):
            link_actions(
                session,
                actor=actor(session, ADMIN),
                reference=M23,
                seen_version=1,
                action_references=["P2.3", "P9.1"],
            )
    assert summary(sqlite_engine).linked_actions == ("P2.3",)


def test_set_m23_targets_helper_matches_the_acceptance_scenario(sqlite_engine: Engine) -> None:
    set_m23_targets(sqlite_engine)
    assert summary(sqlite_engine).rating_basis == "no values yet"

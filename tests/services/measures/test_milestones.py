"""Milestones: who sets them, what is refused (naming the field), and how values are judged."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine

from tests.factories import HEAD_OF_SEND, PARTNER, actor
from tests.measures.conftest import M23, TODAY, audit_rows, enter, set_m23_targets
from tracker.db import session_scope
from tracker.models import SuccessMeasure
from tracker.permissions import PermissionDenied
from tracker.services.actions import ValidationFailed
from tracker.services.measures import (
    add_milestone,
    get_measure_detail,
    get_measure_summary,
    remove_milestone,
    set_targets,
)


def add(engine: Engine, due: date | None, value: float | None, *, by: str = HEAD_OF_SEND) -> None:
    with session_scope(engine, write=True) as session:
        add_milestone(session, actor=actor(session, by), reference=M23, due_date=due, value=value)


@pytest.mark.postgres
def test_a_value_is_judged_against_the_milestone_trajectory(engine: Engine) -> None:
    set_m23_targets(engine)  # 30% (30 Jun 2025) -> 60% (31 Aug 2026)
    enter(engine, M23, date(2025, 12, 31), 40)
    with session_scope(engine) as session:
        straight = get_measure_summary(session, reference=M23, as_of=TODAY)
    # On the straight line 31 Dec 2025 expects about 42%: 40 is short, within tolerance.
    assert straight.rag == "amber" and straight.rating_basis == "against trajectory to target"

    add(engine, date(2025, 12, 31), 38)  # a slow start agreed in the plan
    with session_scope(engine) as session:
        summary = get_measure_summary(session, reference=M23, as_of=TODAY)
        detail = get_measure_detail(session, reference=M23, as_of=TODAY)
    assert summary.rag == "green" and summary.rating_basis == "against milestones to target"
    assert summary.expected_value == 38
    assert detail.trajectory == (
        (date(2025, 6, 30), 30.0),
        (date(2025, 12, 31), 38.0),
        (date(2026, 8, 31), 60.0),
    )
    [progress] = detail.milestones
    assert (progress.actual, progress.gap, progress.due) == (40, 0, True)
    [row] = [r for r in audit_rows(engine, M23) if r.field == "milestone for 2025-12-31"]
    assert (row.old, row.new) == (None, "38%")


@pytest.mark.parametrize(
    ("due", "value", "field", "message"),
    [
        (date(2025, 6, 30), 40, "due_date", "must be after the baseline date (30 Jun 2025)"),
        (date(2026, 9, 30), 40, "due_date", "must be before the target date (31 Aug 2026)"),
        (None, 40, "due_date", "give the milestone's date"),
        (date(2026, 1, 31), None, "value", "give the value expected"),
        (date(2026, 1, 31), 140, "value", "a percentage must be between 0 and 100"),
    ],
)
def test_bad_milestones_are_refused_naming_the_field(
    engine: Engine, due: date | None, value: float | None, field: str, message: str
) -> None:
    set_m23_targets(engine)
    with pytest.raises(ValidationFailed) as refused:
        add(engine, due, value)
    assert message in refused.value.errors[field]
    with session_scope(engine) as session:
        assert get_measure_summary(session, reference=M23, as_of=TODAY).milestones == ()


def test_a_second_milestone_on_the_same_date_is_refused(engine: Engine) -> None:
    set_m23_targets(engine)
    add(engine, date(2026, 1, 31), 40)
    with pytest.raises(ValidationFailed) as refused:
        add(engine, date(2026, 1, 31), 45)
    assert "already has a milestone on 31 Jan 2026" in refused.value.errors["due_date"]


def test_only_who_may_set_targets_may_add_or_remove_milestones(engine: Engine) -> None:
    set_m23_targets(engine)
    with pytest.raises(PermissionDenied):
        add(engine, date(2026, 1, 31), 40, by=PARTNER)
    add(engine, date(2026, 1, 31), 40)
    with session_scope(engine, write=True) as session, pytest.raises(PermissionDenied):
        remove_milestone(
            session, actor=actor(session, PARTNER), reference=M23, due_date=date(2026, 1, 31)
        )
    with session_scope(engine, write=True) as session:
        remove_milestone(
            session, actor=actor(session, HEAD_OF_SEND), reference=M23, due_date=date(2026, 1, 31)
        )
    with session_scope(engine) as session:
        assert get_measure_summary(session, reference=M23, as_of=TODAY).milestones == ()


def test_moving_the_target_date_before_a_milestone_is_refused(engine: Engine) -> None:
    set_m23_targets(engine)
    add(engine, date(2026, 6, 30), 55)
    with session_scope(engine, write=True) as session:
        version = session.get(
            SuccessMeasure, get_measure_summary(session, reference=M23, as_of=TODAY).id
        ).version  # type: ignore[union-attr]
        with pytest.raises(ValidationFailed) as refused:
            set_targets(
                session,
                actor=actor(session, HEAD_OF_SEND),
                reference=M23,
                seen_version=version,
                baseline_value=30,
                baseline_date=date(2025, 6, 30),
                target_value=60,
                target_date=date(2026, 3, 31),
                tolerance_pct=10,
                direction="higher",
            )
    assert "on or after the target date" in refused.value.errors["target_date"]

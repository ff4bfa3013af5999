"""Signing off measure values: provisional until the owner or performance lead makes them final."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine

from tests.factories import ADMIN, HEAD_OF_SEND, actor
from tests.measures.conftest import M23, TODAY, audit_rows, enter
from tracker.db import session_scope
from tracker.governance import MeasuresConfig, MeasureSignOffConfig
from tracker.permissions import PermissionDenied
from tracker.services.actions import ValidationFailed
from tracker.services.measures import (
    get_measure_detail,
    get_measure_summary,
    list_values_awaiting_sign_off,
    sign_off_value,
)

LEAD = "send.data@example.org"
SEPTEMBER = date(2025, 9, 30)
ONE_PERSON = MeasuresConfig(performance_lead=LEAD)
TWO_PEOPLE = MeasuresConfig(
    sign_off=[MeasureSignOffConfig(measure=M23, performance_lead=LEAD, two_person_sign_off=True)]
)


def sign_off(engine: Engine, by: str, config: MeasuresConfig = ONE_PERSON) -> bool:
    with session_scope(engine, write=True) as session:
        return sign_off_value(
            session, actor=actor(session, by), reference=M23, period_end=SEPTEMBER, config=config
        ).changed


def status(engine: Engine) -> tuple[str | None, bool]:
    with session_scope(engine) as session:
        summary = get_measure_summary(session, reference=M23, as_of=TODAY)
    return summary.latest_status, summary.latest_provisional


@pytest.mark.postgres
def test_a_value_is_provisional_until_its_owner_signs_it_off(engine: Engine) -> None:
    enter(engine, M23, SEPTEMBER, 35, by=ADMIN)
    assert status(engine) == ("provisional", True)

    assert sign_off(engine, HEAD_OF_SEND) is True
    assert status(engine) == ("final", False)
    assert sign_off(engine, HEAD_OF_SEND) is False  # already final: nothing more happens
    [row] = [r for r in audit_rows(engine, M23) if r.field == "status for 2025-09-30"]
    assert (row.old, row.new, row.actor_label, row.reason) == (
        "provisional",
        "final",
        HEAD_OF_SEND,
        "signed off 35%",
    )
    with session_scope(engine) as session:
        detail = get_measure_detail(session, reference=M23, as_of=TODAY, config=ONE_PERSON)
    assert detail.values[0].final and detail.values[0].signed_off_by == "Head of SEND Service"


@pytest.mark.parametrize("who", [LEAD, HEAD_OF_SEND])
def test_the_performance_lead_or_owner_may_sign_off_but_not_an_administrator(
    engine: Engine, who: str
) -> None:
    enter(engine, M23, SEPTEMBER, 35, by=ADMIN)
    with pytest.raises(PermissionDenied, match="only its owner or its performance lead"):
        sign_off(engine, ADMIN)
    assert status(engine) == ("provisional", True)
    assert sign_off(engine, who)


def test_two_person_sign_off_refuses_whoever_entered_the_value(engine: Engine) -> None:
    enter(engine, M23, SEPTEMBER, 35, by=HEAD_OF_SEND)
    with pytest.raises(PermissionDenied, match="needs two people: you entered this value"):
        sign_off(engine, HEAD_OF_SEND, TWO_PEOPLE)
    assert status(engine) == ("provisional", True)
    assert sign_off(engine, LEAD, TWO_PEOPLE)
    assert status(engine) == ("final", False)


@pytest.mark.postgres
def test_correcting_a_final_value_needs_a_reason_and_makes_it_provisional_again(
    engine: Engine,
) -> None:
    enter(engine, M23, SEPTEMBER, 35, by=ADMIN)
    sign_off(engine, HEAD_OF_SEND)
    with pytest.raises(ValidationFailed) as refused:
        enter(engine, M23, SEPTEMBER, 36)
    assert "say why you are correcting it" in refused.value.errors["reason"]
    assert status(engine) == ("final", False)

    result = enter(engine, M23, SEPTEMBER, 36, reason="late returns")
    assert result.reopened
    assert status(engine) == ("provisional", True)
    rows = [r for r in audit_rows(engine, M23) if r.field == "status for 2025-09-30"]
    assert [(r.old, r.new) for r in rows] == [("provisional", "final"), ("final", "provisional")]
    assert rows[1].reason == "late returns"


def test_the_overview_lists_what_each_person_may_sign_off(engine: Engine) -> None:
    enter(engine, M23, SEPTEMBER, 35, by=HEAD_OF_SEND)
    enter(engine, M23, date(2025, 10, 31), 37, by=ADMIN)
    with session_scope(engine) as session:
        owner = list_values_awaiting_sign_off(
            session, actor=actor(session, HEAD_OF_SEND), config=TWO_PEOPLE
        )
        lead = list_values_awaiting_sign_off(session, actor=actor(session, LEAD), config=TWO_PEOPLE)
        admin = list_values_awaiting_sign_off(
            session, actor=actor(session, ADMIN), config=TWO_PEOPLE
        )
    # The owner entered September, so under two-person sign-off only October is theirs to sign.
    assert [(a.reference, a.period_end) for a in owner] == [(M23, date(2025, 10, 31))]
    assert [a.period_end for a in lead] == [date(2025, 10, 31), SEPTEMBER]
    assert admin == []


def test_source_and_caveat_are_kept_with_the_value(engine: Engine) -> None:
    from tracker.services.measures import enter_value

    with session_scope(engine, write=True) as session:
        enter_value(
            session,
            actor=actor(session, HEAD_OF_SEND),
            reference=M23,
            period_end=SEPTEMBER,
            value=35,
            note=None,
            source="EHCP case management system",
            caveat="Excludes 14 plans transferred in from other authorities",
            today=TODAY,
        )
    with session_scope(engine) as session:
        summary = get_measure_summary(session, reference=M23, as_of=TODAY)
        detail = get_measure_detail(session, reference=M23, as_of=TODAY)
    assert summary.latest_source == "EHCP case management system"
    assert detail.values[0].caveat == "Excludes 14 plans transferred in from other authorities"
    with session_scope(engine, write=True) as session, pytest.raises(ValidationFailed) as too_long:
        enter_value(
            session,
            actor=actor(session, HEAD_OF_SEND),
            reference=M23,
            period_end=SEPTEMBER,
            value=35,
            note=None,
            source="x" * 301,
            today=TODAY,
        )
    assert "source" in too_long.value.errors

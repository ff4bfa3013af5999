"""Entering and correcting measure values: who may, what is refused, and the history kept."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from tests.factories import ADMIN, EXECUTIVE, HEAD_OF_SEND, PARTNER, actor
from tests.measures.conftest import M23, OTHER_OWNER, TODAY, audit_rows, enter
from tracker.db import session_scope
from tracker.models import MeasureValue, Person, SuccessMeasure
from tracker.permissions import PermissionDenied
from tracker.services.actions import ConflictError, ValidationFailed
from tracker.services.measures import (
    EnteredValue,
    MeasureNotFound,
    enter_value,
    get_measure_detail,
    get_measure_summary,
)


def stored_values(engine: Engine, reference: str) -> list[tuple[date, float | None, str | None]]:
    with session_scope(engine) as session:
        rows = session.exec(
            select(MeasureValue)
            .join(SuccessMeasure)
            .where(SuccessMeasure.reference == reference)
            .order_by(col(MeasureValue.period_end))
        ).all()
        return [(r.period_end, r.value, r.note) for r in rows]


@pytest.mark.postgres
def test_owner_enters_a_value_and_the_measure_shows_it(engine: Engine) -> None:
    result = enter(engine, M23, date(2025, 9, 30), 35, note="September statutory return")

    assert (result.corrected, result.changed) == (False, True)
    with session_scope(engine) as session:
        summary = get_measure_summary(session, reference=M23, as_of=TODAY)
    assert summary.latest_value == 35
    assert summary.latest_period == date(2025, 9, 30)
    assert summary.commentary == "September statutory return"
    assert summary.rag is None and summary.rating_basis == "target not set"


@pytest.mark.postgres
def test_a_correction_keeps_the_old_value_and_who_changed_it(engine: Engine) -> None:
    enter(engine, M23, date(2025, 9, 30), 35, note="First cut")
    result = enter(
        engine, M23, date(2025, 9, 30), 36.5, by=ADMIN, note="Validated", reason="late returns"
    )

    assert result.corrected and result.changed and result.old_value == 35
    assert stored_values(engine, M23) == [(date(2025, 9, 30), 36.5, "Validated")]
    value_rows = [r for r in audit_rows(engine, M23) if r.field == "value for 2025-09-30"]
    assert [(r.old, r.new, r.actor_label) for r in value_rows] == [
        (None, "35%", HEAD_OF_SEND),
        ("35%", "36.5%", ADMIN),
    ]
    assert value_rows[1].reason == "late returns"
    note_rows = [r for r in audit_rows(engine, M23) if r.field == "note for 2025-09-30"]
    assert [(r.old, r.new) for r in note_rows] == [(None, "First cut"), ("First cut", "Validated")]
    with session_scope(engine) as session:
        admin_name = session.exec(select(Person.name).where(Person.email == ADMIN)).one()
        detail = get_measure_detail(
            session, reference=M23, as_of=TODAY, viewer=actor(session, ADMIN)
        )
    assert [(v.value, v.entered_by) for v in detail.values] == [(36.5, admin_name)]
    assert detail.audit[0].actor == ADMIN  # newest first


@pytest.mark.postgres
def test_a_correction_without_a_reason_is_refused_and_writes_nothing(engine: Engine) -> None:
    enter(engine, M23, date(2025, 9, 30), 35, note="First cut")
    before = len(audit_rows(engine, M23))

    with pytest.raises(ValidationFailed) as refused:
        enter(engine, M23, date(2025, 9, 30), 36.5, by=ADMIN, reason="  ")

    assert refused.value.errors == {
        "reason": "30/09/2025 already has 35%: say why you are correcting it"
    }
    assert stored_values(engine, M23) == [(date(2025, 9, 30), 35, "First cut")]
    assert len(audit_rows(engine, M23)) == before


def test_the_commentary_names_who_entered_it_owner_or_administrator(sqlite_engine: Engine) -> None:
    enter(sqlite_engine, M23, date(2025, 9, 30), 35, note="September return")
    enter(sqlite_engine, M23, date(2025, 10, 31), 28, by=ADMIN, note="Validated by the PMO")
    with session_scope(sqlite_engine) as session:
        names = dict(session.exec(select(Person.email, Person.name)).all())
        detail = get_measure_detail(session, reference=M23, as_of=TODAY)
        earlier = get_measure_detail(session, reference=M23, as_of=date(2025, 10, 15))
    assert (detail.summary.commentary, detail.commentary_by) == (
        "Validated by the PMO",
        names[ADMIN],
    )
    assert earlier.commentary_by == names[HEAD_OF_SEND]


@pytest.mark.postgres
def test_resubmitting_the_same_value_writes_nothing(engine: Engine) -> None:
    enter(engine, M23, date(2025, 9, 30), 35, note="Same")
    before = len(audit_rows(engine, M23))

    again = enter(engine, M23, date(2025, 9, 30), 35, note="Same")

    assert (again.corrected, again.changed) == (True, False)
    assert len(audit_rows(engine, M23)) == before


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("email", "allowed"),
    [
        (HEAD_OF_SEND, True),  # the measure's owner
        (ADMIN, True),
        (OTHER_OWNER, False),  # owns other measures
        (EXECUTIVE, False),
        (PARTNER, False),
    ],
)
def test_only_the_owner_and_administrators_enter_values(
    engine: Engine, email: str, allowed: bool
) -> None:
    if allowed:
        enter(engine, M23, date(2025, 9, 30), 35, by=email)
        assert stored_values(engine, M23) == [(date(2025, 9, 30), 35, None)]
        return
    with pytest.raises(PermissionDenied, match=r"may not enter measure value for M2\.3"):
        enter(engine, M23, date(2025, 9, 30), 35, by=email)
    assert stored_values(engine, M23) == []
    assert audit_rows(engine, M23) == []


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("reference", "period_end", "value", "note", "field", "message"),
    [
        (M23, date(2025, 9, 30), 101, None, "value", "between 0 and 100"),
        (M23, date(2025, 9, 30), -1, None, "value", "between 0 and 100"),
        (M23, date(2025, 9, 30), None, "no figure", "value", "enter a value"),
        (M23, date(2026, 1, 31), 40, None, "period_end", "has not ended yet"),
        (M23, None, 40, None, "period_end", "give the date the period ends"),
        (M23, date(2025, 9, 30), 40, "x" * 10_001, "note", "so cut 1 character"),
        ("M1.3", date(2025, 9, 30), 24500.5, None, "value", "whole number"),
        ("M1.3", date(2025, 9, 30), -4, None, "value", "whole number"),
        ("M2.2", date(2025, 9, 30), None, None, "note", "needs a note"),
    ],
)
def test_bad_values_are_refused_field_by_field(
    engine: Engine,
    reference: str,
    period_end: date | None,
    value: float | None,
    note: str | None,
    field: str,
    message: str,
) -> None:
    with session_scope(engine, write=True) as session, pytest.raises(ValidationFailed) as failed:
        enter_value(
            session,
            actor=actor(session, ADMIN),
            reference=reference,
            period_end=period_end,
            value=value,
            note=note,
            today=TODAY,
        )
    assert message in failed.value.errors[field]
    assert stored_values(engine, reference) == []


def test_a_narrative_measure_takes_a_note_without_a_figure(sqlite_engine: Engine) -> None:
    enter(
        sqlite_engine, "M2.2", date(2025, 12, 31), None, note="Caseloads above 1:180 in two areas"
    )
    assert stored_values(sqlite_engine, "M2.2") == [
        (date(2025, 12, 31), None, "Caseloads above 1:180 in two areas")
    ]


def test_notes_lose_characters_a_paper_cannot_hold(sqlite_engine: Engine) -> None:
    enter(sqlite_engine, M23, date(2025, 9, 30), 35, note="Return\x00 received\x0b late")
    assert stored_values(sqlite_engine, M23)[0][2] == "Return received late"


def test_unknown_measure_is_named(sqlite_engine: Engine) -> None:
    with pytest.raises(MeasureNotFound, match=r"M9\.9"):
        enter(sqlite_engine, "M9.9", date(2025, 9, 30), 35)


def test_references_are_matched_however_typed(sqlite_engine: Engine) -> None:
    enter(sqlite_engine, " m2.3 ", date(2025, 9, 30), 35)
    assert stored_values(sqlite_engine, M23) == [(date(2025, 9, 30), 35, None)]


@pytest.mark.postgres
def test_two_people_entering_the_same_period_at_once_lose_nothing(engine: Engine) -> None:
    """The second save either corrects the first (audited) or is told to reload; never a crash."""
    outcome: dict[str, object] = {}

    def second() -> None:
        try:
            outcome["result"] = enter(
                engine, M23, date(2025, 9, 30), 36, by=ADMIN, reason="Recounted"
            )
        except Exception as exc:  # the assertion below names what happened
            outcome["error"] = exc

    with session_scope(engine, write=True) as session:
        enter_value(
            session,
            actor=actor(session, HEAD_OF_SEND),
            reference=M23,
            period_end=date(2025, 9, 30),
            value=35,
            note=None,
            today=TODAY,
        )
        thread = threading.Thread(target=second)
        thread.start()
        thread.join(timeout=0.5)  # the second writer is now waiting on the first
    thread.join(timeout=30)

    if "error" in outcome:
        assert isinstance(outcome["error"], ConflictError), outcome
        assert stored_values(engine, M23) == [(date(2025, 9, 30), 35, None)]
    else:
        result = outcome["result"]
        assert isinstance(result, EnteredValue) and result.corrected and result.old_value == 35
        assert stored_values(engine, M23) == [(date(2025, 9, 30), 36, None)]

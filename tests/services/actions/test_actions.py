"""Recording updates: the business rules, one transaction, and never a lost update."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from tests.factories import ADMIN, PARTNER, actor, add_update, owner_of
from tracker.db import session_scope
from tracker.models import Action, ActionUpdate, AuditLog
from tracker.permissions import PermissionDenied
from tracker.services.actions import (
    ConflictError,
    UpdateForm,
    ValidationFailed,
    get_action,
    record_update,
    validate_update,
    withdraw_action,
)
from tracker.services.actions._updates import ActionMismatch

DUE = date(2026, 6, 30)


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (
            UpdateForm(rag="red", status="in_progress", commentary="Late", path_to_green=None),
            "path_to_green",
            "a path to green is required for a Red rating",
        ),
        (
            UpdateForm(rag="red", status="in_progress", commentary=None, path_to_green="Plan"),
            "commentary",
            "commentary is required for a Red rating",
        ),
        (
            UpdateForm(rag="amber", status="in_progress", commentary="   "),
            "commentary",
            "commentary is required for an Amber rating",
        ),
        (
            UpdateForm(rag="green", status="complete", commentary=None),
            "commentary",
            "completing an action needs a closing note",
        ),
        (
            UpdateForm(rag="blue", status="in_progress", commentary="Done"),
            "status",
            "Blue means complete: set the status to Complete",
        ),
        (
            UpdateForm(rag="green", status="in_progress", revised_due_date=date(2026, 9, 30)),
            "due_date_reason",
            "moving the due date needs a reason",
        ),
        (UpdateForm(rag="purple", status="in_progress"), "rag", "'purple' is not a RAG rating"),
        (UpdateForm(rag="green", status="nearly"), "status", "'nearly' is not a status"),
        (UpdateForm(rag=None, status="in_progress"), "rag", "choose a RAG rating"),
        (
            UpdateForm(rag="green", status="in_progress", evidence_url="javascript:alert(1)"),
            "evidence_url",
            "must be a web link",
        ),
        (
            UpdateForm(rag="green", status="in_progress", commentary="x" * 10_250),
            "commentary",
            "is 10,250 characters long; the limit is 10,000, so cut 250 characters",
        ),
    ],
)
def test_invalid_updates_name_the_field(form: UpdateForm, field: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        validate_update(form, current_due=DUE)
    assert message in excinfo.value.errors[field]


@pytest.mark.parametrize(
    ("form", "expected_rag"),
    [
        (UpdateForm(rag="green", status="in_progress"), "green"),
        (UpdateForm(rag="amber", status="in_progress", commentary="Slipping"), "amber"),
        (
            UpdateForm(rag="red", status="in_progress", commentary="Off", path_to_green="Plan"),
            "red",
        ),
        (UpdateForm(rag="blue", status="complete", commentary="Delivered"), "blue"),
        (UpdateForm(rag=None, status="complete", commentary="Delivered"), "blue"),
        (UpdateForm(rag=None, status="withdrawn", commentary="Superseded"), None),
        # Same due date as now is not a move, so no reason needed.
        (UpdateForm(rag="green", status="in_progress", revised_due_date=DUE), "green"),
    ],
)
def test_valid_updates(form: UpdateForm, expected_rag: str | None) -> None:
    assert validate_update(form, current_due=DUE).rag == expected_rag


@pytest.mark.parametrize(
    ("revised", "message"),
    [
        (date(2026, 11, 27), "a revised due date cannot be in the past"),
        (date(2025, 8, 1), "a revised due date cannot be in the past"),
        (date(1990, 1, 1), "a revised due date cannot be in the past"),
        (date(2099, 12, 31), "more than 10 years ahead is not plausible; check the year"),
    ],
)
def test_revised_due_dates_must_be_in_the_future(revised: date, message: str) -> None:
    form = UpdateForm(
        rag="amber",
        status="in_progress",
        commentary="Slipping",
        revised_due_date=revised,
        due_date_reason="Recruitment delay",
    )
    with pytest.raises(ValidationFailed) as excinfo:
        validate_update(
            form, current_due=DUE, start_date=date(2025, 9, 1), today=date(2026, 11, 28)
        )
    assert message in excinfo.value.errors["revised_due_date"]


def test_a_revised_due_date_within_ten_years_is_kept_with_its_reason() -> None:
    form = UpdateForm(
        rag="amber",
        status="in_progress",
        commentary="Slipping",
        revised_due_date=date(2031, 3, 31),
        due_date_reason="Capital programme re-phased",
    )
    clean = validate_update(form, current_due=DUE, today=date(2026, 11, 28))
    assert (clean.revised_due_date, clean.due_date_reason) == (
        date(2031, 3, 31),
        "Capital programme re-phased",
    )


@pytest.mark.parametrize(
    ("rag", "revised", "reason", "refused"),
    [
        ("green", None, None, True),  # Green, 151 days overdue, no reason: asked for one
        ("green", None, "Board agreed the slip", False),
        ("green", date(2027, 3, 31), None, False),  # a new due date: no longer overdue
        ("amber", None, None, False),
    ],
)
def test_green_on_an_overdue_action_needs_a_reason(
    rag: str, revised: date | None, reason: str | None, refused: bool
) -> None:
    form = UpdateForm(
        rag=rag,
        status="in_progress",
        commentary="Progress",
        revised_due_date=revised,
        due_date_reason="Re-planned" if revised else None,
        rating_reason=reason,
    )
    if refused:
        with pytest.raises(ValidationFailed) as excinfo:
            validate_update(form, current_due=DUE, today=date(2026, 11, 28))
        assert "151 days overdue" in excinfo.value.errors["rating_reason"]
    else:
        clean = validate_update(form, current_due=DUE, today=date(2026, 11, 28))
        assert clean.rating_reason == reason


def test_a_save_for_another_action_than_the_forms_is_refused(engine) -> None:
    with session_scope(engine) as session:
        owner = owner_of(session, "P2.3")
        other = get_action(session, "P2.4").id
    with pytest.raises(ActionMismatch), session_scope(engine, write=True) as session:
        record_update(
            session,
            actor=owner,
            reference="P2.3",
            seen_version=1,
            form=UpdateForm(rag="amber", status="in_progress", commentary="Meant for P2.4"),
            action_id=other,
        )
    with session_scope(engine) as session:
        assert get_action(session, "P2.3").version == 1


def test_revised_due_date_before_the_start_is_refused() -> None:
    form = UpdateForm(
        rag="green", status="in_progress", revised_due_date=date(2025, 8, 1), due_date_reason="Typo"
    )
    with pytest.raises(ValidationFailed) as excinfo:
        validate_update(form, current_due=DUE, start_date=date(2025, 9, 1), today=date(2025, 7, 1))
    assert "before the action's start" in excinfo.value.errors["revised_due_date"]


def test_owners_cannot_withdraw_or_reopen_their_actions(engine) -> None:
    with session_scope(engine) as session:
        owner = owner_of(session, "P2.5")
    with pytest.raises(PermissionDenied), session_scope(engine, write=True) as session:
        record_update(
            session,
            actor=owner,
            reference="P2.5",
            seen_version=1,
            form=UpdateForm(rag="green", status="withdrawn", commentary="Not needed"),
        )
    with session_scope(engine, write=True) as session:
        withdraw_action(
            session,
            actor=actor(session, ADMIN),
            reference="P2.5",
            seen_version=1,
            reason="Superseded by the capital programme",
        )
    with pytest.raises(PermissionDenied), session_scope(engine, write=True) as session:
        record_update(
            session,
            actor=owner,
            reference="P2.5",
            seen_version=2,
            form=UpdateForm(rag="green", status="in_progress"),
        )
    with session_scope(engine) as session:
        action = get_action(session, "P2.5")
        assert (action.status, action.rag) == ("withdrawn", None)


def test_xml_forbidden_characters_are_stripped_and_the_rest_kept() -> None:
    clean = validate_update(
        UpdateForm(rag="amber", status="in_progress", commentary="Bad\x00 \x0bchars 🚀 <b>&"),
        current_due=DUE,
    )
    assert clean.commentary == "Bad chars 🚀 <b>&"


def test_update_writes_history_state_and_audit_in_one_go(engine) -> None:
    add_update(
        engine,
        "P2.3",
        rag="red",
        commentary="Two EP posts vacant",
        path_to_green="Agency cover from March",
        revised_due_date=date(2027, 6, 30),
        due_date_reason="Recruitment delay",
    )
    with session_scope(engine) as session:
        action = get_action(session, "P2.3")
        assert (action.rag, action.status, action.version) == ("red", "in_progress", 2)
        assert action.due_date == date(2027, 6, 30)
        assert action.latest_commentary == "Two EP posts vacant"
        assert action.last_updated_at is not None
        updates = session.exec(
            select(ActionUpdate).where(ActionUpdate.action_id == action.id)
        ).all()
        assert len(updates) == 1 and updates[0].due_date_reason == "Recruitment delay"
        audit = {
            a.field: (a.old, a.new, a.reason)
            for a in session.exec(
                select(AuditLog).where(AuditLog.entity_id == action.id, AuditLog.entity == "action")
            )
        }
        assert audit["rag"] == (None, "red", "Recruitment delay")
        assert audit["due_date"][1] == "2027-06-30"


def test_stale_save_is_refused_naming_who_changed_it(engine) -> None:
    with session_scope(engine) as session:
        seen = get_action(session, "P1.1").version
        owner = owner_of(session, "P1.1")
    add_update(engine, "P1.1", rag="green", by=ADMIN, at=datetime(2026, 11, 27, 9, 30, tzinfo=UTC))
    with pytest.raises(ConflictError) as excinfo, session_scope(engine, write=True) as session:
        record_update(
            session,
            actor=owner,
            reference="P1.1",
            seen_version=seen,
            form=UpdateForm(rag="amber", status="in_progress", commentary="Mine"),
        )
    assert "SEND Programme Management Office" in str(excinfo.value)
    assert "27 Nov 2026 09:30" in str(excinfo.value)
    with session_scope(engine) as session:
        action = get_action(session, "P1.1")
        assert (action.rag, action.version) == ("green", 2)
        count = len(
            session.exec(select(ActionUpdate).where(ActionUpdate.action_id == action.id)).all()
        )
        assert count == 1


def test_two_sessions_editing_the_same_action(engine) -> None:
    """Both load version 1; the first save wins, the second gets the conflict, nothing lost."""
    with session_scope(engine) as s1, session_scope(engine) as s2:
        a1 = get_action(s1, "P3.2")
        a2 = get_action(s2, "P3.2")
        owner = owner_of(s1, "P3.2")
        admin = actor(s2, ADMIN)
        assert a1.version == a2.version == 1
    with session_scope(engine, write=True) as session:
        record_update(
            session,
            actor=owner,
            reference="P3.2",
            seen_version=1,
            form=UpdateForm(rag="amber", status="in_progress", commentary="Owner's view"),
        )
    with pytest.raises(ConflictError), session_scope(engine, write=True) as session:
        record_update(
            session,
            actor=admin,
            reference="P3.2",
            seen_version=1,
            form=UpdateForm(rag="green", status="in_progress", commentary="Admin's view"),
        )
    with session_scope(engine) as session:
        action = get_action(session, "P3.2")
        assert action.latest_commentary == "Owner's view"


def test_partner_and_other_owners_cannot_update(engine) -> None:
    with session_scope(engine) as session:
        partner = actor(session, PARTNER)
        other_owner = owner_of(session, "P5.12")
        target = next(
            ref
            for ref in ("P2.3", "P2.4", "P1.1", "P3.1")
            if get_action(session, ref).owner_id != other_owner.person_id
        )
    for who in (partner, other_owner):
        with pytest.raises(PermissionDenied), session_scope(engine, write=True) as session:
            record_update(
                session,
                actor=who,
                reference=target,
                seen_version=1,
                form=UpdateForm(rag="green", status="in_progress"),
            )


def test_workstream_lead_can_update_their_workstreams_actions(engine) -> None:
    from tracker.models import Person, Workstream

    # An action the lead does not own, so only leading its workstream lets them update it.
    with session_scope(engine) as session:
        action, lead = session.exec(
            select(Action, Person)
            .join(Workstream, Workstream.id == Action.workstream_id)
            .join(Person, Person.id == Workstream.lead_id)
            .where(Action.owner_id != Workstream.lead_id)
            .order_by(Action.reference)
        ).first()
        reference, lead_id, lead_email = action.reference, lead.id, lead.email
        assert actor(session, lead_email).roles.isdisjoint({"administrator"})
    update = add_update(engine, reference, rag="amber", commentary="Lead's view.", by=lead_email)
    assert update.created_by_id == lead_id
    with session_scope(engine) as session:
        assert get_action(session, reference).rag == "amber"


def test_withdrawing_records_the_reason(engine) -> None:
    with session_scope(engine, write=True) as session:
        withdraw_action(
            session,
            actor=actor(session, ADMIN),
            reference="P4.8",
            seen_version=1,
            reason="Merged into P4.6",
        )
    with session_scope(engine) as session:
        action = get_action(session, "P4.8")
        assert action.status == "withdrawn"
        assert action.latest_commentary == "Merged into P4.6"

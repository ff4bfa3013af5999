"""Impact on updates, apart from delivery: stored, validated against governance.yaml's scale,
audited, carried forward, and read back as each action's latest impact everywhere it is shown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from tests.factories import ADMIN, actor, owner_of
from tracker.db import session_scope
from tracker.governance import ImpactConfig, ImpactRatingConfig, ImpactVoiceConfig
from tracker.models import ActionUpdate, AuditLog
from tracker.services.actions import (
    TEXT_LIMIT,
    ActionFields,
    UpdateForm,
    ValidationFailed,
    edit_action,
    get_action,
    get_action_detail,
    record_update,
    validate_update,
)
from tracker.services.register import ActionFilter, list_actions, load_overview

NOW = datetime(2026, 11, 20, 10, tzinfo=UTC)
TODAY = NOW.date()


def _update(engine: Engine, reference: str, form: UpdateForm, *, at: datetime = NOW) -> None:
    with session_scope(engine, write=True) as session:
        record_update(
            session,
            actor=owner_of(session, reference),
            reference=reference,
            seen_version=get_action(session, reference).version,
            form=form,
            now=at,
            today=at.date(),
        )


def _amber(**impact: object) -> UpdateForm:
    """An Amber update with ``impact`` (and any other field given)."""
    # Amber: P2.3 is past its due date by then, and Green would need a reason.
    fields: dict[str, object] = {"rag": "amber", "status": "in_progress", "commentary": "Slipping."}
    return UpdateForm(**{**fields, **impact})  # type: ignore[arg-type]


def test_an_update_stores_its_impact_report_and_audits_it(engine: Engine) -> None:
    _update(
        engine,
        "P2.3",
        _amber(
            impact_rating="Early signs",
            impact_evidence="12 of 20 families said they knew who to contact.",
            impact_voices=("Data", "families"),
            public_summary="Families now get a named officer from the first week.",
        ),
    )
    with session_scope(engine) as session:
        entry = session.exec(select(ActionUpdate)).one()
        assert entry.impact_rating == "early_signs"  # the key, whatever words were chosen
        assert entry.impact_voices == ["families", "data"]  # in the scale's order
        assert entry.impact_evidence == "12 of 20 families said they knew who to contact."
        assert entry.public_summary == "Families now get a named officer from the first week."
        audited = {
            a.field: a.new
            for a in session.exec(select(AuditLog).where(AuditLog.entity == "action")).all()
        }
    assert audited["impact_rating"] == "early_signs"
    assert audited["impact_voices"] == "families, data"
    assert audited["public_summary"].startswith("Families now get")


@pytest.mark.parametrize(
    ("form", "field", "words"),
    [
        (_amber(impact_rating="Brilliant"), "impact_rating", "'Brilliant' is not an impact rating"),
        (_amber(impact_voices=("Governors",)), "impact_voices", "'Governors' not a voice"),
        (_amber(impact_evidence="x" * (TEXT_LIMIT + 5)), "impact_evidence", "cut 5 characters"),
        (_amber(public_summary="y" * (TEXT_LIMIT + 1)), "public_summary", "cut 1 character"),
    ],
)
def test_a_bad_impact_report_is_refused_naming_its_field(
    form: UpdateForm, field: str, words: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate_update(form, current_due=None, today=TODAY)
    assert words in caught.value.errors[field]


def test_the_partnerships_own_scale_is_the_one_checked() -> None:
    scale = ImpactConfig(
        ratings=[ImpactRatingConfig(key="strong", label="Strong", definition="x", evident=True)],
        voices=[ImpactVoiceConfig(key="carers", label="Carers")],
    )
    clean = validate_update(
        _amber(impact_rating="Strong", impact_voices=("Carers",)),
        current_due=None,
        today=TODAY,
        impact=scale,
    )
    assert (clean.impact_rating, clean.impact_voices) == ("strong", ("carers",))
    with pytest.raises(ValidationFailed) as caught:
        validate_update(_amber(impact_rating="Early signs"), current_due=None, impact=scale)
    assert "(Strong)" in caught.value.errors["impact_rating"]


def test_a_refused_update_stores_nothing(engine: Engine) -> None:
    with pytest.raises(ValidationFailed):
        _update(engine, "P2.3", _amber(impact_rating="Brilliant", commentary="kept?"))
    with session_scope(engine) as session:
        assert session.exec(select(ActionUpdate)).all() == []
        assert get_action(session, "P2.3").version == 1


def test_the_latest_impact_is_the_newest_update_that_reported_one(engine: Engine) -> None:
    _update(engine, "P2.3", _amber(impact_rating="too_early"), at=NOW - timedelta(days=40))
    _update(engine, "P2.3", _amber(impact_rating="early_signs"), at=NOW - timedelta(days=20))
    _update(engine, "P2.3", _amber(), at=NOW)  # reports no impact this time
    with session_scope(engine) as session:
        rows = {r.reference: r for r in list_actions(session, today=TODAY)}
        detail = get_action_detail(session, reference="P2.3", today=TODAY)
        early = list_actions(session, today=TODAY, filters=ActionFilter(impact="early_signs"))
        silent = list_actions(session, today=TODAY, filters=ActionFilter(impact="not_reported"))
    assert rows["P2.3"].impact_rating == "early_signs"
    assert rows["P2.4"].impact_rating is None
    assert [r.reference for r in early] == ["P2.3"]
    assert "P2.3" not in {r.reference for r in silent} and "P2.4" in {r.reference for r in silent}
    # The form carries forward what the newest update said (here: nothing).
    assert detail.last_update is not None and detail.last_update.impact_rating is None


def test_delivered_without_impact_evident_is_an_exception_on_the_overview(engine: Engine) -> None:
    done = UpdateForm(rag="blue", status="complete", commentary="Delivered in October.")
    _update(engine, "P1.1", done)
    _update(engine, "P1.2", UpdateForm(**{**done.__dict__, "impact_rating": "evident"}))
    _update(engine, "P1.3", UpdateForm(**{**done.__dict__, "impact_rating": "not_yet_evident"}))
    overview = load_overview(engine, today=TODAY, impact=ImpactConfig())
    listed = [r.reference for r in overview.no_impact.rows]
    assert listed == ["P1.1", "P1.3"]
    assert overview.no_impact.total == 2


def test_expected_impact_is_edited_with_the_action_and_audited(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        action = get_action(session, "P2.3")
        edit_action(
            session,
            actor=actor(session, ADMIN),
            reference="P2.3",
            seen_version=action.version,
            fields=ActionFields(
                reference="P2.3",
                title=action.title,
                priority_id=action.priority_id,
                workstream_id=action.workstream_id,
                owner_id=action.owner_id,
                lead_organisation_id=action.lead_organisation_id,
                body_id=action.body_id,
                start_date=action.start_date,
                due_date=action.due_date,
                expected_impact="Families know within 6 weeks whether an EHCP will be issued.",
            ),
        )
    with session_scope(engine) as session:
        row = next(r for r in list_actions(session, today=TODAY) if r.reference == "P2.3")
        trail = session.exec(
            select(AuditLog.new).where(col(AuditLog.field) == "expected_impact")
        ).all()
    assert row.expected_impact == "Families know within 6 weeks whether an EHCP will be issued."
    assert trail == ["Families know within 6 weeks whether an EHCP will be issued."]

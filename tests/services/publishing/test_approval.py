"""Approving what goes public: by the role governance.yaml names, as the approver saw it,
audited; marking an action public needs a plain title."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from tests.factories import ADMIN, EXECUTIVE, OPERATOR, actor, add_update
from tracker.db import session_scope
from tracker.errors import Conflict, InvalidInput
from tracker.governance import ApprovalRule, GovernanceConfig
from tracker.models import Action, ActionUpdate, AuditLog, MeasureValue, Role, SuccessMeasure
from tracker.permissions import PermissionDenied
from tracker.services.publishing import (
    PublicTitleInvalid,
    approve_summary,
    list_approval_queue,
    publish_measure_value,
    set_action_publication,
)


def _with_summary(engine: Engine, text: str) -> int:
    update = add_update(engine, "P2.3")
    with session_scope(engine, write=True) as session:
        row = session.get(ActionUpdate, update.id)
        assert row is not None and row.id is not None
        row.public_summary = text
        return row.id


def _executive_approves(config: GovernanceConfig) -> GovernanceConfig:
    assert config.publishing is not None
    rules = config.publishing.approval.model_copy(
        update={"update_summaries": ApprovalRule(required=True, role=Role.EXECUTIVE)}
    )
    return config.model_copy(
        update={"publishing": config.publishing.model_copy(update={"approval": rules})}
    )


def test_a_summary_waits_in_the_queue_until_the_named_role_approves_it(
    engine: Engine, config: GovernanceConfig
) -> None:
    update_id = _with_summary(engine, "We filled 12 posts.")
    by_executive = _executive_approves(config)
    with session_scope(engine, write=True) as session:
        queue = list_approval_queue(session, OPERATOR, config=by_executive)
        assert [s.update_id for s in queue.summaries] == [update_id]
        with pytest.raises(PermissionDenied, match="executive role"):
            approve_summary(
                session,
                actor(session, ADMIN),
                config=by_executive,
                update_id=update_id,
                seen_summary="We filled 12 posts.",
            )
    with session_scope(engine, write=True) as session:
        approve_summary(
            session,
            actor(session, EXECUTIVE),
            config=by_executive,
            update_id=update_id,
            seen_summary="We filled 12 posts.",
        )
    with session_scope(engine) as session:
        row = session.get(ActionUpdate, update_id)
        assert row is not None and row.public_approved_at is not None
        assert list_approval_queue(session, OPERATOR, config=by_executive).summaries == ()
        audit = session.exec(
            select(AuditLog).where(
                AuditLog.entity == "action_update", AuditLog.field == "public_approved_at"
            )
        ).one()
        assert audit.actor_label == EXECUTIVE


def test_a_summary_changed_since_it_was_read_is_not_approved(
    engine: Engine, config: GovernanceConfig
) -> None:
    update_id = _with_summary(engine, "Second wording")
    with session_scope(engine, write=True) as session, pytest.raises(Conflict):
        approve_summary(
            session, OPERATOR, config=config, update_id=update_id, seen_summary="First wording"
        )


def test_a_measure_value_goes_public_once_approved(
    engine: Engine, config: GovernanceConfig
) -> None:
    with session_scope(engine, write=True) as session:
        measure = session.exec(
            select(SuccessMeasure).where(SuccessMeasure.reference == "M2.3")
        ).one()
        assert measure.id is not None
        from datetime import date

        value = MeasureValue(
            measure_id=measure.id, period_end=date(2026, 8, 31), value=60, status="final"
        )
        provisional = MeasureValue(measure_id=measure.id, period_end=date(2026, 9, 30), value=61)
        session.add_all([value, provisional])
        session.flush()
        assert value.id is not None and provisional.id is not None
        value_id = value.id
        queue = list_approval_queue(session, OPERATOR, config=config)
        # A provisional figure waits for its sign-off, not for publication.
        assert [(v.measure, v.shown) for v in queue.values] == [("M2.3", "60%")]
        with pytest.raises(InvalidInput, match="still provisional"):
            publish_measure_value(
                session, actor(session, ADMIN), config=config, value_id=provisional.id
            )
        with pytest.raises(PermissionDenied):
            publish_measure_value(
                session, actor(session, EXECUTIVE), config=config, value_id=value_id
            )
        publish_measure_value(session, actor(session, ADMIN), config=config, value_id=value_id)
    with session_scope(engine) as session:
        stored = session.get(MeasureValue, value_id)
        assert stored is not None and stored.published
        assert list_approval_queue(session, OPERATOR, config=config).values == ()


@pytest.mark.parametrize("title", ["", "   ", None])
def test_an_action_is_not_published_without_plain_words(engine: Engine, title: str | None) -> None:
    with session_scope(engine, write=True) as session:
        action = session.exec(select(Action).where(Action.reference == "P2.3")).one()
        with pytest.raises(PublicTitleInvalid) as refused:
            set_action_publication(
                session,
                OPERATOR,
                reference="P2.3",
                published=True,
                public_title=title,
                seen_version=action.version,
            )
    assert "public_title" in refused.value.fields


def test_publishing_an_action_is_audited_and_checks_the_version(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        action = session.exec(select(Action).where(Action.reference == "P2.3")).one()
        seen = action.version
        set_action_publication(
            session,
            actor(session, ADMIN),
            reference="P2.3",
            published=True,
            public_title="More staff so plans are on time",
            seen_version=seen,
        )
    with session_scope(engine, write=True) as session:
        with pytest.raises(Conflict):
            set_action_publication(
                session,
                OPERATOR,
                reference="P2.3",
                published=False,
                public_title=None,
                seen_version=seen,
            )
        with pytest.raises(PermissionDenied):
            set_action_publication(
                session,
                actor(session, EXECUTIVE),
                reference="P2.3",
                published=False,
                public_title=None,
                seen_version=seen + 1,
            )
    with session_scope(engine) as session:
        action = session.exec(select(Action).where(Action.reference == "P2.3")).one()
        assert action.published and action.public_title == "More staff so plans are on time"
        fields = {
            row.field
            for row in session.exec(
                select(AuditLog).where(AuditLog.entity == "action", AuditLog.entity_label == "P2.3")
            ).all()
        }
        assert {"published", "public_title"} <= fields

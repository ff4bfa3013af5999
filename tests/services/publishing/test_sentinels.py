"""Internal text never reaches the public site.

A distinct sentinel goes into every internal field (commentary, path to green, next steps,
rating reasons, impact evidence, unapproved and older summaries, unpublished actions' titles,
measure notes and commentary, unpublished values, unpublished or unapproved feedback, risks,
person names and e-mail addresses); the site is published and no file of it holds any sentinel
or any e-mail address. The public items set beside them do appear, so the test cannot pass on
an empty site.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from tests.factories import OPERATOR, add_update
from tests.services.publishing.conftest import publish, site_text
from tracker.db import session_scope
from tracker.governance import GovernanceConfig
from tracker.models import (
    Action,
    ActionUpdate,
    Feedback,
    FeedbackPriority,
    MeasureValue,
    Person,
    Priority,
    Risk,
    SuccessMeasure,
)
from tracker.services.publishing import (
    approve_feedback,
    approve_summary,
    publish_measure_value,
    set_action_publication,
)

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
WHEN = datetime(2026, 9, 1, 9, tzinfo=UTC)


def _sentinel(field: str) -> str:
    return f"SENTINEL{field.upper().replace('_', '')}XYZ"


def _latest_update(session: Session, reference: str) -> ActionUpdate:
    action = session.exec(select(Action).where(Action.reference == reference)).one()
    update = session.exec(
        select(ActionUpdate)
        .where(ActionUpdate.action_id == action.id)
        .order_by(col(ActionUpdate.created_at).desc(), col(ActionUpdate.id).desc())
    ).first()
    assert update is not None
    return update


def _fill(engine: Engine, config: GovernanceConfig) -> None:
    # P2.3 is public with an approved summary; an older approved one and a newer unapproved
    # one lie either side of it. P1.1 is public with no summary; P3.1 is not public at all.
    add_update(engine, "P2.3", at=datetime(2026, 6, 1, 9, tzinfo=UTC))
    add_update(engine, "P2.3", rag="red", at=datetime(2026, 7, 1, 9, tzinfo=UTC))
    add_update(engine, "P2.3", rag="amber", at=datetime(2026, 8, 1, 9, tzinfo=UTC))
    add_update(engine, "P3.1", rag="red", at=datetime(2026, 8, 1, 9, tzinfo=UTC))
    with session_scope(engine, write=True) as session:
        for reference, title in (("P2.3", "PUBLICTITLEOK"), ("P1.1", "PUBLICTITLETWO")):
            action = session.exec(select(Action).where(Action.reference == reference)).one()
            set_action_publication(
                session,
                OPERATOR,
                reference=reference,
                published=True,
                public_title=title,
                seen_version=action.version,
            )
        for action in session.exec(select(Action)).all():
            action.latest_commentary = _sentinel("latest_commentary")
            action.path_to_green = _sentinel("action_path_to_green")
            action.next_steps = _sentinel("action_next_steps")
            action.expected_impact = _sentinel("expected_impact")
            action.description = _sentinel("description")
            if action.reference == "P3.1":
                action.public_title = _sentinel("unpublished_public_title")
            else:
                # The plan's internal wording of a public action is never shown either.
                action.title = _sentinel("internal_title")
            session.add(action)
        updates = session.exec(select(ActionUpdate)).all()
        for update in updates:
            update.commentary = _sentinel("commentary")
            update.path_to_green = _sentinel("path_to_green")
            update.next_steps = _sentinel("next_steps")
            update.due_date_reason = _sentinel("due_date_reason")
            update.rating_reason = _sentinel("rating_reason")
            update.impact_evidence = _sentinel("impact_evidence")
            update.evidence_url = "https://internal.example/" + _sentinel("evidence_url")
            session.add(update)
        session.flush()
        p23 = [u for u in updates if u.action_id == _action_id(session, "P2.3")]
        p23.sort(key=lambda u: u.created_at)
        older, approved, newest = p23[-3], p23[-2], p23[-1]
        older.public_summary = _sentinel("older_summary")
        approved.public_summary = "PUBLICSUMMARYOK"
        newest.public_summary = _sentinel("unapproved_summary")
        _latest_update(session, "P3.1").public_summary = _sentinel("unpublished_action_summary")
        session.flush()
        for update in (older, approved):
            assert update.id is not None
            approve_summary(
                session,
                OPERATOR,
                config=config,
                update_id=update.id,
                seen_summary=update.public_summary or "",
                now=WHEN,
            )
        _approve_p31(session, config)
        _measures(session, config)
        _feedback(session, config)
        for risk in session.exec(select(Risk)).all():
            risk.title = _sentinel("risk_title")
            session.add(risk)
        for person in session.exec(select(Person)).all():
            person.name = _sentinel(f"person{person.id}")
            person.job_title = _sentinel("job_title")
            session.add(person)


def _action_id(session: Session, reference: str) -> int:
    action = session.exec(select(Action).where(Action.reference == reference)).one()
    assert action.id is not None
    return action.id


def _approve_p31(session: Session, config: GovernanceConfig) -> None:
    # Approved, but its action is not published: still never shown.
    update = _latest_update(session, "P3.1")
    assert update.id is not None
    approve_summary(
        session,
        OPERATOR,
        config=config,
        update_id=update.id,
        seen_summary=update.public_summary or "",
        now=WHEN,
    )


def _measures(session: Session, config: GovernanceConfig) -> None:
    measure = session.exec(select(SuccessMeasure).where(SuccessMeasure.reference == "M2.3")).one()
    measure.commentary = _sentinel("measure_commentary")
    measure.narrative_commentary = _sentinel("narrative_commentary")
    measure.baseline_note = _sentinel("baseline_note")
    session.add(measure)
    assert measure.id is not None
    public = MeasureValue(
        measure_id=measure.id,
        period_end=date(2026, 7, 31),
        value=61.25,
        note=_sentinel("value_note"),
        source=_sentinel("value_source"),
        caveat=_sentinel("value_caveat"),
        status="final",
    )
    hidden = MeasureValue(
        measure_id=measure.id, period_end=date(2026, 8, 31), value=98765.4321, note="x"
    )
    # Published but not signed off: a provisional figure never goes out.
    provisional = MeasureValue(
        measure_id=measure.id, period_end=date(2026, 9, 30), value=87654.321, published=True
    )
    session.add_all([public, hidden, provisional])
    session.flush()
    assert public.id is not None
    publish_measure_value(session, OPERATOR, config=config, value_id=public.id)


def _feedback(session: Session, config: GovernanceConfig) -> None:
    priority = session.exec(select(Priority).where(Priority.number == 2)).one()
    shown = Feedback(
        reference="YS1",
        said="YOUSAIDOK",
        source="Parent Carer Forum",
        we_did="WEDIDOK",
        published=True,
    )
    unapproved = Feedback(
        reference="YS2",
        said=_sentinel("unapproved_said"),
        source="POWAR",
        we_did=_sentinel("unapproved_we_did"),
        published=True,
    )
    unpublished = Feedback(
        reference="YS3",
        said=_sentinel("unpublished_said"),
        source=_sentinel("source"),
        impact=_sentinel("feedback_impact"),
    )
    session.add_all([shown, unapproved, unpublished])
    session.flush()
    assert shown.id is not None and priority.id is not None
    session.add(FeedbackPriority(feedback_id=shown.id, priority_id=priority.id))
    approve_feedback(
        session, OPERATOR, config=config, feedback_id=shown.id, seen_version=shown.version
    )


def test_internal_text_never_reaches_the_site(
    engine: Engine, config: GovernanceConfig, tmp_path: Path
) -> None:
    _fill(engine, config)
    with session_scope(engine) as session:
        emails = [p.email for p in session.exec(select(Person)).all()]
    report = publish(engine, tmp_path / "site", config)
    files = site_text(tmp_path / "site")
    everything = "\n".join(files.values())

    assert re.findall(r"SENTINEL\w*XYZ", everything) == []
    assert "98765" not in everything  # the unpublished measure value
    assert "87654" not in everything  # published but still provisional
    assert not EMAIL.search(everything), EMAIL.search(everything)
    for email in emails:
        assert email not in everything
    # What is public is there: the test would catch an empty site.
    priority_2 = files["priority-2.html"]
    assert "PUBLICTITLEOK" in priority_2 and "PUBLICSUMMARYOK" in priority_2
    assert "61.25%" in priority_2
    assert "PUBLICTITLETWO" in files["priority-1.html"]
    assert "YOUSAIDOK" in files["you-said-we-did.html"]
    assert "WEDIDOK" in files["you-said-we-did.html"]
    assert report.actions == 2 and report.feedback == 1

"""The demonstration's public site: a few actions in plain words, public summaries written for
families and approved, most measure values published, and "you said, we did" entries, so that
``tracker publish site/`` on the demo database makes a real site, with a little left waiting in
the Publish page's approval queue.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from tracker.governance import GovernanceConfig
from tracker.models import (
    Action,
    ActionUpdate,
    Feedback,
    FeedbackPriority,
    FeedbackStatus,
    MeasureValue,
    Priority,
    SuccessMeasure,
)
from tracker.permissions import Actor
from tracker.services.audit import record_change
from tracker.services.publishing import (
    approve_feedback,
    approve_summary,
    publish_measure_value,
    set_action_publication,
)

# Reference -> (the action in plain words, a public summary of its latest update).
PLAIN_ACTIONS: dict[str, tuple[str, str | None]] = {
    "P1.1": (
        "Help schools, health and care staff support children with SEND in every classroom",
        "We have trained staff in 40 schools so far. Fewer schools have joined than we planned, "
        "so we are adding evening sessions this term.",
    ),
    "P1.2": (
        "Train our SEND staff through the SEND Academy",
        "The SEND Academy is up and running. Every SEND case worker has now finished the core "
        "training.",
    ),
    "P1.4": (
        "Offer early help to families through family hubs",
        "Family hubs in three districts now run weekly drop-in sessions. Two more open next "
        "term, a little later than we hoped.",
    ),
    "P2.3": (
        "Employ more SEND and educational psychology staff so plans are written on time",
        "We have filled 12 new posts. More plans are now finished within 20 weeks.",
    ),
    "P2.5": (
        "Plan more special school places and SEND units closer to home",
        "We have published our plan for new places. Building work at the first two sites "
        "starts in the spring.",
    ),
    "P3.3": (
        "Put clear information about growing up and adult life on the Local Offer website",
        "New pages about leaving school are being written with young people. They are taking "
        "longer than planned because we are testing them with more families.",
    ),
    "P3.5": (
        "Make a guide and videos about internships, apprenticeships and jobs",
        "Young people from POWAR have filmed the first five videos.",
    ),
    "P4.5": (
        "Help the POWAR SEND youth forum reach more young people",
        "POWAR now meets in four towns and has 30 new members this year.",
    ),
    "P4.9": (
        "Run termly 'Let's talk' sessions with the Parent Carer Forum",
        "Two sessions have taken place this term. Parents asked for an evening session, which "
        "we are arranging.",
    ),
    "P5.6": (
        "Start the new neurodevelopmental pathway across Lancashire",
        "The new pathway is open in two areas. Families can now get support while they wait "
        "for an assessment.",
    ),
    "P5.7": (
        "Give support without waiting for a diagnosis, and cut waiting times",
        None,  # published, but its summary waits in the approval queue
    ),
}
AWAITING_SUMMARY = (
    "P5.7",
    "We have started a new advice line for families waiting for an assessment.",
)
FEEDBACK: tuple[tuple[str, str, str, str | None, str | None, int, bool, bool], ...] = (
    # reference, said, source, we did, impact, priority, published, approved
    (
        "YS1",
        "It is hard to find out what support is available before a diagnosis.",
        "Lancashire Parent Carer Forum",
        "We set up support you can get without a diagnosis through the family hubs.",
        "More families now get help while they wait.",
        5,
        True,
        True,
    ),
    (
        "YS2",
        "Young people want a say in how services are run, not just a survey once a year.",
        "POWAR SEND Youth Forum",
        "POWAR members now sit on the SEND Operations Board twice a year.",
        None,
        4,
        True,
        True,
    ),
    (
        "YS3",
        "Parents who work cannot come to daytime sessions.",
        "Let's talk session",
        None,
        None,
        4,
        True,
        False,
    ),
)


def publish_demo_site(
    session: Session, *, governance: GovernanceConfig, today: date, actor: Actor
) -> None:
    """Mark the demo's public items, approving them as the administrator ``actor``."""
    if governance.publishing is None:
        return
    moment = datetime.combine(today, time(9), tzinfo=UTC)
    for reference, (title, summary) in PLAIN_ACTIONS.items():
        action = session.exec(select(Action).where(Action.reference == reference)).first()
        if action is None:
            continue
        set_action_publication(
            session,
            actor,
            reference=reference,
            published=True,
            public_title=title,
            seen_version=action.version,
        )
        if summary is not None:
            update = _write_summary(session, action, summary, actor)
            if update is not None and update.id is not None:
                approve_summary(
                    session,
                    actor,
                    config=governance,
                    update_id=update.id,
                    seen_summary=summary,
                    now=moment,
                )
    waiting = session.exec(select(Action).where(Action.reference == AWAITING_SUMMARY[0])).first()
    if waiting is not None:
        _write_summary(session, waiting, AWAITING_SUMMARY[1], actor)
    _publish_values(session, governance=governance, actor=actor)
    _add_feedback(session, governance=governance, actor=actor, today=today, moment=moment)


def _write_summary(
    session: Session, action: Action, summary: str, actor: Actor
) -> ActionUpdate | None:
    update = session.exec(
        select(ActionUpdate)
        .where(ActionUpdate.action_id == action.id)
        .order_by(col(ActionUpdate.created_at).desc(), col(ActionUpdate.id).desc())
    ).first()
    if update is None:
        return None
    record_change(
        session,
        actor=actor,
        entity="action_update",
        entity_id=update.id,
        entity_label=f"{action.reference} public summary",
        field="public_summary",
        old=update.public_summary,
        new=summary,
    )
    update.public_summary = summary
    session.add(update)
    session.flush()
    return update


def _publish_values(session: Session, *, governance: GovernanceConfig, actor: Actor) -> None:
    """Every final value but the newest of M2.3 and M5.1 (left to approve); provisional
    figures are never published."""
    rows = session.exec(
        select(MeasureValue, SuccessMeasure.reference)
        .join(SuccessMeasure, col(SuccessMeasure.id) == col(MeasureValue.measure_id))
        .where(col(MeasureValue.value).is_not(None), col(MeasureValue.status) == "final")
        .order_by(col(MeasureValue.measure_id), col(MeasureValue.period_end))
    ).all()
    by_measure: dict[str, list[MeasureValue]] = {}
    for value, reference in rows:
        by_measure.setdefault(reference, []).append(value)
    for reference, values in by_measure.items():
        keep_back = 1 if len(values) >= 3 and reference in {"M2.3", "M5.1"} else 0
        for value in values[: len(values) - keep_back]:
            assert value.id is not None
            publish_measure_value(session, actor, config=governance, value_id=value.id)


def _add_feedback(
    session: Session, *, governance: GovernanceConfig, actor: Actor, today: date, moment: datetime
) -> None:
    existing = session.exec(select(Feedback).order_by(col(Feedback.id))).all()
    if existing:
        _publish_existing(session, governance=governance, actor=actor, entries=existing, at=moment)
        return
    priorities = {p.number: p.id for p in session.exec(select(Priority)).all()}
    for n, (ref, said, source, we_did, impact, number, published, approved) in enumerate(FEEDBACK):
        entry = Feedback(
            reference=ref,
            said=said,
            source=source,
            heard_on=(today - timedelta(days=150 - 45 * n)).replace(day=1),
            we_did=we_did,
            impact=impact,
            status=FeedbackStatus.DONE.value if we_did else FeedbackStatus.OPEN.value,
            published=published,
            created_by_id=actor.person_id,
            created_at=moment,
        )
        session.add(entry)
        session.flush()
        assert entry.id is not None
        priority_id = priorities.get(number)
        if priority_id is not None:
            session.add(FeedbackPriority(feedback_id=entry.id, priority_id=priority_id))
        record_change(
            session,
            actor=actor,
            entity="feedback",
            entity_id=entry.id,
            entity_label=ref,
            field="said",
            old=None,
            new=said,
        )
        if approved:
            approve_feedback(
                session,
                actor,
                config=governance,
                feedback_id=entry.id,
                seen_version=entry.version,
                now=moment,
            )


def _publish_existing(
    session: Session,
    *,
    governance: GovernanceConfig,
    actor: Actor,
    entries: Sequence[Feedback],
    at: datetime,
) -> None:
    """With the demo's own "you said, we did" entries in place: publish the first three the
    partnership has acted on (approved) and one still in hand (left waiting for approval)."""
    done = [e for e in entries if e.status == FeedbackStatus.DONE.value and e.we_did][:3]
    waiting = [e for e in entries if e.status == FeedbackStatus.IN_PROGRESS.value][:1]
    for entry in (*done, *waiting):
        assert entry.id is not None
        entry.published = True
        session.add(entry)
        session.flush()
        record_change(
            session,
            actor=actor,
            entity="feedback",
            entity_id=entry.id,
            entity_label=entry.reference,
            field="published",
            old="no",
            new="yes",
        )
        if entry in done:
            approve_feedback(
                session,
                actor,
                config=governance,
                feedback_id=entry.id,
                seen_version=entry.version,
                now=at,
            )

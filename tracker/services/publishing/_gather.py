"""Gather the public site from the database: only what is meant for the public, as plain data.

One session, one pass: the priorities and their published actions (plain titles, statuses in
words, the latest public summary), the success measures with their public values and
comparators, the published "you said, we did" entries and the coming board meetings. Person
names and e-mail addresses are never read into the result.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from sqlmodel import Session, col, select

from tracker.errors import ConfigurationError
from tracker.formatting import MONTHS, format_long_date
from tracker.governance import GovernanceConfig, PublicContactConfig, PublishingConfig
from tracker.models import (
    Action,
    ActionUpdate,
    Feedback,
    FeedbackPriority,
    FeedbackStatus,
    GovernanceBody,
    MeasureUnit,
    MeasureValue,
    Meeting,
    Organisation,
    Priority,
    SuccessMeasure,
    Tier,
)
from tracker.rules import reference_sort_key
from tracker.rules.measures import direction_label, format_value, unit_label
from tracker.services.measures import ComparatorSet, latest_comparators
from tracker.services.publishing._model import (
    ContactRoute,
    PublicAction,
    PublicComparator,
    PublicFeedback,
    PublicMeasure,
    PublicMeeting,
    PublicPriority,
    PublicSite,
    PublicValue,
)
from tracker.services.publishing._rules import (
    COUNTED,
    Progress,
    describe_counts,
    is_feedback_public,
    is_summary_public,
    is_value_public,
    public_status,
)
from tracker.strategy import load_strategy

MEETINGS_AHEAD = timedelta(days=366)
FEEDBACK_STATUS_WORDS = {
    FeedbackStatus.OPEN.value: "We have heard this",
    FeedbackStatus.IN_PROGRESS.value: "We are acting on this",
    FeedbackStatus.DONE.value: "Done",
    FeedbackStatus.CLOSED.value: "Closed",
}


def month_year(day: date | None) -> str | None:
    return None if day is None else f"{MONTHS[day.month - 1]} {day.year}"


def day_month_year(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def publishing_config(config: GovernanceConfig) -> PublishingConfig:
    if config.publishing is None:
        raise ConfigurationError(
            "governance.yaml has no publishing: section: add one (site title, feedback route, "
            "accessibility contact) before publishing the site"
        )
    return config.publishing


def gather_public_site(session: Session, *, config: GovernanceConfig, today: date) -> PublicSite:
    """Everything the public site says, as of ``today``, from one session."""
    publishing = publishing_config(config)
    strategy = load_strategy()["strategy"]
    priorities = session.exec(select(Priority).order_by(col(Priority.number))).all()
    actions = _public_actions(session, publishing, today)
    in_plan = _actions_in_plan(session)
    measures = _public_measures(session, today)
    shown = []
    for priority in priorities:
        assert priority.id is not None
        mine = tuple(actions.get(priority.id, ()))
        counts: dict[Progress, int] = {p: 0 for p in COUNTED}
        for action in mine:
            if action.status.progress in counts:
                counts[action.status.progress] += 1
        shown.append(
            PublicPriority(
                number=priority.number,
                title=priority.title,
                short_title=priority.short_title or priority.title,
                ambition=priority.ambition,
                slug=f"priority-{priority.number}",
                actions_in_plan=in_plan.get(priority.id, 0),
                counts=counts,
                counts_sentence=describe_counts(counts),
                actions=mine,
                measures=tuple(measures.get(priority.id, ())),
            )
        )
    return PublicSite(
        title=publishing.site_title,
        partnership=config.partnership.name,
        run_by=publishing.run_by or config.partnership.name,
        strategy_title=str(strategy["title"]),
        vision=str(strategy["vision"]),
        correct_at=today,
        correct_at_words=day_month_year(today),
        priorities=tuple(shown),
        feedback=_public_feedback(session, publishing, priorities),
        meetings=_meetings(session, _body_keys(config, publishing), today),
        feedback_route=_route(publishing.feedback),
        accessibility_contact=_route(publishing.accessibility.contact),
        response_days=publishing.accessibility.response_days,
        statement_prepared=day_month_year(publishing.accessibility.prepared_on),
        statement_reviewed=(
            None
            if publishing.accessibility.reviewed_on is None
            else day_month_year(publishing.accessibility.reviewed_on)
        ),
    )


def _route(contact: PublicContactConfig) -> ContactRoute:
    return ContactRoute(
        url=contact.url,
        email=None if contact.email is None else str(contact.email),
        phone=contact.phone,
    )


def _actions_in_plan(session: Session) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for priority_id, status in session.exec(select(Action.priority_id, Action.status)).all():
        if status != "withdrawn":
            counts[priority_id] += 1
    return counts


def latest_public_updates(
    session: Session, action_ids: Iterable[int], publishing: PublishingConfig
) -> dict[int, ActionUpdate]:
    """Each action's newest update whose public summary may be shown (approved where asked)."""
    ids = list(action_ids)
    if not ids:
        return {}
    rows = session.exec(
        select(ActionUpdate)
        .where(col(ActionUpdate.action_id).in_(ids), col(ActionUpdate.public_summary).is_not(None))
        .order_by(col(ActionUpdate.created_at).desc(), col(ActionUpdate.id).desc())
    ).all()
    found: dict[int, ActionUpdate] = {}
    rule = publishing.approval.update_summaries
    for update in rows:
        if update.action_id not in found and is_summary_public(update, rule):
            found[update.action_id] = update
    return found


def _public_actions(
    session: Session, publishing: PublishingConfig, today: date
) -> dict[int, list[PublicAction]]:
    rows = session.exec(
        select(Action, Organisation.name)
        .outerjoin(Organisation, col(Organisation.id) == col(Action.lead_organisation_id))
        .where(col(Action.published), col(Action.public_title).is_not(None))
    ).all()
    rows = [(a, org) for a, org in rows if (a.public_title or "").strip()]
    updates = latest_public_updates(session, [a.id for a, _ in rows if a.id], publishing)
    found: dict[int, list[PublicAction]] = defaultdict(list)
    for action, organisation in sorted(rows, key=lambda r: reference_sort_key(r[0].reference)):
        assert action.id is not None
        update = updates.get(action.id)
        found[action.priority_id].append(
            PublicAction(
                reference=action.reference,
                title=(action.public_title or "").strip(),
                status=public_status(
                    status=action.status,
                    rag=action.rag,
                    due_date=action.due_date,
                    due_confirmed=action.planning_confirmed,
                    today=today,
                ),
                lead_organisation=organisation,
                due=month_year(action.due_date) if action.planning_confirmed else None,
                summary=None if update is None else (update.public_summary or "").strip(),
                summary_date=None if update is None else update.created_at.date(),
                impact=None if update is None else _impact_words(update.impact_rating),
            )
        )
    return found


def _impact_words(rating: str | None) -> str | None:
    if not rating:
        return None
    return rating.replace("_", " ").strip().capitalize() or None


def _public_measures(session: Session, today: date) -> dict[int, list[PublicMeasure]]:
    measures = session.exec(select(SuccessMeasure)).all()
    ids = [m.id for m in measures if m.id is not None]
    values: dict[int, list[MeasureValue]] = defaultdict(list)
    for value in session.exec(
        select(MeasureValue)
        .where(col(MeasureValue.measure_id).in_(ids), MeasureValue.period_end <= today)
        .order_by(col(MeasureValue.period_end))
    ).all():
        if is_value_public(value):
            values[value.measure_id].append(value)
    comparators = latest_comparators(session, ids, as_of=today)
    found: dict[int, list[PublicMeasure]] = defaultdict(list)
    for measure in sorted(measures, key=lambda m: reference_sort_key(m.reference)):
        assert measure.id is not None
        found[measure.priority_id].append(
            _measure(measure, values.get(measure.id, []), comparators.get(measure.id))
        )
    return found


def _measure(
    measure: SuccessMeasure, values: list[MeasureValue], comparators: ComparatorSet | None
) -> PublicMeasure:
    unit = measure.unit
    baseline = None
    if measure.baseline_value is not None:
        when = month_year(measure.baseline_date)
        baseline = format_value(measure.baseline_value, unit) + (f" ({when})" if when else "")
    target = None
    if measure.target_value is not None:
        when = month_year(measure.target_date)
        target = format_value(measure.target_value, unit) + (f" by {when}" if when else "")
    return PublicMeasure(
        reference=measure.reference,
        wording=measure.wording,
        unit_words="Described in words"
        if unit == MeasureUnit.NARRATIVE.value
        else unit_label(unit),
        direction_words=direction_label(measure.direction),
        baseline=baseline,
        target=target,
        data_source=measure.data_source,
        values=tuple(
            PublicValue(
                period=v.period_label or month_year(v.period_end) or "",
                period_end=v.period_end,
                value=float(v.value or 0),
                shown=format_value(v.value, unit),
            )
            for v in values
        ),
        comparators=()
        if comparators is None
        else tuple(
            PublicComparator(
                area=f.area_name,
                shown=format_value(f.value, unit)
                if f.value is not None
                else (f.missing_reason or "not published"),
            )
            for f in comparators.figures
        ),
        comparators_period=None if comparators is None else comparators.period_label,
        comparators_source=None if comparators is None else comparators.dataset,
    )


def _public_feedback(
    session: Session, publishing: PublishingConfig, priorities: Iterable[Priority]
) -> tuple[PublicFeedback, ...]:
    rule = publishing.approval.feedback
    entries = [
        e
        for e in session.exec(select(Feedback).where(col(Feedback.published))).all()
        if is_feedback_public(e, rule)
    ]
    names = {p.id: f"Priority {p.number}: {p.short_title or p.title}" for p in priorities}
    linked: dict[int, list[str]] = defaultdict(list)
    ids = [e.id for e in entries if e.id is not None]
    if ids:
        for link in session.exec(
            select(FeedbackPriority).where(col(FeedbackPriority.feedback_id).in_(ids))
        ).all():
            if link.priority_id in names:
                linked[link.feedback_id].append(names[link.priority_id])
    entries.sort(key=lambda e: (e.heard_on or e.created_at.date(), e.reference), reverse=True)
    return tuple(
        PublicFeedback(
            reference=e.reference,
            said=e.said.strip(),
            source=e.source.strip(),
            heard=month_year(e.heard_on),
            we_did=(e.we_did or "").strip() or None,
            impact=(e.impact or "").strip() or None,
            status_words=FEEDBACK_STATUS_WORDS.get(e.status, e.status.replace("_", " ")),
            priorities=tuple(sorted(linked.get(e.id or 0, []))),
        )
        for e in entries
    )


def _body_keys(config: GovernanceConfig, publishing: PublishingConfig) -> list[str]:
    bodies = (config.find_body(ref) for ref in publishing.meetings_of)
    return [body.key for body in bodies if body is not None]


def _meetings(session: Session, keys: list[str], today: date) -> tuple[PublicMeeting, ...]:
    query = (
        select(Meeting, GovernanceBody.name)
        .join(GovernanceBody, col(GovernanceBody.id) == col(Meeting.body_id))
        .where(
            col(GovernanceBody.active),
            col(Meeting.cancelled).is_(False),
            Meeting.meeting_date >= today,
            Meeting.meeting_date <= today + MEETINGS_AHEAD,
        )
    )
    if keys:
        query = query.where(col(GovernanceBody.key).in_(keys))
    else:
        query = query.where(GovernanceBody.tier == Tier.OVERSIGHT.value)
    rows = session.exec(query.order_by(col(Meeting.meeting_date), col(GovernanceBody.name))).all()
    return tuple(
        PublicMeeting(body=name, day=m.meeting_date, shown=format_long_date(m.meeting_date))
        for m, name in rows
    )

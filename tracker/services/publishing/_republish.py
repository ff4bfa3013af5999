"""When the scheduler republishes the site: the working day after each meeting of the body that
governance.yaml names (``publishing.republish_after_meetings_of``), once.

A meeting is "awaiting publication" when it has taken place (before today) and the last site
published was correct at a day no later than the meeting; a missed morning is caught up the
next one, and a site someone published by hand after the meeting counts.
"""

from __future__ import annotations

import re
from datetime import date

from sqlmodel import Session, col, select

from tracker.governance import GovernanceConfig
from tracker.models import AuditLog, GovernanceBody, Meeting

PUBLISHED = ("public_site", "published")
# publish_site's audit detail begins "9 pages correct at 2026-03-18; ...".
CORRECT_AT = re.compile(r"pages correct at (\d{4}-\d{2}-\d{2});")


def meeting_awaiting_publication(
    session: Session, *, config: GovernanceConfig, today: date
) -> date | None:
    """The last meeting of the republishing body before ``today``, if the site has not been
    published since it took place; None when there is nothing to do."""
    publishing = config.publishing
    if publishing is None or publishing.republish_after_meetings_of is None:
        return None
    body = config.find_body(publishing.republish_after_meetings_of)
    if body is None:
        return None
    meeting = session.exec(
        select(col(Meeting.meeting_date))
        .join(GovernanceBody, col(GovernanceBody.id) == col(Meeting.body_id))
        .where(
            GovernanceBody.key == body.key,
            col(Meeting.cancelled).is_(False),
            Meeting.meeting_date < today,
        )
        .order_by(col(Meeting.meeting_date).desc())
    ).first()
    if meeting is None:
        return None
    last = last_correct_at(session)
    if last is not None and last > meeting:
        return None
    return meeting


def last_correct_at(session: Session) -> date | None:
    """The day the last published site was correct at, as its audit row records it."""
    detail = session.exec(
        select(col(AuditLog.new))
        .where(AuditLog.entity == PUBLISHED[0], AuditLog.field == PUBLISHED[1])
        .order_by(col(AuditLog.id).desc())
    ).first()
    found = CORRECT_AT.search(detail or "")
    return None if found is None else date.fromisoformat(found.group(1))

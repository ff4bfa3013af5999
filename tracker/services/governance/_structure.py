"""The governance structure as people use it: each board's next meetings, and who leads what.

Meetings come from the ``meeting`` table that ``tracker init`` materialises from governance.yaml
(cancelled meetings left out), each with its paper deadline and the day the update window opens.
Workstreams come with their lead, the body they report to and how many open actions they hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from tracker.models import Action, GovernanceBody, Meeting, Person, Workstream
from tracker.rules import CLOSED_STATUSES


@dataclass(frozen=True)
class MeetingDates:
    meeting_date: date
    paper_deadline: date | None
    window_opens: date | None


@dataclass(frozen=True)
class BoardCalendar:
    body: str
    short_name: str | None
    chair: str | None
    secretary: str | None
    meetings: list[MeetingDates]


def list_board_calendars(
    session: Session, *, today: date, per_board: int = 3
) -> list[BoardCalendar]:
    """Every active body with meetings, and its next ``per_board`` meetings from today."""
    chair, secretary = aliased(Person), aliased(Person)
    # SQLModel's select takes at most four columns; SQLAlchemy's takes any number.
    bodies = session.execute(
        sa_select(
            col(GovernanceBody.id),
            col(GovernanceBody.name),
            col(GovernanceBody.short_name),
            col(chair.name),
            col(secretary.name),
        )
        .outerjoin(chair, col(chair.id) == col(GovernanceBody.chair_id))
        .outerjoin(secretary, col(secretary.id) == col(GovernanceBody.secretary_id))
        .where(col(GovernanceBody.active))
        .order_by(col(GovernanceBody.sort_order), col(GovernanceBody.name))
    ).all()
    calendars = []
    for body_id, name, short_name, chair_name, secretary_name in bodies:
        meetings = session.exec(
            select(Meeting)
            .where(
                Meeting.body_id == body_id,
                col(Meeting.meeting_date) >= today,
                col(Meeting.cancelled).is_(False),
            )
            .order_by(col(Meeting.meeting_date))
            .limit(per_board)
        ).all()
        if not meetings:
            continue
        calendars.append(
            BoardCalendar(
                body=name,
                short_name=short_name,
                chair=chair_name,
                secretary=secretary_name,
                meetings=[
                    MeetingDates(m.meeting_date, m.paper_deadline, m.window_opens) for m in meetings
                ],
            )
        )
    return calendars


@dataclass(frozen=True)
class WorkstreamLead:
    name: str
    lead: str | None
    lead_email: str | None
    lead_role: str | None
    reports_to: str | None
    open_actions: int


def list_workstream_leads(session: Session) -> list[WorkstreamLead]:
    lead = aliased(Person)
    open_counts = dict(
        session.exec(
            select(Action.workstream_id, func.count())
            .where(col(Action.status).not_in(CLOSED_STATUSES))
            .group_by(col(Action.workstream_id))
        ).all()
    )
    rows = session.exec(
        select(Workstream, lead.name, lead.email, GovernanceBody.name)
        .outerjoin(lead, col(lead.id) == col(Workstream.lead_id))
        .outerjoin(GovernanceBody, col(GovernanceBody.id) == col(Workstream.reports_to_id))
        .where(col(Workstream.active))
        .order_by(col(Workstream.sort_order), col(Workstream.name))
    ).all()
    return [
        WorkstreamLead(
            name=ws.name,
            lead=lead_name,
            lead_email=lead_email,
            lead_role=ws.lead_role,
            reports_to=body,
            open_actions=int(open_counts.get(ws.id, 0)),
        )
        for ws, lead_name, lead_email, body in rows
    ]

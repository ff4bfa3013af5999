"""The register's row types: one action as every list shows it, the filters, and cycle starts.

``ActionRow`` is an action as the register, the worklist, the overview, papers and exports read
it (plain frozen data with its derived flags); ``ActionFilter`` is what a screen or a command
can narrow the register by; ``CycleStarts`` says when each overseeing body's current update
cycle began, which "not updated this cycle" is counted from. They sit below the queries in
this package and below everything that uses those queries, so no module needs another's rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from tracker.models import GovernanceBody, Meeting
from tracker.rules import ActionFlags, collecting_body

DEFAULT_CYCLE_DAYS = 42
NO_CYCLE_YET = date(2000, 1, 1)  # earlier than any update the tracker can hold


@dataclass(frozen=True)
class ActionRow:
    id: int
    reference: str
    title: str
    priority_number: int
    priority_title: str
    workstream: str | None
    workstream_id: int | None
    owner: str | None
    owner_email: str | None
    owner_id: int | None
    lead_organisation: str | None
    body: str | None
    body_id: int | None
    start_date: date | None
    due_date: date | None
    status: str
    rag: str | None
    commentary: str | None
    path_to_green: str | None
    next_steps: str | None
    last_updated_at: datetime | None
    version: int
    # False while the seeded owner, lead organisation and dates await an administrator.
    planning_confirmed: bool
    # The newest impact rating any update reported (a key of governance.yaml's impact scale),
    # and what the action is expected to change for children, young people and families.
    impact_rating: str | None
    expected_impact: str | None
    flags: ActionFlags


@dataclass(frozen=True)
class ActionFilter:
    priority: int | None = None
    workstream_id: int | None = None
    body_id: int | None = None
    owner_id: int | None = None
    organisation_id: int | None = None
    rag: str | None = None  # a RAG code or "not_rated"
    impact: str | None = None  # an impact rating key, or "not_reported"
    status: str | None = None
    overdue: bool = False
    not_updated: bool = False
    search: str | None = None
    include_closed: bool = True
    references: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class CycleStarts:
    """Where the current update cycle began, per body, with the fallback for bodies without one."""

    by_body: dict[int, date]
    fallback: date

    def for_body(self, body_id: int | None) -> date:
        return self.by_body.get(body_id, self.fallback) if body_id is not None else self.fallback


def load_cycle_starts(
    session: Session, *, today: date, default_cycle_days: int = DEFAULT_CYCLE_DAYS
) -> CycleStarts:
    """Each body's current cycle start, and the fallback start for bodies without a calendar.

    A body without meetings of its own follows the nearest body up its reporting line that has
    them (the same board whose reminders its actions' owners receive); only when no body up the
    line meets does the fixed ``default_cycle_days`` fallback apply.
    """
    meeting_bodies = set(
        session.exec(select(Meeting.body_id).where(col(Meeting.cancelled).is_(False))).all()
    )
    rows = session.exec(
        select(Meeting.body_id, func.max(Meeting.window_opens))
        .where(col(Meeting.window_opens) <= today, col(Meeting.cancelled).is_(False))
        .group_by(col(Meeting.body_id))
    ).all()
    opened = {body_id: start for body_id, start in rows if start is not None}
    parents = {
        body_id: parent
        for body_id, parent in session.exec(
            select(GovernanceBody.id, GovernanceBody.reports_to_id)
        ).all()
        if body_id is not None
    }
    starts: dict[int, date] = {}
    for body_id in parents:
        board = collecting_body(body_id, parents=parents, meeting_bodies=meeting_bodies)
        if board is not None:
            # A board whose first window is still ahead has asked for no update yet: only an
            # action never updated at all counts as not updated.
            starts[body_id] = opened.get(board, NO_CYCLE_YET)
    return CycleStarts(by_body=starts, fallback=today - timedelta(days=default_cycle_days))

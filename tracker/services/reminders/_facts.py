"""What the reminder rules need to know, read from the database in one go.

``load_reminder_facts`` takes a snapshot of the plan (open and closed actions with their owner,
workstream and the board they report to), the people who can be written to, workstream leads,
board secretaries, executives and the update cycles around ``today``. It reads plain columns
with a handful of queries (no ORM objects), so planning reminders for ten thousand actions stays
well under a second. The rules in ``tracker.services.reminders`` are pure functions over it.

An action is reported to the nearest body up its reporting line that has a meeting calendar:
an action overseen by the Joint Commissioning Network (no meetings of its own) is updated for
the SEND Transformation Board it reports to. An action with no such body is in no update cycle.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property

from sqlalchemy import select
from sqlmodel import Session, col

from tracker.models import (
    Action,
    GovernanceBody,
    Meeting,
    Person,
    PersonRole,
    Risk,
    RiskStatus,
    Role,
    Workstream,
)
from tracker.rules import collecting_body, is_closed, reference_sort_key

# Cycles whose meeting is further back than this cannot have a rule still due: the latest a
# rule runs is 30 working days after a deadline (the governance file's upper bound).
_LOOKBACK_DAYS = 75


@dataclass(frozen=True)
class ActionFact:
    reference: str
    title: str
    status: str
    rag: str | None
    start_date: date | None
    due_date: date | None
    last_updated_at: datetime | None
    owner_id: int | None
    workstream_id: int | None
    board_id: int | None  # the body this action's updates are collected for, if any
    sort_key: tuple[int, ...]  # P2.10 after P2.9
    latest_commentary: str | None = None
    path_to_green: str | None = None
    planning_confirmed: bool = True  # False: the due date is "to confirm", so never overdue


@dataclass(frozen=True)
class RiskFact:
    """An open risk as the review reminder reads it."""

    id: int
    reference: str
    title: str
    likelihood: int
    impact: int
    next_review: date
    owner_id: int
    reminded_on: date | None  # the day its owner was last reminded to review it


@dataclass(frozen=True)
class PersonFact:
    id: int
    name: str
    email: str
    active: bool


@dataclass(frozen=True)
class WorkstreamFact:
    id: int
    name: str
    lead_id: int | None


@dataclass(frozen=True)
class BoardCycle:
    """One meeting of a board, with the dates its reminders are counted from."""

    board_id: int
    board_key: str
    board: str
    meeting: date
    paper_deadline: date
    window_opens: date


@dataclass(frozen=True)
class ReminderFacts:
    actions: tuple[ActionFact, ...]
    people: Mapping[int, PersonFact]
    workstreams: Mapping[int, WorkstreamFact]
    secretaries: Mapping[int, int]  # board id -> person id
    executives: tuple[int, ...]
    cycles: tuple[BoardCycle, ...]
    risks: tuple[RiskFact, ...] = ()  # the open risks, in reference order

    def person(self, person_id: int | None) -> PersonFact | None:
        return None if person_id is None else self.people.get(person_id)

    @cached_property
    def open_actions(self) -> tuple[ActionFact, ...]:
        """Actions not complete or withdrawn, in reference order."""
        return tuple(
            sorted((a for a in self.actions if not is_closed(a.status)), key=_by_reference)
        )

    @cached_property
    def open_by_board(self) -> Mapping[int, tuple[ActionFact, ...]]:
        """The open actions reported to each board, in reference order."""
        grouped: dict[int, list[ActionFact]] = defaultdict(list)
        for action in self.open_actions:
            if action.board_id is not None:
                grouped[action.board_id].append(action)
        return {board: tuple(actions) for board, actions in grouped.items()}


def _by_reference(action: ActionFact) -> tuple[int, ...]:
    return action.sort_key


def _resolve_boards(
    parents: Mapping[int, int | None], with_meetings: set[int]
) -> dict[int, int | None]:
    """Each body -> the board that collects its actions' updates (``rules.collecting_body``)."""
    return {
        body_id: collecting_body(body_id, parents=parents, meeting_bodies=with_meetings)
        for body_id in parents
    }


def _load_cycles(session: Session, *, today: date) -> tuple[set[int], tuple[BoardCycle, ...]]:
    boards_with_meetings = {
        int(body_id)
        for body_id in session.execute(
            select(col(Meeting.body_id)).where(col(Meeting.cancelled).is_(False)).distinct()
        ).scalars()
    }
    rows = session.execute(
        select(
            col(Meeting.body_id),
            col(GovernanceBody.key),
            col(GovernanceBody.name),
            col(Meeting.meeting_date),
            col(Meeting.paper_deadline),
            col(Meeting.window_opens),
        )
        .join(GovernanceBody, col(GovernanceBody.id) == col(Meeting.body_id))
        .where(
            col(Meeting.cancelled).is_(False),
            col(GovernanceBody.active).is_(True),
            col(Meeting.window_opens) <= today,
            col(Meeting.meeting_date) >= today - timedelta(days=_LOOKBACK_DAYS),
        )
        .order_by(col(Meeting.meeting_date), col(GovernanceBody.sort_order))
    ).all()
    cycles = tuple(
        BoardCycle(
            board_id=body_id,
            board_key=key,
            board=name,
            meeting=meeting,
            paper_deadline=deadline,
            window_opens=opens,
        )
        for body_id, key, name, meeting, deadline, opens in rows
        if deadline is not None and opens is not None
    )
    return boards_with_meetings, cycles


def _load_people(session: Session) -> tuple[dict[int, PersonFact], tuple[int, ...]]:
    people = {
        pid: PersonFact(id=pid, name=name, email=email, active=bool(active))
        for pid, name, email, active in session.execute(
            select(col(Person.id), col(Person.name), col(Person.email), col(Person.active))
        ).all()
    }
    executives = tuple(
        sorted(
            int(pid)
            for pid in session.execute(
                select(col(PersonRole.person_id)).where(
                    col(PersonRole.role) == Role.EXECUTIVE.value
                )
            ).scalars()
        )
    )
    return people, executives


def _load_risks(session: Session) -> tuple[RiskFact, ...]:
    rows = session.execute(
        select(
            col(Risk.id),
            col(Risk.reference),
            col(Risk.title),
            col(Risk.likelihood),
            col(Risk.impact),
            col(Risk.next_review),
            col(Risk.owner_id),
            col(Risk.review_reminded_on),
        ).where(col(Risk.status) == RiskStatus.OPEN.value)
    ).all()
    facts = (RiskFact(*row) for row in rows)
    return tuple(sorted(facts, key=lambda r: reference_sort_key(r.reference)))


def load_reminder_facts(session: Session, *, today: date) -> ReminderFacts:
    """A snapshot of everything the reminder rules read, for a run on ``today``."""
    boards_with_meetings, cycles = _load_cycles(session, today=today)
    bodies = session.execute(
        select(
            col(GovernanceBody.id),
            col(GovernanceBody.reports_to_id),
            col(GovernanceBody.secretary_id),
        )
    ).all()
    board_of = _resolve_boards({b: parent for b, parent, _ in bodies}, boards_with_meetings)
    people, executives = _load_people(session)
    workstreams = {
        wid: WorkstreamFact(id=wid, name=name, lead_id=lead_id)
        for wid, name, lead_id in session.execute(
            select(col(Workstream.id), col(Workstream.name), col(Workstream.lead_id))
        ).all()
    }
    rows = session.execute(
        select(
            col(Action.reference),
            col(Action.title),
            col(Action.status),
            col(Action.rag),
            col(Action.start_date),
            col(Action.due_date),
            col(Action.last_updated_at),
            col(Action.owner_id),
            col(Action.workstream_id),
            col(Action.body_id),
            col(Action.latest_commentary),
            col(Action.path_to_green),
            col(Action.planning_confirmed),
        )
    ).all()
    actions = tuple(
        ActionFact(
            reference=row.reference,
            title=row.title,
            status=row.status,
            rag=row.rag,
            start_date=row.start_date,
            due_date=row.due_date,
            last_updated_at=row.last_updated_at,
            owner_id=row.owner_id,
            workstream_id=row.workstream_id,
            board_id=None if row.body_id is None else board_of.get(row.body_id),
            sort_key=reference_sort_key(row.reference),
            latest_commentary=row.latest_commentary,
            path_to_green=row.path_to_green,
            planning_confirmed=row.planning_confirmed,
        )
        for row in rows
    )
    return ReminderFacts(
        actions=actions,
        people=people,
        workstreams=workstreams,
        secretaries={b: sid for b, _, sid in bodies if sid is not None},
        executives=executives,
        cycles=cycles,
        risks=_load_risks(session),
    )

"""Reading "you said, we did": the entries with their links, filtered, and the page's view model.

Everyone signed in reads the log (it is what the partnership tells families it did).
``list_feedback`` returns plain rows in reference order, newest heard first within a status
when asked; ``load_feedback_page`` gathers everything the page draws in one session: the
entries grouped by priority (an entry linked to two priorities is listed under each, one linked
to none under "Not linked to a priority"), the counts by status, and the choices its forms offer.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, func, or_
from sqlmodel import Session, col, select

from tracker.db import session_scope
from tracker.models import Action, Feedback, FeedbackAction, FeedbackPriority, Person, Priority
from tracker.permissions import Actor, Operation, require
from tracker.rules import priority_label
from tracker.services.feedback._records import STATUS_LABELS, FeedbackRow
from tracker.services.feedback._write import may_add_feedback, may_edit_feedback

NOT_LINKED = "Not linked to a priority"


@dataclass(frozen=True)
class FeedbackFilter:
    status: str | None = None
    priority: int | None = None  # a priority number
    action: str | None = None  # an action reference
    search: str | None = None  # in what was said, what was done, the impact or the source


def _ids_matching(session: Session, filters: FeedbackFilter) -> list[int]:
    query = select(Feedback.id)
    if filters.status:
        query = query.where(Feedback.status == filters.status)
    if filters.priority is not None:
        linked = (
            select(FeedbackPriority.feedback_id)
            .join(Priority, col(Priority.id) == col(FeedbackPriority.priority_id))
            .where(Priority.number == filters.priority)
        )
        via_action = (
            select(FeedbackAction.feedback_id)
            .join(Action, col(Action.id) == col(FeedbackAction.action_id))
            .join(Priority, col(Priority.id) == col(Action.priority_id))
            .where(Priority.number == filters.priority)
        )
        query = query.where(or_(col(Feedback.id).in_(linked), col(Feedback.id).in_(via_action)))
    if filters.action:
        linked_action = (
            select(FeedbackAction.feedback_id)
            .join(Action, col(Action.id) == col(FeedbackAction.action_id))
            .where(Action.reference == filters.action.strip().upper())
        )
        query = query.where(col(Feedback.id).in_(linked_action))
    if filters.search and filters.search.strip():
        needle = (
            "%"
            + filters.search.strip()
            .lower()
            .replace("\\", "\\\\")
            .replace("%", "\\%")
            .replace("_", "\\_")
            + "%"
        )
        query = query.where(
            or_(
                *(
                    func.lower(func.coalesce(column, "")).like(needle, escape="\\")
                    for column in (
                        col(Feedback.said),
                        col(Feedback.we_did),
                        col(Feedback.impact),
                        col(Feedback.source),
                        col(Feedback.reference),
                    )
                )
            )
        )
    return [i for i in session.exec(query).all() if i is not None]


def _sort_key(reference: str) -> tuple[int, str]:
    digits = "".join(ch for ch in reference if ch.isdigit())
    return (int(digits) if digits else 0, reference)


def list_feedback(
    session: Session, *, actor: Actor, filters: FeedbackFilter | None = None
) -> list[FeedbackRow]:
    """The entries matching ``filters``, in reference order (YS1, YS2 ... YS10)."""
    require(actor, Operation.VIEW_PROGRESS, what="'you said, we did'")
    ids = _ids_matching(session, filters or FeedbackFilter())
    return rows_for(session, ids)


def rows_for(session: Session, ids: list[int]) -> list[FeedbackRow]:
    """Rows for the entries ``ids`` with their links and names, in reference order."""
    if not ids:
        return []
    priorities: dict[int, list[int]] = defaultdict(list)
    for feedback_id, number in session.exec(
        select(FeedbackPriority.feedback_id, Priority.number)
        .join(Priority, col(Priority.id) == col(FeedbackPriority.priority_id))
        .where(col(FeedbackPriority.feedback_id).in_(ids))
    ).all():
        priorities[feedback_id].append(number)
    actions: dict[int, list[str]] = defaultdict(list)
    for feedback_id, reference in session.exec(
        select(FeedbackAction.feedback_id, Action.reference)
        .join(Action, col(Action.id) == col(FeedbackAction.action_id))
        .where(col(FeedbackAction.feedback_id).in_(ids))
    ).all():
        actions[feedback_id].append(reference)
    names = dict(session.exec(select(Person.id, Person.name)).all())
    rows = [
        FeedbackRow(
            id=entry.id or 0,
            reference=entry.reference,
            said=entry.said,
            source=entry.source,
            heard_on=entry.heard_on,
            we_did=entry.we_did,
            impact=entry.impact,
            status=entry.status,
            owner=names.get(entry.owner_id) if entry.owner_id else None,
            owner_id=entry.owner_id,
            priorities=tuple(sorted(priorities.get(entry.id or 0, []))),
            actions=tuple(sorted(actions.get(entry.id or 0, []), key=_action_key)),
            created_by=names.get(entry.created_by_id) if entry.created_by_id else None,
            created_at=entry.created_at,
            version=entry.version,
            published=entry.published,
        )
        for entry in session.exec(select(Feedback).where(col(Feedback.id).in_(ids))).all()
    ]
    return sorted(rows, key=lambda r: _sort_key(r.reference))


def _action_key(reference: str) -> tuple[int, ...]:
    return tuple(int(part) for part in reference.lstrip("Pp").split(".") if part.isdigit())


def entry_priorities(session: Session, row: FeedbackRow) -> set[int]:
    """The priorities an entry speaks to: those linked, and those of the actions linked."""
    numbers = set(row.priorities)
    if row.actions:
        numbers |= set(
            session.exec(
                select(Priority.number)
                .join(Action, col(Action.priority_id) == col(Priority.id))
                .where(col(Action.reference).in_(row.actions))
            ).all()
        )
    return numbers


def list_feedback_for_priorities(
    session: Session, *, priorities: set[int] | None
) -> list[FeedbackRow]:
    """Entries speaking to any of ``priorities`` (directly or through a linked action); every
    entry when ``priorities`` is None (a board that oversees the whole plan). For papers."""
    rows = rows_for(session, _ids_matching(session, FeedbackFilter()))
    if priorities is None:
        return rows
    return [row for row in rows if entry_priorities(session, row) & priorities]


@dataclass(frozen=True)
class FeedbackGroup:
    title: str  # "Priority 2: Meeting needs", or NOT_LINKED
    priority: int | None
    rows: tuple[FeedbackRow, ...]


@dataclass(frozen=True)
class Option:
    value: int | str
    label: str


@dataclass(frozen=True)
class FeedbackScreen:
    """The "You said, we did" page for one person."""

    groups: tuple[FeedbackGroup, ...]
    total: int
    by_status: tuple[tuple[str, int], ...]  # (status key, count), in the statuses' order
    may_add: bool
    editable: frozenset[str]  # references this person may edit
    priorities: tuple[Option, ...]
    actions: tuple[Option, ...]
    people: tuple[Option, ...]
    today: date


def load_feedback_page(
    engine: Engine, *, actor: Actor, today: date, filters: FeedbackFilter | None = None
) -> FeedbackScreen:
    with session_scope(engine) as session:
        rows = list_feedback(session, actor=actor, filters=filters)
        titles = {
            number: priority_label(number, title, short)
            for number, short, title in session.exec(
                select(Priority.number, Priority.short_title, Priority.title).order_by(
                    col(Priority.number)
                )
            ).all()
        }
        grouped: dict[int | None, list[FeedbackRow]] = defaultdict(list)
        for row in rows:
            numbers: list[int | None] = list(sorted(entry_priorities(session, row)))
            for number in numbers or [None]:
                grouped[number].append(row)
        groups = [
            FeedbackGroup(titles.get(n, f"Priority {n}"), n, tuple(grouped[n]))
            for n in sorted(k for k in grouped if k is not None)
        ]
        if None in grouped:
            groups.append(FeedbackGroup(NOT_LINKED, None, tuple(grouped[None])))
        counts = {key: 0 for key in STATUS_LABELS}
        for row in rows:
            counts[row.status] = counts.get(row.status, 0) + 1
        entries = {
            e.reference: e
            for e in session.exec(
                select(Feedback).where(col(Feedback.id).in_([r.id for r in rows]))
            ).all()
        }
        actions = session.exec(
            select(Action.reference, Action.title, Priority.number, Action.sort_key)
            .join(Priority, col(Priority.id) == col(Action.priority_id))
            .where(Action.status != "withdrawn")
            .order_by(col(Priority.number), col(Action.sort_key), col(Action.reference))
        ).all()
        people = session.exec(
            select(Person.id, Person.name, Person.email)
            .where(col(Person.active).is_(True))
            .order_by(col(Person.name))
        ).all()
        return FeedbackScreen(
            groups=tuple(groups),
            total=len(rows),
            by_status=tuple(counts.items()),
            may_add=may_add_feedback(session, actor),
            editable=frozenset(ref for ref, e in entries.items() if may_edit_feedback(actor, e)),
            priorities=tuple(Option(n, t) for n, t in titles.items()),
            actions=tuple(Option(ref, f"{ref}: {title}") for ref, title, _, _ in actions),
            people=tuple(
                Option(person_id or 0, f"{name} ({email})") for person_id, name, email in people
            ),
            today=today,
        )

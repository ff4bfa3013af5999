"""The action register as pages of rows: every filter applied in SQL, one page fetched at a time.

``list_actions`` loads every matching action and derives its flags in Python, which is right
for a paper or an export. A screen shows fifty rows at a time, so ``list_register_page`` asks
the database for exactly those rows and for the total: the overdue and "not updated
this cycle" filters become SQL conditions (each body's current cycle start as a ``CASE`` on the
action's body), so a partnership with ten thousand actions pages as fast as one with forty.
Rows are the same ``ActionRow`` dataclass (``_rows``), with flags derived by the same pure
rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from tracker.models import (
    Action,
    ActionUpdate,
    GovernanceBody,
    Organisation,
    Person,
    Priority,
    UTCDateTime,
    Workstream,
)
from tracker.rules import CLOSED_STATUSES, derive_flags
from tracker.services.register._rows import (
    DEFAULT_CYCLE_DAYS,
    ActionFilter,
    ActionRow,
    CycleStarts,
    load_cycle_starts,
)

RegisterOrder = Literal["reference", "due", "overdue", "updated", "rag"]
_Owner = aliased(Person)


@dataclass(frozen=True)
class RegisterPage:
    rows: list[ActionRow]
    total: int
    offset: int
    limit: int

    @property
    def pages(self) -> int:
        return max((self.total + self.limit - 1) // self.limit, 1)


def search_condition(search: str) -> Any:
    """Actions whose reference, title or latest commentary contain ``search`` (any case).

    ``%`` and ``_`` typed by a user are matched literally, not as SQL wildcards.
    """
    escaped = search.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    needle = f"%{escaped}%"
    return or_(
        func.lower(col(Action.reference)).like(needle, escape="\\"),
        func.lower(col(Action.title)).like(needle, escape="\\"),
        func.lower(func.coalesce(col(Action.latest_commentary), "")).like(needle, escape="\\"),
    )


def _midnight(day: date) -> Any:
    return literal(datetime.combine(day, time(), tzinfo=UTC), UTCDateTime())


def not_updated_condition(starts: CycleStarts) -> ColumnElement[bool]:
    """SQL for ``rules.is_not_updated``: open, and no update since its body's cycle began."""
    if starts.by_body:
        cycle_start: Any = case(
            {body: _midnight(day) for body, day in starts.by_body.items()},
            value=col(Action.body_id),
            else_=_midnight(starts.fallback),
        )
    else:
        cycle_start = _midnight(starts.fallback)
    return and_(
        col(Action.status).not_in(CLOSED_STATUSES),
        or_(col(Action.last_updated_at).is_(None), col(Action.last_updated_at) < cycle_start),
    )


def overdue_condition(today: date) -> ColumnElement[bool]:
    """SQL for ``rules.days_overdue(...) is not None``."""
    return and_(
        col(Action.due_date) < today,
        col(Action.planning_confirmed).is_(True),
        col(Action.status).not_in(CLOSED_STATUSES),
    )


def latest_impact_column() -> Any:
    """SQL for an action's latest impact: the rating of its newest update that reported one."""
    return (
        select(col(ActionUpdate.impact_rating))
        .where(
            col(ActionUpdate.action_id) == col(Action.id),
            col(ActionUpdate.impact_rating).is_not(None),
        )
        .order_by(col(ActionUpdate.created_at).desc(), col(ActionUpdate.id).desc())
        .limit(1)
        .correlate(Action)
        .scalar_subquery()
    )


def _base_query() -> Select[Any]:
    return (
        select(
            # Labelled with ActionRow's field names, in its order (see _to_row).
            col(Action.id).label("id"),
            col(Action.reference).label("reference"),
            col(Action.title).label("title"),
            col(Priority.number).label("priority_number"),
            col(Priority.title).label("priority_title"),
            col(Workstream.name).label("workstream"),
            col(Action.workstream_id).label("workstream_id"),
            col(_Owner.name).label("owner"),
            col(_Owner.email).label("owner_email"),
            col(Action.owner_id).label("owner_id"),
            func.coalesce(col(Organisation.short_name), col(Organisation.name)).label(
                "lead_organisation"
            ),
            col(GovernanceBody.name).label("body"),
            col(Action.body_id).label("body_id"),
            col(Action.start_date).label("start_date"),
            col(Action.due_date).label("due_date"),
            col(Action.status).label("status"),
            col(Action.rag).label("rag"),
            col(Action.latest_commentary).label("commentary"),
            col(Action.path_to_green).label("path_to_green"),
            col(Action.next_steps).label("next_steps"),
            col(Action.last_updated_at).label("last_updated_at"),
            col(Action.version).label("version"),
            col(Action.planning_confirmed).label("planning_confirmed"),
            latest_impact_column().label("impact_rating"),
            col(Action.expected_impact).label("expected_impact"),
        )
        .join(Priority, col(Priority.id) == col(Action.priority_id))
        .outerjoin(Workstream, col(Workstream.id) == col(Action.workstream_id))
        .outerjoin(_Owner, col(_Owner.id) == col(Action.owner_id))
        .outerjoin(Organisation, col(Organisation.id) == col(Action.lead_organisation_id))
        .outerjoin(GovernanceBody, col(GovernanceBody.id) == col(Action.body_id))
    )


def filter_conditions(
    filters: ActionFilter, *, today: date, starts: CycleStarts
) -> list[ColumnElement[bool]]:
    """Every condition ``filters`` asks for, as SQL on the register's joined tables."""
    where: list[ColumnElement[bool]] = []
    exact = (
        (filters.priority, col(Priority.number)),
        (filters.workstream_id, col(Action.workstream_id)),
        (filters.body_id, col(Action.body_id)),
        (filters.owner_id, col(Action.owner_id)),
        (filters.organisation_id, col(Action.lead_organisation_id)),
        (filters.status or None, col(Action.status)),
    )
    where += [column == value for value, column in exact if value is not None]
    if filters.rag == "not_rated":
        where.append(col(Action.rag).is_(None))
    elif filters.rag:
        where.append(col(Action.rag) == filters.rag)
    if filters.impact == "not_reported":
        where.append(latest_impact_column().is_(None))
    elif filters.impact:
        where.append(latest_impact_column() == filters.impact)
    if not filters.include_closed:
        where.append(col(Action.status).not_in(CLOSED_STATUSES))
    if filters.overdue:
        where.append(overdue_condition(today))
    if filters.not_updated:
        where.append(not_updated_condition(starts))
    if filters.references:
        where.append(col(Action.reference).in_(filters.references))
    if filters.search and filters.search.strip():
        where.append(search_condition(filters.search))
    return where


def _ordering(order: RegisterOrder) -> list[Any]:
    by_reference = [col(Priority.number), col(Action.sort_key), col(Action.reference)]
    if order == "due":
        return [col(Action.due_date).is_(None), col(Action.due_date), *by_reference]
    if order == "overdue":
        # Longest overdue first: the earliest due date among open actions.
        open_first = case((col(Action.status).in_(CLOSED_STATUSES), 1), else_=0)
        return [open_first, col(Action.due_date).is_(None), col(Action.due_date), *by_reference]
    if order == "updated":
        # Never updated first, then the longest since an update.
        return [
            col(Action.last_updated_at).is_not(None),
            col(Action.last_updated_at),
            *by_reference,
        ]
    if order == "rag":
        severity = case(
            {"red": 0, "amber": 1, "green": 2, "blue": 3}, value=col(Action.rag), else_=4
        )
        return [severity, *by_reference]
    return by_reference


def _to_row(values: Any, *, today: date, starts: CycleStarts) -> ActionRow:
    # The query's columns are in ActionRow's field order, so the row is built positionally:
    # at 10,000 rows, unpacking into keywords costs more than the query itself.
    flags = derive_flags(
        rag=values.rag,
        status=values.status,
        due_date=values.due_date,
        last_updated=values.last_updated_at,
        cycle_start=starts.for_body(values.body_id),
        today=today,
        due_confirmed=values.planning_confirmed,
    )
    fields: tuple[Any, ...] = (*values, flags)
    return ActionRow(*fields)


def fetch_rows(
    session: Session,
    *,
    today: date,
    starts: CycleStarts,
    where: list[ColumnElement[bool]],
    order: RegisterOrder = "reference",
    offset: int = 0,
    limit: int | None = None,
) -> list[ActionRow]:
    """Rows matching ``where`` (conditions from this module), in ``order``, one slice of them."""
    query = _base_query().where(*where).order_by(*_ordering(order)).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [_to_row(values, today=today, starts=starts) for values in session.execute(query)]


def count_rows(session: Session, *, where: list[ColumnElement[bool]]) -> int:
    query = (
        select(func.count())
        .select_from(Action)
        .join(Priority, col(Priority.id) == col(Action.priority_id))
        .where(*where)
    )
    return int(session.execute(query).scalar_one())


def list_register_page(
    session: Session,
    *,
    today: date,
    filters: ActionFilter,
    order: RegisterOrder = "reference",
    offset: int = 0,
    limit: int = 50,
    default_cycle_days: int = DEFAULT_CYCLE_DAYS,
) -> RegisterPage:
    """One page of the filtered register and the number of actions matching in all."""
    starts = load_cycle_starts(session, today=today, default_cycle_days=default_cycle_days)
    where = filter_conditions(filters, today=today, starts=starts)
    total = count_rows(session, where=where)
    offset = min(max(offset, 0), max(total - 1, 0) // limit * limit)
    rows = fetch_rows(
        session, today=today, starts=starts, where=where, order=order, offset=offset, limit=limit
    )
    return RegisterPage(rows=rows, total=total, offset=offset, limit=limit)


def list_actions(
    session: Session,
    *,
    today: date,
    filters: ActionFilter | None = None,
    default_cycle_days: int = DEFAULT_CYCLE_DAYS,
) -> list[ActionRow]:
    """The whole register, filtered, in reference order, each row with its derived flags."""
    starts = load_cycle_starts(session, today=today, default_cycle_days=default_cycle_days)
    where = filter_conditions(filters or ActionFilter(), today=today, starts=starts)
    return fetch_rows(session, today=today, starts=starts, where=where)


def list_overdue_actions(session: Session, *, today: date) -> list[ActionRow]:
    """Open actions past their due date, most days overdue first."""
    rows = list_actions(session, today=today, filters=ActionFilter(overdue=True))
    return sorted(rows, key=lambda r: (-(r.flags.days_overdue or 0), r.reference))


def list_not_updated_actions(
    session: Session, *, today: date, default_cycle_days: int = DEFAULT_CYCLE_DAYS
) -> list[ActionRow]:
    return list_actions(
        session,
        today=today,
        filters=ActionFilter(not_updated=True),
        default_cycle_days=default_cycle_days,
    )

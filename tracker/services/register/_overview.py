"""What the executive overview shows: headline figures, exceptions and the trend over time.

Headline figures are SQL aggregates (counting ten thousand actions costs one query, not ten
thousand rows). The exception lists are the worst first and capped, with their full length, so
the page can say "12 of 340 shown" and link to the register for the rest. The RAG trend is
derived from the update history alone: an action's rating at a month end is the rating of its
last update on or before that day, "Not rated" until its first. It is computed from the changes
between consecutive updates (a window function) and summed month by month, so the database does
the work in one pass over the history.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlmodel import Session, col

from tracker.models import Action, ActionStatus, ActionUpdate, Rag
from tracker.rules import CLOSED_STATUSES, ON_TRACK_RATINGS, OnTrack
from tracker.services.register._paging import (
    fetch_rows,
    latest_impact_column,
    not_updated_condition,
    overdue_condition,
)
from tracker.services.register._rows import (
    DEFAULT_CYCLE_DAYS,
    ActionRow,
    CycleStarts,
    load_cycle_starts,
)

TREND_KEYS = ("blue", "green", "amber", "red", "not_rated")
_WITHDRAWN = ActionStatus.WITHDRAWN.value


@dataclass(frozen=True)
class Headline:
    """The five numbers at the top of the overview (withdrawn actions are not counted)."""

    actions: int
    rated: int
    on_track: int  # rated Green or Blue
    overdue: int
    not_updated: int
    red: int

    @property
    def on_track_share(self) -> OnTrack:
        return OnTrack(on_track=self.on_track, rated=self.rated)


def summarise_headline(
    session: Session,
    *,
    today: date,
    default_cycle_days: int = DEFAULT_CYCLE_DAYS,
    starts: CycleStarts | None = None,
) -> Headline:
    starts = starts or load_cycle_starts(
        session, today=today, default_cycle_days=default_cycle_days
    )

    def total(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    rag = col(Action.rag)
    query = select(
        func.count(),
        total(rag.is_not(None)),
        total(rag.in_(sorted(ON_TRACK_RATINGS))),
        total(overdue_condition(today)),
        total(not_updated_condition(starts)),
        total(rag == Rag.RED.value),
    ).where(col(Action.status) != _WITHDRAWN)
    actions, rated, on_track, overdue, not_updated, red = session.execute(query).one()
    return Headline(
        actions=int(actions),
        rated=int(rated),
        on_track=int(on_track),
        overdue=int(overdue),
        not_updated=int(not_updated),
        red=int(red),
    )


@dataclass(frozen=True)
class Exceptions:
    """The first ``len(rows)`` of ``total`` actions in an exception list."""

    rows: list[ActionRow]
    total: int


def list_overdue_exceptions(
    session: Session,
    *,
    today: date,
    limit: int = 25,
    default_cycle_days: int = DEFAULT_CYCLE_DAYS,
    starts: CycleStarts | None = None,
) -> Exceptions:
    """Open actions past their due date, most days overdue first."""
    starts = starts or load_cycle_starts(
        session, today=today, default_cycle_days=default_cycle_days
    )
    where = [overdue_condition(today)]
    rows = fetch_rows(
        session, today=today, starts=starts, where=where, order="overdue", limit=limit
    )
    return Exceptions(rows=rows, total=_count(session, where))


def list_red_exceptions(
    session: Session,
    *,
    today: date,
    limit: int = 25,
    default_cycle_days: int = DEFAULT_CYCLE_DAYS,
    starts: CycleStarts | None = None,
) -> Exceptions:
    """Open actions rated Red, the longest overdue first, then in reference order."""
    starts = starts or load_cycle_starts(
        session, today=today, default_cycle_days=default_cycle_days
    )
    where = [col(Action.rag) == Rag.RED.value, col(Action.status).not_in(CLOSED_STATUSES)]
    rows = fetch_rows(
        session, today=today, starts=starts, where=where, order="overdue", limit=limit
    )
    return Exceptions(rows=rows, total=_count(session, where))


def delivered_without_impact_condition(evident: tuple[str, ...]) -> Any:
    """SQL for "delivered but no impact evident yet": complete (or rated Blue), not
    withdrawn, and its latest impact rating none of the ``evident`` ones (or none at all)."""
    latest = latest_impact_column()
    return (
        or_(col(Action.status) == ActionStatus.COMPLETE.value, col(Action.rag) == Rag.BLUE.value)
        & (col(Action.status) != _WITHDRAWN)
        & or_(latest.is_(None), latest.not_in(evident) if evident else latest.is_not(None))
    )


def list_impact_exceptions(
    session: Session,
    *,
    today: date,
    evident: tuple[str, ...],
    limit: int = 25,
    default_cycle_days: int = DEFAULT_CYCLE_DAYS,
    starts: CycleStarts | None = None,
) -> Exceptions:
    """Actions delivered (complete, or Blue) whose latest impact rating is not an evident one
    (``evident``: the keys of governance.yaml's impact ratings that count), in reference
    order: delivery a board should ask about, since families judge the plan on its impact."""
    starts = starts or load_cycle_starts(
        session, today=today, default_cycle_days=default_cycle_days
    )
    where = [delivered_without_impact_condition(evident)]
    rows = fetch_rows(session, today=today, starts=starts, where=where, limit=limit)
    return Exceptions(rows=rows, total=_count(session, where))


def _count(session: Session, where: list[Any]) -> int:
    return int(session.execute(select(func.count()).select_from(Action).where(*where)).scalar_one())


# --- RAG over time ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    """How many actions held each rating at the end of ``month_end``."""

    month_end: date
    counts: dict[str, int]


def month_ends(*, today: date, months: int) -> list[date]:
    """The last day of each of the last ``months`` months; for the current month, today."""
    ends: list[date] = []
    year, month = today.year, today.month
    for _ in range(months):
        first_next = date(year + month // 12, month % 12 + 1, 1)
        ends.append(min(first_next - timedelta(days=1), today))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return sorted(ends)


def _month_key(session: Session, column: Any) -> Any:
    """``YYYY-MM`` of a UTC timestamp column, in the database's own dialect."""
    if session.get_bind().dialect.name == "sqlite":
        # SQLite stores these as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC.
        return func.substr(column, 1, 7)
    return func.to_char(func.timezone("UTC", column), "YYYY-MM")


def _rating(update_rag: Any, update_status: Any) -> Any:
    return case(
        (update_status == _WITHDRAWN, _WITHDRAWN), else_=func.coalesce(update_rag, "not_rated")
    )


def _changes_by_month(session: Session, *, until: datetime) -> dict[str, Counter[str]]:
    """Per month: +1 for each rating an action moved to, -1 for the rating it moved from."""
    rating = _rating(col(ActionUpdate.rag), col(ActionUpdate.status))
    ordered = (
        select(
            _month_key(session, col(ActionUpdate.created_at)).label("month"),
            rating.label("rating"),
            func.lag(rating)
            .over(
                partition_by=col(ActionUpdate.action_id),
                order_by=(col(ActionUpdate.created_at), col(ActionUpdate.id)),
            )
            .label("before"),
        )
        .where(col(ActionUpdate.created_at) <= until)
        .subquery()
    )
    query = (
        select(ordered.c.month, ordered.c.rating, ordered.c.before, func.count())
        .where((ordered.c.before.is_(None)) | (ordered.c.before != ordered.c.rating))
        .group_by(ordered.c.month, ordered.c.rating, ordered.c.before)
    )
    changes: dict[str, Counter[str]] = {}
    for month, rating_now, before, count in session.execute(query):
        counter = changes.setdefault(month, Counter())
        counter[rating_now] += count
        counter[before or "not_rated"] -= count
    return changes


def _actions_by_month(session: Session, *, until: datetime) -> dict[str, int]:
    month = _month_key(session, col(Action.created_at))
    query = select(month, func.count()).where(col(Action.created_at) <= until).group_by(month)
    return {m: int(n) for m, n in session.execute(query)}


def history_version(session: Session) -> tuple[int, int, int]:
    """Changes whenever the history the trend is drawn from changes (it only ever grows).

    The newest update's id, the number of actions and the newest action's id: three index
    look-ups, cheap enough to ask on every page load before deciding to recompute the trend.
    """
    newest_update = session.execute(select(func.max(col(ActionUpdate.id)))).scalar_one()
    actions, newest_action = session.execute(
        select(func.count(), func.max(col(Action.id))).select_from(Action)
    ).one()
    return int(newest_update or 0), int(actions), int(newest_action or 0)


def track_rag_over_time(
    session: Session, *, today: date, months: int = 24, from_first_update: bool = False
) -> list[TrendPoint]:
    """Each month end's count of actions by rating, withdrawn actions left out.

    ``from_first_update`` starts the trend at the month of the first update (or, before any,
    the first month any action existed) rather than ``months`` back: a chart of a young plan
    is not a long row of empty or all-grey months. The current month is always kept."""
    until = datetime.combine(today, time.max, tzinfo=UTC)
    changes = _changes_by_month(session, until=until)
    created = _actions_by_month(session, until=until)
    points: list[TrendPoint] = []
    running: Counter[str] = Counter()
    keys = sorted(set(changes) | set(created))
    ends = month_ends(today=today, months=months)
    position = 0
    for end in ends:
        label = end.strftime("%Y-%m")
        while position < len(keys) and keys[position] <= label:
            key = keys[position]
            running["not_rated"] += created.get(key, 0)
            running.update(changes.get(key, Counter()))
            position += 1
        points.append(
            TrendPoint(month_end=end, counts={k: max(running.get(k, 0), 0) for k in TREND_KEYS})
        )
    if from_first_update:
        start = min(changes) if changes else min(created, default=None)
        if start is not None:
            points = [p for p in points if p.month_end.strftime("%Y-%m") >= start] or points[-1:]
    return points

"""What a paper's charts plot over time: rating counts at the board's recent meetings and each
success measure's reported values.

The rating counts at an earlier meeting come from the board's stored paper for it (the newest
version's summary: what the board was actually told), and where none was stored, from the
update history replayed to that meeting's paper deadline (``history.py``), counting the same
actions the paper covers. The current paper's own counts close the series.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlmodel import Session, col, select

from tracker.models import ActionStatus, MeasureValue, StoredPaper
from tracker.papers.boards import BoardMeeting
from tracker.papers.history import deadline_cutoff, read_states
from tracker.papers.model import NOT_RATED, MeasurePoint, RagHistoryPoint, SummaryRow

HISTORY_MEETINGS = 5  # earlier meetings shown beside the current one
MEASURE_POINTS = 8  # latest values per measure trend


def read_rag_history(
    session: Session,
    *,
    body_id: int,
    meetings: Sequence[BoardMeeting],
    meeting: BoardMeeting,
    action_ids: Iterable[int],
    summary_rows: Sequence[SummaryRow],
    timezone: str,
    now: datetime,
) -> tuple[RagHistoryPoint, ...]:
    """Counts at up to ``HISTORY_MEETINGS`` meetings before ``meeting`` and at ``meeting``."""
    earlier = [
        m
        for m in meetings
        if m.meeting_date < meeting.meeting_date
        and deadline_cutoff(m.paper_deadline, timezone) <= now
    ][-HISTORY_MEETINGS:]
    stored = _stored_counts(session, body_id, [m.meeting_date for m in earlier])
    ids = list(action_ids)
    points = []
    for past in earlier:
        counts = stored.get(past.meeting_date)
        if counts is None:
            cutoff = deadline_cutoff(past.paper_deadline, timezone)
            states = read_states(session, action_ids=ids, cutoff=cutoff, now=now)
            counts = Counter(
                state.rag or NOT_RATED
                for state in states.values()
                if state.status != ActionStatus.WITHDRAWN.value
            )
        points.append(RagHistoryPoint(past.meeting_date, _ordered(counts)))
    current: Counter[str] = Counter()
    for row in summary_rows:
        for code, number in row.counts:
            current[code] += number
    points.append(RagHistoryPoint(meeting.meeting_date, _ordered(current)))
    return tuple(points)


def _ordered(counts: dict[str, int] | Counter[str]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted((code, int(n)) for code, n in counts.items() if n))


def _stored_counts(
    session: Session, body_id: int, meeting_dates: list[date]
) -> dict[date, dict[str, int]]:
    """The counts the newest stored paper for each meeting reported."""
    if not meeting_dates:
        return {}
    rows = session.exec(
        select(col(StoredPaper.meeting_date), col(StoredPaper.summary))
        .where(StoredPaper.body_id == body_id, col(StoredPaper.meeting_date).in_(meeting_dates))
        .order_by(col(StoredPaper.meeting_date), col(StoredPaper.version))
    ).all()
    found: dict[date, dict[str, int]] = {}
    for meeting_date, summary in rows:
        counts = summary.get("counts")
        if isinstance(counts, dict):
            found[meeting_date] = {str(k): int(v) for k, v in counts.items()}
    return found


def read_measure_series(
    session: Session, *, measure_ids: Iterable[int], as_of: date
) -> dict[int, tuple[MeasurePoint, ...]]:
    """Each measure's latest ``MEASURE_POINTS`` values for periods ending by ``as_of``."""
    ids = list(measure_ids)
    if not ids:
        return {}
    rows = session.exec(
        select(MeasureValue)
        .where(
            col(MeasureValue.measure_id).in_(ids),
            col(MeasureValue.period_end) <= as_of,
            col(MeasureValue.value).is_not(None),
        )
        .order_by(col(MeasureValue.measure_id), col(MeasureValue.period_end))
    ).all()
    series: dict[int, list[MeasurePoint]] = {}
    for row in rows:
        if row.value is not None:
            series.setdefault(row.measure_id, []).append(
                MeasurePoint(
                    row.period_end,
                    row.value,
                    row.period_label or "",
                    provisional=row.status != "final",
                )
            )
    return {key: tuple(points[-MEASURE_POINTS:]) for key, points in series.items()}

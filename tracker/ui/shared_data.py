"""Partnership-wide figures that every viewer sees alike, cached by the version of their data.

The RAG trend is computed from the whole update history (one pass of a window function over
every update), which at 200,000 updates costs a few hundred milliseconds. It is the same for
every person allowed to see the overview (no per-person filtering applies to it), so it is kept
with ``st.cache_data`` under a key that includes the history's version: the newest update's id
and the number of actions. A new update or action changes the key, so nobody ever sees a stale
trend; the time limit only bounds memory. Nothing personal is cached here.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from tracker.db import session_scope
from tracker.services.register import TrendPoint, history_version, track_rag_over_time
from tracker.ui.context import engine, settings

TREND_TTL_SECONDS = 600


@st.cache_data(ttl=TREND_TTL_SECONDS, max_entries=64, show_spinner=False)
def _trend(
    database_url: str, version: tuple[int, int, int], today: date, months: int
) -> list[TrendPoint]:
    with session_scope(engine()) as session:
        return track_rag_over_time(session, today=today, months=months, from_first_update=True)


def load_rag_trend(*, today: date, months: int) -> list[TrendPoint]:
    """The RAG trend for the overview, recomputed only when the history has changed."""
    with session_scope(engine()) as session:
        version = history_version(session)
    return _trend(settings().database_url, version, today, months)

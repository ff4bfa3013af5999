"""The executive overview's figures in one call: ``load_overview`` reads them in one session.

The page asks once per rerun and gets a frozen value: the headline, the overdue and Red
exception lists (worst first, capped, with their full lengths) and the RAG counts by priority
and by workstream. Each part is a handful of aggregate queries, so the cost does not grow with
the number of actions (tests/ui/test_overview_cost.py caps the queries of a rerun).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine

from tracker.db import session_scope
from tracker.services.register._overview import (
    Exceptions,
    Headline,
    list_overdue_exceptions,
    list_red_exceptions,
    summarise_headline,
)
from tracker.services.register._queries import RagSummary, summarise_rag
from tracker.services.register._rows import DEFAULT_CYCLE_DAYS

OVERVIEW_LIMIT = 25  # rows of each exception list shown; the rest are a click away


@dataclass(frozen=True)
class Overview:
    """Everything the overview draws from the register, as at ``today``."""

    today: date
    headline: Headline
    overdue: Exceptions
    red: Exceptions
    by_priority: tuple[RagSummary, ...]
    by_workstream: tuple[RagSummary, ...]


def load_overview(
    engine: Engine,
    *,
    today: date,
    default_cycle_days: int = DEFAULT_CYCLE_DAYS,
    limit: int = OVERVIEW_LIMIT,
) -> Overview:
    """The overview's register figures, read together in one session."""
    with session_scope(engine) as session:
        return Overview(
            today=today,
            headline=summarise_headline(
                session, today=today, default_cycle_days=default_cycle_days
            ),
            overdue=list_overdue_exceptions(
                session, today=today, limit=limit, default_cycle_days=default_cycle_days
            ),
            red=list_red_exceptions(
                session, today=today, limit=limit, default_cycle_days=default_cycle_days
            ),
            by_priority=tuple(summarise_rag(session, by="priority")),
            by_workstream=tuple(summarise_rag(session, by="workstream")),
        )

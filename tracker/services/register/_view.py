"""The executive overview's figures in one call: ``load_overview`` reads them in one session.

The page asks once per rerun and gets a frozen value: the headline, the overdue and Red
exception lists (worst first, capped, with their full lengths), the RAG counts by priority
and by workstream, and the risks in the top band or past review. Each part is a handful of
aggregate queries, so the cost does not grow with the number of actions
(tests/ui/test_overview_cost.py caps the queries of a rerun).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine

from tracker.db import session_scope
from tracker.governance import ImpactConfig, RiskScaleConfig
from tracker.permissions import Actor, Operation, can
from tracker.rules.risks import top_band
from tracker.services.register._overview import (
    Exceptions,
    Headline,
    list_impact_exceptions,
    list_overdue_exceptions,
    list_red_exceptions,
    summarise_headline,
)
from tracker.services.register._queries import RagSummary, summarise_rag
from tracker.services.register._rows import DEFAULT_CYCLE_DAYS, load_cycle_starts
from tracker.services.risks import RiskRow, list_risks

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
    # Open risks in the top band or past their review date, highest score first (as the
    # person may see them); empty when no risk scale is given.
    risks: tuple[RiskRow, ...] = ()
    # Delivered (complete or Blue) but whose latest impact rating is not an evident one.
    no_impact: Exceptions = field(default_factory=lambda: Exceptions(rows=[], total=0))


def load_overview(
    engine: Engine,
    *,
    today: date,
    default_cycle_days: int = DEFAULT_CYCLE_DAYS,
    limit: int = OVERVIEW_LIMIT,
    actor: Actor | None = None,
    risk_scale: RiskScaleConfig | None = None,
    impact: ImpactConfig | None = None,
) -> Overview:
    """The overview's register figures, read together in one session; with ``actor`` and
    ``risk_scale``, the risks that need the executives' attention too."""
    with session_scope(engine) as session:
        # Every exception list counts "not updated" from the same cycle starts: read them once.
        starts = load_cycle_starts(session, today=today, default_cycle_days=default_cycle_days)
        risks: tuple[RiskRow, ...] = ()
        if actor is not None and risk_scale is not None and can(actor, Operation.VIEW_RISKS):
            top = top_band(risk_scale)
            risks = tuple(
                r
                for r in list_risks(session, actor=actor, scale=risk_scale, today=today)
                if r.score >= top.low or r.review_overdue
            )
        return Overview(
            today=today,
            headline=summarise_headline(session, today=today, starts=starts),
            overdue=list_overdue_exceptions(session, today=today, limit=limit, starts=starts),
            red=list_red_exceptions(session, today=today, limit=limit, starts=starts),
            by_priority=tuple(summarise_rag(session, by="priority")),
            by_workstream=tuple(summarise_rag(session, by="workstream")),
            risks=risks,
            no_impact=list_impact_exceptions(
                session,
                today=today,
                evident=(impact or ImpactConfig()).evident_keys(),
                limit=limit,
                starts=starts,
            ),
        )

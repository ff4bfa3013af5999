"""Bringing a database to a working state, and describing the state it is in.

``initialise_database`` is what ``tracker init`` and ``tracker run`` do: migrate to the newest
schema, load governance.yaml, run the caller's seeding step (the strategy's, from the command
line). The governance file is validated before the database is touched, so a bad file changes
nothing. ``status_summary`` is the one-glance
description ``tracker status`` prints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from tracker.db import mask_url, session_scope, upgrade_database
from tracker.governance import load_governance
from tracker.models import (
    Action,
    ActionUpdate,
    GovernanceBody,
    Priority,
    SuccessMeasure,
    Workstream,
)
from tracker.rules import on_track_share
from tracker.services.governance import SyncReport, sync_governance
from tracker.services.operations._site import count_update_cycles, is_demo
from tracker.services.register import count_by_rag, list_not_updated_actions, list_overdue_actions


class SeedOutcome(Protocol):
    """What a seeding step reports: how many of each kind it created."""

    @property
    def created(self) -> dict[str, int]: ...

    @property
    def changed(self) -> bool: ...


@dataclass(frozen=True)
class _NothingSeeded:
    created: dict[str, int]

    @property
    def changed(self) -> bool:
        return False


@dataclass(frozen=True)
class InitReport:
    governance: SyncReport
    seed: SeedOutcome

    @property
    def changed(self) -> bool:
        return self.governance.changed or self.seed.changed


def initialise_database(
    engine: Engine,
    *,
    governance_file: Path,
    seed: Callable[[Session], SeedOutcome] | None = None,
) -> InitReport:
    """Migrate, load governance and run ``seed`` (the caller's, e.g. the strategy's); idempotent.

    The seed is passed in, so this service never depends on the packaged strategy: the command
    line passes ``tracker.seed.seed_strategy``.
    """
    config = load_governance(governance_file)
    upgrade_database(engine)
    with session_scope(engine, write=True) as session:
        governance = sync_governance(session, config)
        seeded = seed(session) if seed is not None else _NothingSeeded(created={})
    return InitReport(governance=governance, seed=seeded)


def _count(session: Session, model: Any, *where: Any) -> int:
    return int(session.exec(select(func.count()).select_from(model).where(*where)).one())


def status_summary(
    session: Session, *, database_url: str, today: date, default_cycle_days: int = 42
) -> dict[str, Any]:
    """Headline counts of the database, as ``tracker status --json`` prints them."""
    rag = count_by_rag(session)
    return {
        "database": mask_url(database_url),
        "priorities": _count(session, Priority),
        "actions": _count(session, Action),
        "measures": _count(session, SuccessMeasure),
        "workstreams": _count(session, Workstream, col(Workstream.active)),
        "bodies": _count(session, GovernanceBody, col(GovernanceBody.active)),
        "rag": rag,
        "on_track_of_rated": on_track_share(rag).describe(),
        "overdue": len(list_overdue_actions(session, today=today)),
        "not_updated": len(
            list_not_updated_actions(session, today=today, default_cycle_days=default_cycle_days)
        ),
        "updates": _count(session, ActionUpdate),
        "update_cycles": count_update_cycles(session, today=today),
        "demo": is_demo(session),
        "as_of": today.isoformat(),
    }

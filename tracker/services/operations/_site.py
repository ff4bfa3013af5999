"""Facts about this installation: is it a demonstration, does it hold real work, how active is it.

A demonstration database carries a ``site_setting`` row ``demo`` (with the seed and the day it
was built), which the app reads on every page to show its banner. ``find_real_data`` says what
people have recorded (updates, measure values, papers, escalations, sign-ins) so that building
a demonstration can refuse a database someone has been using. ``count_update_cycles`` tells,
per board, how many of its update cycles so far received any update: what ``tracker status``
prints to show that updates are a habit, not a one-off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import exists, func
from sqlmodel import Session, col, select

from tracker.models import (
    ActionUpdate,
    Escalation,
    Evidence,
    GovernanceBody,
    MeasureValue,
    Meeting,
    Person,
    SiteSetting,
    StoredPaper,
)

DEMO_KEY = "demo"


@dataclass(frozen=True)
class DemoMark:
    seed: int
    built_on: date


def read_demo_mark(session: Session) -> DemoMark | None:
    """The demonstration marker, or None for a real installation."""
    row = session.get(SiteSetting, DEMO_KEY)
    if row is None:
        return None
    seed, _, built = row.value.partition("@")
    try:
        return DemoMark(seed=int(seed), built_on=date.fromisoformat(built))
    except ValueError:
        return DemoMark(seed=0, built_on=row.set_at.date())


def is_demo(session: Session) -> bool:
    return session.get(SiteSetting, DEMO_KEY) is not None


def mark_demo(session: Session, *, seed: int, built_on: date) -> None:
    session.merge(SiteSetting(key=DEMO_KEY, value=f"{seed}@{built_on.isoformat()}"))
    session.flush()


def _count(session: Session, model: Any, *where: Any) -> int:
    return int(session.exec(select(func.count()).select_from(model).where(*where)).one())


def find_real_data(session: Session) -> list[str]:
    """What people have recorded here, worded for an error message; empty for a fresh install."""
    found = []
    for label, model, where in (
        ("action updates", ActionUpdate, ()),
        ("measure values", MeasureValue, ()),
        ("stored board papers", StoredPaper, ()),
        ("escalations", Escalation, ()),
        ("evidence files", Evidence, ()),
        ("people who have signed in", Person, (col(Person.last_seen_at).is_not(None),)),
    ):
        n = _count(session, model, *where)
        if n:
            found.append(f"{n} {label}")
    return found


def count_update_cycles(session: Session, *, today: date) -> dict[str, int]:
    """Per board with meetings: how many of its update windows (opened on or before today)
    received at least one update, by board name in governance order."""
    updated = exists().where(
        col(ActionUpdate.created_at)
        >= func.coalesce(col(Meeting.window_opens), Meeting.meeting_date),
        col(ActionUpdate.created_at) < col(Meeting.meeting_date),
    )
    query = (
        select(GovernanceBody.name, func.count(col(Meeting.id)))
        .join(Meeting, col(Meeting.body_id) == col(GovernanceBody.id))
        .where(
            col(Meeting.cancelled).is_(False),
            col(Meeting.window_opens) <= today,
            updated,
        )
        .group_by(col(GovernanceBody.name), col(GovernanceBody.sort_order))
        .order_by(col(GovernanceBody.sort_order))
    )
    return {name: int(n) for name, n in session.exec(query).all()}

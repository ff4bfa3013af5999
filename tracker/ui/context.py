"""What every page needs from the running app: the signed-in actor, the engine, today, governance.

Only the engine is cached across sessions (``st.cache_resource``, one per database URL); nothing
about a person is. The entry script re-reads the signed-in person's roles from the database on
every rerun and stores the resulting ``Actor`` (a frozen dataclass of plain values, never an ORM
object) in this session's state, where ``current_actor`` finds it. Settings are read afresh on
each call so a test (or an operator restarting with new environment variables) is never served
a stale URL. ``TRACKER_TODAY=YYYY-MM-DD`` pins the date for demonstrations and tests.
"""

from __future__ import annotations

from datetime import date

import streamlit as st
from sqlalchemy import Engine

from tracker import clock
from tracker.config import Settings
from tracker.db import make_engine
from tracker.errors import NotAllowed
from tracker.governance import GovernanceConfig, GovernanceError, current_governance
from tracker.permissions import Actor

ACTOR_KEY = "tracker.actor"
TODAY_ENV = clock.TODAY_ENV


class NotSignedIn(NotAllowed):
    """A page ran without the entry script having signed anyone in."""


def settings() -> Settings:
    """The settings in force (validated; raises if, say, dev mode is asked for in production)."""
    return Settings()


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def engine() -> Engine:
    """The process-wide engine for the configured database (one connection pool per URL)."""
    return _engine_for(settings().database_url)


def today() -> date:
    """Today's date in the partnership's time zone, or the date pinned by ``TRACKER_TODAY``."""
    try:
        zone = governance().partnership.zone
    except GovernanceError:  # the page reports the broken file; the day is still the day
        zone = clock.DEFAULT_ZONE
    return clock.today(zone)


def governance() -> GovernanceConfig:
    """The governance file in force (re-read only when it changes on disk)."""
    return current_governance(settings().governance_file)


def cycle_days() -> int:
    """How many days count as one update cycle for bodies without a calendar."""
    return governance().update_cycle.default_cycle_days


def set_current_actor(actor: Actor) -> None:
    st.session_state[ACTOR_KEY] = actor


def clear_current_actor() -> None:
    st.session_state.pop(ACTOR_KEY, None)


def current_actor() -> Actor:
    """The person this session acts as, as the entry script resolved them on this rerun."""
    actor = st.session_state.get(ACTOR_KEY)
    if not isinstance(actor, Actor):
        raise NotSignedIn("no signed-in person: open the app through tracker/ui/app.py")
    return actor

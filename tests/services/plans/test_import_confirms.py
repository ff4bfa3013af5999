"""Importing the plan confirms the seeded planning details of every action it names."""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlmodel import select

from tests.importer.conftest import SAMPLE, run_import
from tracker.db import session_scope
from tracker.models import Action
from tracker.services.actions._planning import count_confirmed


def _unconfirm(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE action SET planning_confirmed = false"))


def test_an_import_confirms_the_actions_it_updates_even_when_a_row_agrees(
    engine: Engine,
) -> None:
    _unconfirm(engine)
    assert run_import(engine, SAMPLE, commit=True).problems == ()
    with session_scope(engine) as session:
        assert count_confirmed(session).confirmed == 42
    # The same file again changes no field, yet still vouches for the plan.
    _unconfirm(engine)
    with session_scope(engine) as session:
        before = session.exec(select(Action.version).where(Action.reference == "P2.3")).one()
    run_import(engine, SAMPLE, commit=True)
    with session_scope(engine) as session:
        assert count_confirmed(session).confirmed == 42
        after = session.exec(select(Action.version).where(Action.reference == "P2.3")).one()
    assert after == before + 1

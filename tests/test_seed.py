"""Seeding the packaged strategy: complete, faithful, and never overwriting users' changes."""

from __future__ import annotations

from sqlmodel import func, select

from tests.conftest import GOVERNANCE_FILE
from tracker.db import session_scope
from tracker.models import Action, MeasureAction, Person, Priority, SuccessMeasure
from tracker.rules import reference_sort_key
from tracker.seed import seed_strategy
from tracker.services.operations import initialise_database


def test_seeded_strategy_is_complete(sqlite_engine) -> None:
    with session_scope(sqlite_engine) as session:
        priorities = session.exec(select(Priority).order_by(Priority.number)).all()
        assert [p.number for p in priorities] == [1, 2, 3, 4, 5]
        assert priorities[0].ambition.startswith("Identifying needs early")
        refs = sorted(session.exec(select(Action.reference)).all(), key=reference_sort_key)
        assert len(refs) == 42 and refs[0] == "P1.1" and refs[-1] == "P5.12"
        assert session.exec(select(func.count()).select_from(SuccessMeasure)).one() == 35
        p23 = session.exec(select(Action).where(Action.reference == "P2.3")).one()
        assert p23.title == (
            "Build capacity in the SEND and Educational Psychology service to improve "
            "timeliness of ECHPs and Annual Reviews."
        )
        assert None not in (p23.owner_id, p23.workstream_id, p23.body_id, p23.due_date)
        owner = session.get(Person, p23.owner_id)
        assert owner.email.endswith(("example.org", "example.nhs.uk", "example-lpcf.org.uk"))
        assert session.exec(select(func.count()).select_from(MeasureAction)).one() >= 35
        m13 = session.exec(select(SuccessMeasure).where(SuccessMeasure.reference == "M1.3")).one()
        assert m13.baseline_value == 24473


def test_reseeding_never_overwrites_what_users_changed(sqlite_engine) -> None:
    with session_scope(sqlite_engine, write=True) as session:
        action = session.exec(select(Action).where(Action.reference == "P1.1")).one()
        action.title = "Our own wording"
        action.due_date = action.due_date.replace(year=2030)
        session.add(action)
        removed = session.exec(select(Action).where(Action.reference == "P5.12")).one()
        for link in session.exec(
            select(MeasureAction).where(MeasureAction.action_id == removed.id)
        ):
            session.delete(link)
        session.flush()
        session.delete(removed)
    report = initialise_database(sqlite_engine, governance_file=GOVERNANCE_FILE, seed=seed_strategy)
    assert report.seed.created == {"action": 1}  # only the missing one comes back
    with session_scope(sqlite_engine) as session:
        action = session.exec(select(Action).where(Action.reference == "P1.1")).one()
        assert action.title == "Our own wording"
        assert action.due_date.year == 2030

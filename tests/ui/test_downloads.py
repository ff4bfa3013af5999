"""Downloads are made on click, as the person is then: someone deactivated (or whose role was
removed) while the page was open gets a refusal, audited, and not the register or the paper."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from tests.conftest import GOVERNANCE_FILE
from tests.factories import ADMIN, EXECUTIVE, SECRETARY_SIB, actor
from tests.papers.scenario import generate
from tracker.db import session_scope
from tracker.governance import load_governance
from tracker.models import AuditLog, Person
from tracker.permissions import PermissionDenied
from tracker.services.people import set_active
from tracker.services.plans._downloads import download_paper
from tracker.services.register import ActionFilter
from tracker.ui.downloads import prepare_export

DAY = date(2026, 10, 1)


def _person_id(engine: Engine, email: str) -> int:
    with session_scope(engine) as session:
        person = session.exec(select(Person).where(Person.email == email)).one()
        assert person.id is not None
        return person.id


def _deactivate(engine: Engine, email: str) -> None:
    with session_scope(engine, write=True) as session:
        set_active(
            session, actor=actor(session, ADMIN), person_id=_person_id(engine, email), active=False
        )


def _audit(engine: Engine, email: str) -> list[str]:
    with session_scope(engine) as session:
        rows = session.exec(
            select(AuditLog.field).where(AuditLog.actor_label == email).order_by(col(AuditLog.id))
        ).all()
        return list(rows)


@pytest.mark.parametrize("history", [False, True], ids=["register", "update history"])
def test_a_register_download_after_deactivation_is_refused(engine: Engine, history: bool) -> None:
    make: Callable[[], bytes] = prepare_export(
        person_id=_person_id(engine, EXECUTIVE),
        bound=engine,
        day=DAY,
        config=load_governance(GOVERNANCE_FILE),
        filters=ActionFilter(),
        history=history,
        fmt="csv",
    )
    content = make()  # drawn and pressed while active: the file
    assert content.startswith(b"\xef\xbb\xbfRef,")  # the CSV with its header row
    assert _audit(engine, EXECUTIVE)[-1] == "exported"
    _deactivate(engine, EXECUTIVE)
    with pytest.raises(PermissionDenied, match="account inactive"):
        make()
    assert _audit(engine, EXECUTIVE)[-1] == "operation refused"


def test_a_paper_download_after_deactivation_is_refused(engine: Engine) -> None:
    paper = generate(engine, "SIB", None, by=SECRETARY_SIB)
    secretary = _person_id(engine, SECRETARY_SIB)
    with session_scope(engine, write=True) as session:
        file = download_paper(session, person_id=secretary, paper_id=paper.id)
    assert file.content.startswith(b"PK")
    assert _audit(engine, SECRETARY_SIB)[-1] == "downloaded"
    _deactivate(engine, SECRETARY_SIB)
    with (
        pytest.raises(PermissionDenied, match="account inactive"),
        session_scope(engine, write=True) as session,
    ):
        download_paper(session, person_id=secretary, paper_id=paper.id)
    assert _audit(engine, SECRETARY_SIB)[-1] == "operation refused"

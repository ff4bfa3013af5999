"""The setup checklist: what a fresh install still needs, and when it is done."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import select

from tests.conftest import GOVERNANCE_FILE
from tests.factories import ADMIN, EXECUTIVE, actor
from tracker.db import session_scope
from tracker.models import OutboxMessage
from tracker.permissions import PermissionDenied
from tracker.services.operations._setup import (
    SetupChecklist,
    SignIn,
    build_setup_checklist,
    queue_test_email,
)

TODAY = date(2026, 10, 1)
DEV = SignIn(mode="dev", configured=False)


def _checklist(
    engine: Engine, *, governance_file: Path = GOVERNANCE_FILE, sign_in: SignIn = DEV
) -> SetupChecklist:
    with session_scope(engine) as session:
        return build_setup_checklist(
            session,
            actor=actor(session, ADMIN),
            governance_file=governance_file,
            sign_in=sign_in,
            mail_transport="file",
            today=TODAY,
        )


def test_a_fresh_install_says_what_is_left_to_do(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE action SET planning_confirmed = false"))
    checklist = _checklist(engine)
    done = {item.key: item.done for item in checklist.items}
    assert done == {
        "governance": False,  # still the packaged example
        "people": False,
        "plan": False,
        "meetings": True,  # the example calendar runs to 2028
        "mail": False,
        "sign_in": False,
    }
    states = {item.key: item.state for item in checklist.items}
    assert states["plan"].startswith("0 of 42 actions")
    assert states["people"] == "0 of 22 people have signed in."
    assert len(checklist.unconfirmed) == 42 and not checklist.complete


def test_everything_done_completes_the_checklist(engine: Engine, tmp_path: Path) -> None:
    own = tmp_path / "governance.yaml"
    shutil.copyfile(GOVERNANCE_FILE, own)
    with session_scope(engine, write=True) as session:
        queue_test_email(session, actor=actor(session, ADMIN), mail_transport="file")
    with engine.begin() as conn:
        conn.execute(text("UPDATE person SET last_seen_at = :t"), {"t": "2026-09-30 10:00:00"})
        conn.execute(text("UPDATE outbox_message SET state = 'sent', sent_at = created_at"))
    checklist = _checklist(engine, governance_file=own, sign_in=SignIn("entra", True))
    assert [i.key for i in checklist.items if not i.done] == []
    assert checklist.complete


@pytest.mark.parametrize(
    ("state", "error", "expected"),
    [
        (None, None, "No test e-mail sent yet"),
        ("pending", None, "The test e-mail is queued"),
        ("failed", "535 authentication failed", "failed: 535 authentication failed"),
    ],
)
def test_the_mail_item_follows_the_test_email(
    engine: Engine, state: str | None, error: str | None, expected: str
) -> None:
    if state is not None:
        with session_scope(engine, write=True) as session:
            queue_test_email(
                session,
                actor=actor(session, ADMIN),
                mail_transport="smtp",
                now=datetime(2026, 9, 30, 9, tzinfo=UTC),
            )
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE outbox_message SET state = :s, last_error = :e"),
                {"s": state, "e": error},
            )
    mail = next(i for i in _checklist(engine).items if i.key == "mail")
    assert expected in mail.state and not mail.done


def test_the_test_email_goes_to_the_administrator_through_the_outbox(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        queue_test_email(session, actor=actor(session, ADMIN), mail_transport="file")
    with session_scope(engine) as session:
        message = session.exec(select(OutboxMessage)).one()
    assert (message.recipient_email, message.state) == (ADMIN, "pending")


def test_only_administrators_see_the_checklist(engine: Engine) -> None:
    with session_scope(engine) as session, pytest.raises(PermissionDenied):
        build_setup_checklist(
            session,
            actor=actor(session, EXECUTIVE),
            governance_file=GOVERNANCE_FILE,
            sign_in=DEV,
            mail_transport="file",
            today=TODAY,
        )

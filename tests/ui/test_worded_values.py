"""No raw value shows through on screen: no "None", codes or bare e-mail addresses."""

from __future__ import annotations

from sqlalchemy import Engine

from tests.factories import ADMIN, HEAD_OF_SEND, add_update
from tests.ui.conftest import OpenApp


def test_the_outbox_filter_offers_any_not_none(open_app: OpenApp) -> None:
    at = open_app(ADMIN, page="reminders")
    options = at.selectbox(key="reminders.outbox.state").options
    assert options[0] == "Any" and "None" not in options


def test_the_audit_trail_on_an_action_page_is_worded(open_app: OpenApp, db: Engine) -> None:
    add_update(db, "P2.3", rag="red", commentary="Stalled.", by=HEAD_OF_SEND)
    at = open_app(ADMIN, page="register", action="P2.3")
    frames = [f.value for f in at.dataframe if "Field" in f.value.columns]
    assert frames, "the audit trail is shown to an administrator"
    trail = frames[0]
    values = set(trail["From"]) | set(trail["To"]) | set(trail["Who"])
    assert {"Red", "In progress", "Not started"} <= values
    assert not values & {"red", "in_progress", "not_started", "None", ""}
    assert not any("@" in str(v) for v in values)

"""The Reminders and mail page, and the calendar download, as an administrator uses them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, update

from tests.factories import ADMIN
from tests.reminders.helpers import APP_URL, load_test_governance, outbox_rows
from tests.ui.support import button, no_exception, shown
from tracker.db import session_scope
from tracker.models import OutboxMessage
from tracker.services.reminders import queue_due_reminders

PAGE = "reminders"


@pytest.fixture
def window_open(monkeypatch: pytest.MonkeyPatch) -> None:
    # The Operations Board's window for its 18 February 2026 meeting opened that Friday.
    monkeypatch.setenv("TRACKER_TODAY", "2026-02-06")


def _table(at: Any, *columns: str) -> Any:
    """The one table shown whose columns start with ``columns``."""
    (found,) = [
        d.value for d in at.dataframe if list(d.value.columns[: len(columns)]) == list(columns)
    ]
    return found


def test_the_page_shows_the_schedule_and_what_the_next_run_would_send(
    open_app: Any, window_open: None
) -> None:
    at = open_app(ADMIN, page=PAGE)
    no_exception(at)
    assert [t.value for t in at.title] == ["Reminders and mail"]
    assert shown(at, "No scheduler is running")
    schedule = _table(at, "Next run")
    assert "Update requests, chasers, escalations, paper-ready notices and risk reviews" in set(
        schedule["Job"]
    )
    preview = _table(at, "Rule")
    requests = preview[preview["Rule"] == "Update request"]
    assert len(requests) == 10
    assert set(requests["Outcome"]) == {"Would send"}
    assert shown(at, "would send")
    assert any("?action=" in str(t.value) for t in at.text)  # the e-mail, as text


def test_failed_messages_can_be_retried_from_the_page(
    open_app: Any, db: Engine, window_open: None
) -> None:
    queue_due_reminders(
        db,
        governance=load_test_governance(),
        app_url=APP_URL,
        today=datetime(2026, 2, 6).date(),
        now=datetime(2026, 2, 6, 7, 30, tzinfo=UTC),
    )
    rows = outbox_rows(db)
    with session_scope(db, write=True) as session:
        session.execute(
            update(OutboxMessage).values(state="failed", attempts=8, last_error="550 refused")
        )
    at = open_app(ADMIN, page=PAGE)
    no_exception(at)
    failed = _table(at, "Id", "Rule")
    assert len(failed) >= len(rows)
    at.multiselect(key="reminders.retry").set_value([rows[0].id]).run()
    button(at, "Retry selected").click().run()
    no_exception(at)
    assert shown(at, "1 messages queued again")
    assert [r.state for r in outbox_rows(db)].count("pending") == 1
    button(at, f"Retry all {len(rows) - 1} failed").click().run()
    assert {r.state for r in outbox_rows(db)} == {"pending"}
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Pending"] == str(len(rows)) and metrics["Failed"] == "0"


def test_the_governance_page_offers_the_calendar_as_an_ics_file(open_app: Any) -> None:
    at = open_app(ADMIN, page="governance")
    no_exception(at)
    labels = [b.label for b in at.get("download_button")]
    assert "Download the meeting calendar (.ics)" in labels

"""The weekly digest states "on track" as the overview, the papers and `tracker status` do.

One definition (Green or Blue, as a share of the actions rated, withdrawn actions left out):
the executive reading the digest on Monday sees the same figure, in the same words, as on the
overview's headline and in `tracker status --json`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine

from tests.factories import ADMIN, add_update
from tracker.db import session_scope
from tracker.governance import GovernanceConfig
from tracker.services.operations import status_summary
from tracker.services.register import summarise_headline
from tracker.services.reminders import MailContext, plan_reminders, render_reminder

MONDAY = date(2026, 2, 9)
CONTEXT = MailContext(
    app_url="https://tracker.example.org",
    partnership="Lancashire SEND Partnership",
    contact_name="SEND Programme Management Office",
    contact_email="send.pmo@example.org",
)


def test_the_digest_gives_the_on_track_share_of_rated_actions_like_the_overview(
    engine: Engine, governance: GovernanceConfig
) -> None:
    at = datetime(2026, 2, 2, 9, tzinfo=UTC)
    add_update(engine, "P1.1", rag="green", at=at)
    add_update(engine, "P2.3", rag="red", commentary="Blocked.", at=at)
    add_update(engine, "P2.4", rag="blue", status="complete", commentary="Done.", at=at)
    add_update(engine, "P3.1", rag="amber", commentary="Slipping.", at=at)
    add_update(
        engine, "P3.2", rag="green", status="withdrawn", commentary="Dropped.", by=ADMIN, at=at
    )
    with session_scope(engine) as session:
        plan = plan_reminders(session, config=governance.update_cycle.reminders, today=MONDAY)
        overview = summarise_headline(session, today=MONDAY).on_track_share.describe()
        status = status_summary(session, database_url="sqlite://", today=MONDAY)
    digest = next(r for r in plan.reminders if r.rule == "weekly_digest")
    mail = render_reminder(digest, context=CONTEXT)

    # 2 of the 4 rated (Green and Blue; the withdrawn Green is not counted), not 2 of 42.
    line = "On track (Green or Blue), of the actions rated: 50% (2 of 4 rated)."
    assert line in mail.text
    assert line in mail.html
    assert overview == status["on_track_of_rated"] == "50% (2 of 4 rated)"

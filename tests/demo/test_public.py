"""The demonstration's public site: actions in plain words, approved summaries, published
values and "you said, we did" entries, with a little left in the approval queue."""

from __future__ import annotations

from sqlalchemy import Engine

from tests.conftest import GOVERNANCE_FILE
from tests.demo.conftest import TODAY
from tests.factories import OPERATOR
from tracker.db import session_scope
from tracker.demo import DemoReport
from tracker.governance import load_governance
from tracker.services.publishing import gather_public_site, list_approval_queue

Demo = tuple[Engine, DemoReport]


def test_the_demo_makes_a_real_public_site(demo: Demo) -> None:
    engine, _ = demo
    config = load_governance(GOVERNANCE_FILE)
    with session_scope(engine) as session:
        site = gather_public_site(session, config=config, today=TODAY)
        queue = list_approval_queue(session, OPERATOR, config=config)
    assert all(p.actions for p in site.priorities)  # every priority reports on something
    actions = [a for p in site.priorities for a in p.actions]
    assert len(actions) >= 10
    assert sum(1 for a in actions if a.summary) >= 9
    assert {a.status.progress for a in actions} >= {"delivered", "on_track", "behind"}
    assert sum(len(m.values) for p in site.priorities for m in p.measures) >= 50
    assert any(m.comparators for p in site.priorities for m in p.measures)
    # The demo's own "you said, we did" entries: those acted on are published and approved.
    assert len(site.feedback) == 3
    assert all(f.we_did for f in site.feedback)
    assert site.meetings
    assert queue.summaries and queue.values and queue.feedback

"""The demonstration carries impact reports and "you said, we did" entries a board would believe."""

from __future__ import annotations

from collections import Counter

from sqlmodel import select

from tests.demo.conftest import TODAY
from tests.demo.test_build import Demo
from tracker.db import session_scope
from tracker.governance import ImpactConfig
from tracker.models import ActionUpdate, Feedback, FeedbackAction
from tracker.services.register import list_actions, load_overview


def test_updates_report_impact_with_evidence_voices_and_some_public_summaries(demo: Demo) -> None:
    engine, _ = demo
    with session_scope(engine) as session:
        updates = session.exec(select(ActionUpdate)).all()
        latest = Counter(r.impact_rating for r in list_actions(session, today=TODAY))
    rated = [u for u in updates if u.impact_rating]
    assert {u.impact_rating for u in rated} == {r.key for r in ImpactConfig().ratings}
    assert all(u.impact_evidence for u in rated)
    assert sum(1 for u in rated if u.impact_voices) > len(rated) // 2
    assert 10 <= sum(1 for u in updates if u.public_summary) < len(updates)
    assert latest[None] >= 2  # some owners have not reported impact at all
    overview = load_overview(engine, today=TODAY, impact=ImpactConfig())
    assert overview.no_impact.total >= 1  # delivered but no impact evident yet
    assert all(row.expected_impact for row in overview.no_impact.rows)


def test_you_said_we_did_entries_come_from_forums_surveys_and_complaints(demo: Demo) -> None:
    engine, _ = demo
    with session_scope(engine) as session:
        entries = session.exec(select(Feedback)).all()
        linked = session.exec(select(FeedbackAction)).all()
    sources = {e.source for e in entries}
    assert {"Lancashire Parent Carer Forum", "POWAR SEND Youth Forum", "Complaint"} <= sources
    assert {e.status for e in entries} == {"open", "in_progress", "done", "closed"}
    assert all(e.we_did for e in entries if e.status in ("done", "closed"))
    assert all(e.heard_on is not None and e.heard_on <= TODAY for e in entries)
    assert len(linked) >= 8

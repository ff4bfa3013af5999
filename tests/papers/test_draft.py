"""A paper generated before its paper deadline is a draft that speaks for the day it was made.

Secretaries often look at the paper a week or two early. It must not describe the deadline as if
it had passed: the cover says it is a draft as at today, days overdue are counted to today (not
projected to the deadline), and the "not updated since the window opened" sentence appears only
once the window has opened.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from docx.document import Document
from sqlalchemy import Engine

from tests.factories import actor
from tests.papers.readback import reopen
from tests.papers.scenario import MEETINGS, generate, governance, record_round_one
from tracker.db import session_scope
from tracker.papers.gather import GatheredPaper
from tracker.papers.model import BoardPaper
from tracker.services.papers import preview_paper

SIB_MAY = MEETINGS["SIB"][1]  # paper deadline Friday 8 May 2026; P1.2 is due 31 March 2026


def _gather(engine: Engine, now: datetime) -> GatheredPaper:
    with session_scope(engine) as session:
        return preview_paper(
            session,
            actor=actor(session, "send.pmo@example.org"),
            governance=governance(),
            board_ref="SIB",
            meeting_date=SIB_MAY,
            now=now,
        )


def _cover_line(paper: BoardPaper, label: str) -> str:
    document = reopen(paper)
    return next(p.text for p in document.paragraphs if p.text.startswith(label))


def _days_overdue(paper: BoardPaper, reference: str) -> int | None:
    return next(a.days_overdue for a in paper.actions if a.reference == reference)


def test_a_paper_made_before_its_deadline_is_a_draft_as_at_today(engine: Engine) -> None:
    record_round_one(engine)
    gathered = _gather(engine, datetime(2026, 4, 20, 9, 0, tzinfo=UTC))
    paper = gathered.paper
    assert gathered.meeting.window_opens is not None
    assert gathered.meeting.window_opens > date(2026, 4, 20)  # the window is not open yet

    assert _cover_line(paper, "Information as at") == (
        "Information as at: Monday 20 April 2026 "
        "(draft: before the paper deadline of Friday 8 May 2026)"
    )
    assert _days_overdue(paper, "P1.2") == 20  # due 31 March: 20 days overdue today, not 38
    summary = " ".join(paper.executive_summary)
    assert "overdue as at Monday 20 April 2026" in summary
    assert "overdue at the paper deadline" not in summary
    assert "as at the paper deadline" not in summary
    assert "not been updated" not in summary  # no one has been asked to update yet


def test_once_the_window_is_open_a_draft_names_actions_not_yet_updated(engine: Engine) -> None:
    record_round_one(engine)
    gathered = _gather(engine, datetime(2026, 5, 6, 9, 0, tzinfo=UTC))
    summary = " ".join(gathered.paper.executive_summary)
    assert "have not been updated since the update window opened on" in summary
    assert "had not been updated" not in summary
    assert _days_overdue(gathered.paper, "P1.2") == 36


def test_a_paper_made_after_its_deadline_speaks_for_the_deadline(engine: Engine) -> None:
    record_round_one(engine)
    paper = _gather(engine, datetime(2026, 5, 12, 9, 0, tzinfo=UTC)).paper
    assert paper.draft_as_at is None
    assert _cover_line(paper, "Information as at") == (
        "Information as at: Friday 8 May 2026 (paper deadline)"
    )
    assert _days_overdue(paper, "P1.2") == 38
    summary = " ".join(paper.executive_summary)
    assert "overdue at the paper deadline" in summary
    assert "had not been updated since the update window opened on" in summary


def _headers(document: Document) -> list[str]:
    texts = []
    for section in document.sections:
        stories = [section.header]
        if section.different_first_page_header_footer:
            stories.append(section.first_page_header)
        texts += [" ".join(p.text for p in story.paragraphs) for story in stories]
    return texts


def test_a_draft_says_draft_on_the_cover_in_every_header_and_in_its_name(engine: Engine) -> None:
    record_round_one(engine)
    draft = _gather(engine, datetime(2026, 4, 20, 9, 0, tzinfo=UTC)).paper
    document = reopen(draft)
    assert document.paragraphs[0].text.startswith("DRAFT")
    headers = _headers(document)
    assert headers and all("DRAFT" in text for text in headers)
    assert document.core_properties.title.startswith("DRAFT")
    info = generate(engine, "SIB", SIB_MAY, now=datetime(2026, 4, 20, 9, 0, tzinfo=UTC))
    assert info.filename.endswith("-DRAFT.docx")


def test_a_final_paper_never_says_draft(engine: Engine) -> None:
    record_round_one(engine)
    final = _gather(engine, datetime(2026, 5, 12, 9, 0, tzinfo=UTC)).paper
    document = reopen(final)
    assert "DRAFT" not in "\n".join(p.text for p in document.paragraphs)
    assert not any("DRAFT" in text for text in _headers(document))
    assert "DRAFT" not in document.core_properties.title
    info = generate(engine, "SIB", SIB_MAY, now=datetime(2026, 5, 12, 9, 0, tzinfo=UTC))
    assert "DRAFT" not in info.filename

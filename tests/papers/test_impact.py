"""Impact and "you said, we did" in the papers: what the Improvement Board reads, as at the
paper deadline, in the Word file and the PDF LibreOffice makes of it."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

from docx import Document
from sqlalchemy import Engine

from tests.factories import ADMIN, actor, owner_of
from tests.papers.libreoffice import convert_to_pdf, pdf_text, require_soffice
from tests.papers.scenario import MEETINGS, gather, generate
from tracker.db import session_scope
from tracker.services.actions import UpdateForm, get_action, record_update
from tracker.services.feedback import FeedbackForm, add_feedback

BEFORE = datetime(2026, 4, 20, 10, tzinfo=UTC)  # before the SIB's 8 May deadline
AFTER = datetime(2026, 5, 12, 10, tzinfo=UTC)  # after it: must not leak into the paper


def _update(engine: Engine, reference: str, at: datetime, **fields: object) -> None:
    base: dict[str, object] = {"rag": "amber", "status": "in_progress", "commentary": "Slipping."}
    with session_scope(engine, write=True) as session:
        record_update(
            session,
            actor=owner_of(session, reference),
            reference=reference,
            seen_version=get_action(session, reference).version,
            form=UpdateForm(**{**base, **fields}),  # type: ignore[arg-type]
            now=at,
            today=at.date(),
        )


def _story(engine: Engine) -> None:
    done = {"rag": "blue", "status": "complete", "commentary": "Delivered."}
    _update(engine, "P5.1", BEFORE, **done, impact_rating="not_yet_evident")
    _update(
        engine,
        "P1.2",
        BEFORE,
        **done,
        impact_rating="evident",
        impact_evidence="SENCOs rate the training 4.4 out of 5 <b>&</b> use it.",
        impact_voices=("practitioners", "data"),
    )
    _update(engine, "P5.1", AFTER, **done, impact_rating="evident")  # after the deadline
    with session_scope(engine, write=True) as session:
        add_feedback(
            session,
            actor=actor(session, ADMIN),
            form=FeedbackForm(
                said="Parents said training for school staff is patchy.",
                source="Lancashire Parent Carer Forum",
                heard_on=date(2026, 3, 2),
                we_did="The SEND Academy now trains every SENCO.",
                status="done",
                actions=("P1.2",),
            ),
            today=date(2026, 4, 1),
        )


def test_the_paper_reports_impact_as_at_its_deadline(engine: Engine) -> None:
    _story(engine)
    paper = gather(engine, "SIB", MEETINGS["SIB"][1]).paper
    lines = {line.reference: line for line in paper.actions}
    assert (lines["P1.2"].impact, lines["P1.2"].impact_voices) == (
        "Impact evident",
        "Practitioners, Data",
    )
    # P5.1's "evident" came after the deadline: as at the deadline it was not yet evident.
    assert lines["P5.1"].impact == "Not yet evident"
    assert [line.reference for line in paper.no_impact] == ["P5.1"]
    assert [line.reference for line in paper.impact_reported] == ["P1.2", "P5.1"]
    assert [(f.reference, f.status) for f in paper.feedback] == [("YS1", "Done")]
    summary = " ".join(paper.executive_summary)
    assert "2 have no impact evident yet" not in summary
    assert "1 has no impact evident yet: P5.1" in summary
    assert any("no impact evident yet (P5.1)" in r for r in paper.recommendations)


def test_the_word_file_and_its_pdf_show_impact_and_you_said_we_did(
    engine: Engine, tmp_path: Path
) -> None:
    _story(engine)
    stored = generate(engine, "SIB", MEETINGS["SIB"][1], now=AFTER)
    document = Document(io.BytesIO(stored.content))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert "Impact: what has changed for children, young people and families" in headings
    assert "You said, we did" in headings
    text = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "SENCOs rate the training 4.4 out of 5 <b>&</b> use it." in text
    assert "The SEND Academy now trains every SENCO." in text
    require_soffice()
    source = tmp_path / "sib.docx"
    source.write_bytes(stored.content)
    (pdf,) = convert_to_pdf([source], tmp_path)
    words = pdf_text(pdf)
    if words is not None:
        assert "Delivered but no impact evident yet" in words
        assert "You said, we did" in words

"""Accessibility of each board's paper, checked in its Word XML (issue 12, point 3).

Every board's paper, from a database with a year of updates: headings in order with no level
skipped; title and language (en-GB) in the properties and the styles; every table's first row
marked as its header; RAG shown as a word wherever a cell is coloured, in a text colour with
WCAG AA contrast on that fill; every picture with alt text; any hyperlink with words, not a
bare address. And the charts say what the database says.
"""

from __future__ import annotations

import io
import itertools
import re
from collections import Counter
from datetime import UTC, datetime

import docx
import pytest
from docx.document import Document
from docx.oxml.ns import qn
from sqlalchemy import Engine
from sqlmodel import col, select

from tests.factories import OPERATOR
from tests.papers.history_db import BOARDS, NOW, last_meeting_before
from tests.papers.scenario import BOARD_NAMES, generate
from tracker.db import session_scope
from tracker.models import Action, ActionStatus, Priority
from tracker.papers.word.docxml import contrast_ratio
from tracker.services.papers import get_paper_file

AA = 4.5
_HEADING = re.compile(r"Heading (\d)")


def _paper(engine: Engine, board: str, now: datetime = NOW) -> Document:
    meeting = last_meeting_before(engine, board, now)
    info = generate(engine, board, meeting.meeting_date, now=now)
    with session_scope(engine) as session:
        content = get_paper_file(session, actor=OPERATOR, paper_id=info.id).content
    return docx.Document(io.BytesIO(content))


@pytest.fixture(scope="module")
def papers(history_database, tmp_path_factory) -> dict[str, Document]:  # type: ignore[no-untyped-def]
    engine = history_database.engine(tmp_path_factory.mktemp("a11y"))
    try:
        return {board: _paper(engine, board) for board in BOARDS}
    finally:
        engine.dispose()


@pytest.mark.parametrize("board", BOARDS)
def test_headings_are_in_order_with_no_level_skipped(papers, board):
    levels = []
    for paragraph in papers[board].paragraphs:
        name = paragraph.style.name if paragraph.style is not None else ""
        found = _HEADING.fullmatch(name)
        if found:
            levels.append(int(found.group(1)))
    assert levels and levels[0] == 1
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, levels


@pytest.mark.parametrize("board", BOARDS)
def test_title_and_language_are_set(papers, board):
    document = papers[board]
    title = document.core_properties.title
    assert title.startswith(f"{BOARD_NAMES[board]}: ") and "DRAFT" not in title
    assert document.core_properties.language == "en-GB"
    lang = document.styles.element.find(f"{qn('w:docDefaults')}//{qn('w:lang')}")
    assert lang is not None and lang.get(qn("w:val")) == "en-GB"


@pytest.mark.parametrize("board", BOARDS)
def test_every_table_has_a_marked_header_row_and_rows_kept_whole(papers, board):
    tables = papers[board].tables
    assert tables
    for table in tables:
        first = table.rows[0]._tr
        assert first.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
        for row in table.rows:
            assert row._tr.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None


def _text_colour(tc) -> str:  # type: ignore[no-untyped-def]
    colour = tc.find(f".//{qn('w:rPr')}/{qn('w:color')}")
    return "000000" if colour is None else colour.get(qn("w:val"))


@pytest.mark.parametrize("board", BOARDS)
def test_coloured_cells_carry_a_word_at_aa_contrast(papers, board):
    shaded = 0
    for table in papers[board].tables:
        for tc in table._tbl.iter(qn("w:tc")):
            shd = tc.find(f"{qn('w:tcPr')}/{qn('w:shd')}")
            if shd is None:
                continue
            shaded += 1
            text = "".join(t.text or "" for t in tc.iter(qn("w:t")))
            assert text.strip(), "a coloured cell with no word in it"
            fill = shd.get(qn("w:fill"))
            assert contrast_ratio(fill, _text_colour(tc)) >= AA, (text, fill)
    assert shaded


@pytest.mark.parametrize("board", BOARDS)
def test_every_picture_has_alt_text_and_links_have_words(papers, board):
    body = papers[board].element.body
    pictures = list(body.iter(qn("wp:docPr")))
    assert pictures
    for doc_pr in pictures:
        assert len(doc_pr.get("descr", "")) > 20
        assert doc_pr.get("title")
    for link in body.iter(qn("w:hyperlink")):
        words = "".join(t.text or "" for t in link.iter(qn("w:t"))).strip()
        assert words and not re.match(r"https?://", words)


def test_the_priority_chart_says_what_the_database_says(history_engine: Engine) -> None:
    # A draft speaks for now, so its counts are the actions' current ratings.
    now = datetime(2026, 11, 27, 18, tzinfo=UTC)
    with session_scope(history_engine) as session:
        rows = session.exec(
            select(Priority.number, Action.rag)
            .join(Priority, col(Priority.id) == col(Action.priority_id))
            .where(col(Action.status) != ActionStatus.WITHDRAWN.value)
        ).all()
    counts: dict[int, Counter[str]] = {}
    for number, rag in rows:
        counts.setdefault(number, Counter())[rag or "not_rated"] += 1
    info = generate(history_engine, "SIB", None, now=now)
    with session_scope(history_engine) as session:
        content = get_paper_file(session, actor=OPERATOR, paper_id=info.id).content
    document = docx.Document(io.BytesIO(content))
    alts = [d.get("descr") for d in document.element.body.iter(qn("wp:docPr"))]
    by_priority = next(alt for alt in alts if alt.startswith("Bar chart"))
    labels = {
        "red": "Red",
        "amber": "Amber",
        "green": "Green",
        "blue": "Blue",
        "not_rated": "not rated",
    }
    for number, found in counts.items():
        total = sum(found.values())
        phrase = ", ".join(
            f"{found[code]} {labels[code]}"
            for code in ("red", "amber", "green", "blue", "not_rated")
            if found[code]
        )
        assert re.search(
            rf"Priority {number}: [^;]*?{re.escape(phrase)} of {total} actions", by_priority
        ), (
            number,
            phrase,
            by_priority,
        )

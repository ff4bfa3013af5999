"""Each board's paper as LibreOffice lays it out, read back with pdftotext (issue 12, Tests).

From the database with a year of updates, each board's paper is converted to PDF and its text
read back: every action reference the paper prints appears whole (never "P4.1" over "1"), every
word of every owner's name appears whole (never "Workforc" / "e"), and no page starts with the
continuation of a table row: a page that opens inside a table opens with the repeated header
row and then a whole row, which begins with its reference. Skipped where LibreOffice or
poppler-utils is missing, except in CI.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import docx
import pytest

from tests.factories import OPERATOR
from tests.papers.history_db import BOARDS, NOW, last_meeting_before
from tests.papers.libreoffice import convert_to_pdf, pdf_text
from tests.papers.scenario import generate
from tracker.db import session_scope
from tracker.services.papers import get_paper_file

_MARKINGS = {"OFFICIAL", "DRAFT: OFFICIAL"}
_ROW_START = re.compile(r"(P\d+\.\d+|M\d+\.\d+)\s")


def _token(text: str, word: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(word)}(?![\w])", text) is not None


def _printed(source: Path) -> tuple[set[str], set[str], set[str]]:
    """The references, the words of owners' names and the words of header rows the .docx
    prints in its tables."""
    document = docx.Document(str(source))
    references: set[str] = set()
    owner_words: set[str] = set()
    header_words: set[str] = set()
    for table in document.tables:
        headings = [cell.text for cell in table.rows[0].cells]
        header_words.update(word for heading in headings for word in heading.split())
        for row in table.rows[1:]:
            cells = dict(zip(headings, (cell.text for cell in row.cells), strict=False))
            if _ROW_START.match(cells.get("Ref", "") + " "):
                references.add(cells["Ref"])
            owner = cells.get("Owner", "")
            owner_words.update(re.findall(r"[A-Za-z][A-Za-z'-]*[A-Za-z]", owner))
    return references, owner_words, header_words


@pytest.fixture(scope="module")
def laid_out(history_database, tmp_path_factory):  # type: ignore[no-untyped-def]
    """(references, owner words, PDF text) per board."""
    folder: Path = tmp_path_factory.mktemp("layout")
    engine = history_database.engine(folder)
    sources = []
    try:
        for board in BOARDS:
            meeting = last_meeting_before(engine, board)
            info = generate(engine, board, meeting.meeting_date, now=NOW)
            with session_scope(engine) as session:
                source = folder / f"{board}.docx"
                source.write_bytes(
                    get_paper_file(session, actor=OPERATOR, paper_id=info.id).content
                )
            sources.append(source)
    finally:
        engine.dispose()
    pdfs = convert_to_pdf(sources, folder)
    found = {}
    for board, source, pdf in zip(BOARDS, sources, pdfs, strict=True):
        text = pdf_text(pdf)
        if text is None:
            if os.environ.get("CI") == "true":
                pytest.fail("pdftotext (poppler-utils) must be installed in CI")
            pytest.skip("pdftotext (poppler-utils) is not installed")
        found[board] = (*_printed(source), text)
    return found


@pytest.mark.slow
@pytest.mark.parametrize("board", BOARDS)
def test_every_reference_appears_whole(laid_out, board):
    references, _owners, _headers, text = laid_out[board]
    assert len(references) >= 5
    broken = sorted(ref for ref in references if not _token(text, ref))
    assert not broken, f"references wrapped in the PDF: {broken}"


@pytest.mark.slow
@pytest.mark.parametrize("board", BOARDS)
def test_every_word_of_every_owner_appears_whole(laid_out, board):
    _references, owner_words, _headers, text = laid_out[board]
    assert owner_words
    broken = sorted(word for word in owner_words if not _token(text, word))
    assert not broken, f"owners' names broken mid-word in the PDF: {broken}"


def _body_lines(page: str) -> list[str]:
    lines = [line.strip() for line in page.splitlines()]
    return [line for line in lines if line and line not in _MARKINGS]


@pytest.mark.slow
@pytest.mark.parametrize("board", BOARDS)
def test_no_page_starts_with_the_rest_of_a_table_row(laid_out, board):
    _references, _owners, header_words, text = laid_out[board]
    pages = [page for page in text.split("\f") if page.strip()]
    assert len(pages) > 3
    opened_in_a_table = 0
    for number, page in enumerate(pages[1:], start=2):
        lines = _body_lines(page)
        if not lines or not lines[0].startswith("Ref "):
            continue
        # The header row repeated on a new page, perhaps over two lines; then a whole row.
        opened_in_a_table += 1
        rest = iter(lines[1:])
        line = next(rest, "")
        while line and set(line.split()) <= header_words:
            line = next(rest, "")
        assert _ROW_START.match(line + " "), f"page {number} starts with the rest of a row: {line}"
    assert opened_in_a_table

"""Read a rendered paper back the way a reader (or Word) would see it: from .docx bytes."""

from __future__ import annotations

import io

import docx
from docx.document import Document
from docx.oxml.ns import qn
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from tracker.papers import BoardPaper, PaperTemplate, render_board_paper_bytes


def reopen(paper: BoardPaper, template: PaperTemplate | None = None) -> Document:
    return docx.Document(io.BytesIO(render_board_paper_bytes(paper, template=template)))


def headings(document: Document, style: str = "Heading 1") -> list[str]:
    return [p.text for p in document.paragraphs if p.style is not None and p.style.name == style]


def is_section_break(block: Paragraph | Table) -> bool:
    """The empty paragraph Word needs to carry the properties of the section it ends."""
    if not isinstance(block, Paragraph):
        return False
    return block._p.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None


def blocks(document: Document) -> list[Paragraph | Table]:
    """Paragraphs and tables in order, without section-break carriers."""
    return [b for b in document.iter_inner_content() if not is_section_break(b)]


def after_heading(document: Document, heading: str) -> list[Paragraph | Table]:
    """The blocks between the Heading 1 ``heading`` and the next Heading 1."""
    found: list[Paragraph | Table] = []
    inside = False
    for block in blocks(document):
        is_heading = isinstance(block, Paragraph) and block.style.name == "Heading 1"
        if is_heading and inside:
            break
        if inside:
            found.append(block)
        if is_heading and block.text == heading:
            inside = True
    assert inside, f"heading {heading!r} not found"
    return found


def table_after(document: Document, heading: str) -> Table:
    tables = [b for b in after_heading(document, heading) if isinstance(b, Table)]
    assert tables, f"no table under {heading!r}"
    return tables[0]


def fill(cell: _Cell) -> str | None:
    tc_pr = cell._tc.tcPr
    shd = None if tc_pr is None else tc_pr.find(qn("w:shd"))
    return None if shd is None else shd.get(qn("w:fill"))


def font_colour(cell: _Cell) -> str | None:
    colours = cell._tc.findall(".//" + qn("w:color"))
    return colours[0].get(qn("w:val")) if colours else None


def column(table: Table, heading: str) -> list[_Cell]:
    """The body cells of the column whose header reads ``heading``."""
    headers = [cell.text for cell in table.rows[0].cells]
    index = headers.index(heading)
    return [row.cells[index] for row in table.rows[1:]]


def repeats_header(table: Table) -> bool:
    tr_pr = table.rows[0]._tr.trPr
    return tr_pr is not None and tr_pr.find(qn("w:tblHeader")) is not None

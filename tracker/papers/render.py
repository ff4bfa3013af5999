"""Turn a :class:`~tracker.papers.model.BoardPaper` into a Word document in UK council/NHS form.

The paper starts from a copy of the template (its body emptied, its page setup, letterhead and
logo kept), gains the protective marking at the top and bottom of every page and "Page X of Y"
in the footer, then a cover block and the sections the paper names, in order. The register
appendix goes in its own landscape section. The renderer does no I/O: callers save, download or
attach the result.
"""

from __future__ import annotations

import copy
import io
import zipfile
from typing import Any

from docx.document import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.oxml.ns import qn
from docx.section import _Footer, _Header
from docx.text.paragraph import Paragraph
from lxml.etree import ElementTree, SubElement

import tracker.papers.model as model
from tracker.papers.docxml import Segment, TableStyles, add_field, add_paragraph, fill_paragraph
from tracker.papers.model import BoardPaper
from tracker.papers.registers import REGISTER_WRITERS
from tracker.papers.sections import SECTION_WRITERS, PaperContext, PaperStyles, RagPalette
from tracker.papers.template import (
    COVER_STYLE,
    FOOTER_STYLE,
    MARKING_STYLE,
    TABLE_HEADING_STYLE,
    TABLE_TEXT_STYLE,
    PaperTemplate,
    default_template,
)
from tracker.papers.text import PURPOSE_LABELS, format_long_date, format_timestamp

WRITERS = {**SECTION_WRITERS, **REGISTER_WRITERS}
LANDSCAPE_SECTIONS = frozenset({model.APPENDIX_REGISTER})


def render_board_paper(paper: BoardPaper, *, template: PaperTemplate | None = None) -> Document:
    """Build the Word document for ``paper`` from ``template`` (the packaged default if None)."""
    document = (template or default_template()).open()
    _mark_every_page(document, paper.marking)
    styles = _resolve_styles(document)
    _write_cover(document, paper, styles)
    ctx = PaperContext(document, paper, styles, RagPalette(paper.rag_key))
    base_orientation = document.sections[0].orientation
    for section in paper.sections:
        landscape = section in LANDSCAPE_SECTIONS
        _use_orientation(document, WD_ORIENT.LANDSCAPE if landscape else base_orientation)
        WRITERS[section](ctx)
    return document


def render_board_paper_bytes(paper: BoardPaper, *, template: PaperTemplate | None = None) -> bytes:
    """The paper as the bytes of a .docx file."""
    return save_document_bytes(render_board_paper(paper, template=template))


def save_document_bytes(document: Document) -> bytes:
    """``document`` as .docx bytes, streaming the main XML part into the zip.

    ``Document.save`` serialises the whole body into one string first, which for a register of
    thousands of actions costs twice its size again in memory. Here python-docx saves the
    package around a stand-in main part with an empty body (so styles, headers, relationships
    and content types are written as usual), then the real body XML is written straight into
    the zip entry in chunks. Detaching the body instead would be quadratic in lxml.
    """
    part = document.part
    real = part._element
    part._element = _empty_copy(real)
    shell = io.BytesIO()
    try:
        document.save(shell)
    finally:
        part._element = real
    member = part.partname.membername
    out = io.BytesIO()
    with (
        zipfile.ZipFile(shell) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            if item.filename != member:
                target.writestr(item, source.read(item.filename))
                continue
            entry = zipfile.ZipInfo(member, date_time=item.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            with target.open(entry, "w") as stream:
                ElementTree(real).write(
                    stream, encoding="UTF-8", xml_declaration=True, standalone=True
                )
    return out.getvalue()


def _empty_copy(root: Any) -> Any:
    """A copy of the ``w:document`` element whose body holds only its section properties."""
    shell = root.makeelement(root.tag, dict(root.attrib), nsmap=root.nsmap)
    for child in root:
        if child.tag != qn("w:body"):
            shell.append(copy.deepcopy(child))
            continue
        body = SubElement(shell, child.tag)
        for sect_pr in child.findall(qn("w:sectPr")):
            body.append(copy.deepcopy(sect_pr))
    return shell


def _resolve_styles(document: Document) -> PaperStyles:
    """Style ids by name: an organisation's template may use ids other than the names."""
    ids = {style.name: str(style.style_id) for style in document.styles}
    return PaperStyles(
        normal=ids["Normal"],
        title=ids["Title"],
        heading1=ids["Heading 1"],
        heading2=ids["Heading 2"],
        list_number=ids["List Number"],
        cover=ids[COVER_STYLE],
        tables=TableStyles(
            table_id=ids["Table Grid"],
            text_id=ids[TABLE_TEXT_STYLE],
            heading_id=ids[TABLE_HEADING_STYLE],
        ),
    )


def _mark_every_page(document: Document, marking: str) -> None:
    """Put the marking atop every header and, with page numbers, in every footer.

    Later sections inherit these (python-docx links a new section's header to the previous),
    so only the first section's headers and footers are written, but all of its variants: a
    template may use a different first page or different even pages.
    """
    section = document.sections[0]
    headers = [section.header]
    footers = [section.footer]
    if section.different_first_page_header_footer:
        headers.append(section.first_page_header)
        footers.append(section.first_page_footer)
    if document.settings.odd_and_even_pages_header_footer:
        headers.append(section.even_page_header)
        footers.append(section.even_page_footer)
    for header in headers:
        _add_marking_to_header(header, marking)
    for footer in footers:
        _add_marking_to_footer(footer, marking)


def _add_marking_to_header(header: _Header, marking: str) -> None:
    header.is_linked_to_previous = False
    target = _reusable_paragraph(header) or _first_paragraph(header)
    target.style = MARKING_STYLE
    fill_paragraph(target._p, marking)


def _add_marking_to_footer(footer: _Footer, marking: str) -> None:
    footer.is_linked_to_previous = False
    pages = _reusable_paragraph(footer) or footer.add_paragraph()
    pages.style = FOOTER_STYLE
    fill_paragraph(pages._p, "Page ")
    add_field(pages._p, "PAGE")
    fill_paragraph(pages._p, " of ")
    add_field(pages._p, "NUMPAGES")
    mark = footer.add_paragraph(style=MARKING_STYLE)
    fill_paragraph(mark._p, marking)


def _reusable_paragraph(story: _Header | _Footer) -> Paragraph | None:
    """The lone empty paragraph of a blank header or footer, which would otherwise leave a gap."""
    paragraphs = story.paragraphs
    if len(story._element) == 1 and len(paragraphs) == 1:
        only: Paragraph = paragraphs[0]
        if not only.text and not _has_drawing(only):
            return only
    return None


def _first_paragraph(header: _Header) -> Paragraph:
    """A new paragraph at the very top of ``header``, above any letterhead text, logo or table."""
    paragraph = header.add_paragraph()
    header._element.insert(0, paragraph._p)
    return paragraph


def _has_drawing(paragraph: Paragraph) -> bool:
    """A letterhead logo sits in a run of an otherwise empty paragraph; never overwrite it."""
    element = paragraph._p
    return bool(element.findall(".//" + qn("w:drawing")) or element.findall(".//" + qn("w:pict")))


def _use_orientation(document: Document, orientation: WD_ORIENT) -> None:
    """Start a new section on a new page when the orientation must change."""
    current = document.sections[-1]
    if current.orientation == orientation:
        return
    section = document.add_section(WD_SECTION.NEW_PAGE)
    width, height = section.page_width, section.page_height
    section.orientation = orientation
    if width is not None and height is not None:
        wide = orientation == WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = (
            (max(width, height), min(width, height))
            if wide
            else (min(width, height), max(width, height))
        )


def _as_at(paper: BoardPaper) -> str:
    deadline = format_long_date(paper.paper_deadline)
    if paper.draft_as_at is None:
        return f"{deadline} (paper deadline)"
    return f"{format_long_date(paper.draft_as_at)} (draft: before the paper deadline of {deadline})"


def _write_cover(document: Document, paper: BoardPaper, styles: PaperStyles) -> None:
    add_paragraph(document, paper.partnership_name, style_id=styles.cover)
    add_paragraph(document, paper.board_name, style_id=styles.cover)
    add_paragraph(document, format_long_date(paper.meeting_date), style_id=styles.cover)
    add_paragraph(document, paper.title, style_id=styles.title)
    facts = [
        ("Report of: ", paper.report_of),
        ("Author: ", paper.author),
        ("Purpose: ", PURPOSE_LABELS[paper.purpose]),
        ("Protective marking: ", paper.marking),
        ("Information as at: ", _as_at(paper)),
        ("Produced: ", f"{format_timestamp(paper.generated_at)} by the SEND action tracker"),
    ]
    for label, value in facts:
        add_paragraph(document, (Segment(label, bold=True), Segment(value)), style_id=styles.normal)

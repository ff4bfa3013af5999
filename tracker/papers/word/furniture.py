"""Page furniture and document properties of a board paper, for readers and for assistive tech.

The protective marking heads and foots every page, with "Page X of Y"; a draft says DRAFT in
every page header. The document's core properties carry its title, subject and language
(en-GB), and the styles carry the language too, so a screen reader speaks English and Word's
spelling checker uses UK English. Headings keep with the paragraph that follows them and every
paragraph style has widow and orphan control on, so no page starts with a lone line or ends
with a heading.
"""

from __future__ import annotations

from docx.document import Document
from docx.oxml.ns import qn
from docx.section import _Footer, _Header
from docx.text.paragraph import Paragraph
from lxml.etree import SubElement

from tracker.papers.model import BoardPaper
from tracker.papers.template import FOOTER_STYLE, MARKING_STYLE
from tracker.papers.text import clean_text
from tracker.papers.word.docxml import add_field, fill_paragraph

LANGUAGE = "en-GB"
DRAFT = "DRAFT"
PROPERTY_LIMIT = 255


def set_properties(document: Document, paper: BoardPaper) -> None:
    """Title, subject, author and language in the core properties; language in the styles."""
    props = document.core_properties
    props.title = _property(document_title(paper))
    props.subject = _property(f"{paper.board_name} meeting, {paper.meeting_date.isoformat()}")
    props.author = _property(paper.author)
    props.language = LANGUAGE
    props.keywords = "SEND; board paper"
    set_style_language(document)


def document_title(paper: BoardPaper) -> str:
    """What the paper is called in its properties and a PDF's title bar."""
    title = f"{paper.board_name}: {paper.title}"
    return f"{DRAFT}: {title}" if paper.draft_as_at is not None else title


def _property(value: str) -> str:
    # Core properties are limited to 255 characters and, like all XML, to XML's characters.
    return clean_text(value)[:PROPERTY_LIMIT]


def set_style_language(document: Document) -> None:
    """en-GB as every style's default language (papers and the stocktake report alike)."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = SubElement(styles, qn("w:docDefaults"))
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = SubElement(defaults, qn("w:rPrDefault"))
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = SubElement(rpr_default, qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = SubElement(rpr, qn("w:lang"))
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)
    lang.set(qn("w:bidi"), lang.get(qn("w:bidi")) or "ar-SA")


def set_flow(document: Document) -> None:
    """Headings keep with next; every paragraph style keeps widows and orphans off a page."""
    for style in document.styles:
        if style.type != 1:  # WD_STYLE_TYPE.PARAGRAPH
            continue
        fmt = style.paragraph_format
        fmt.widow_control = True
        if style.name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
            fmt.keep_with_next = True


def mark_every_page(document: Document, marking: str, *, draft: bool) -> None:
    """Put the marking (and DRAFT, for a draft) atop every header and, with page numbers, in
    every footer.

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
    top = f"DRAFT: {marking}" if draft else marking
    for header in headers:
        _add_marking_to_header(header, top)
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

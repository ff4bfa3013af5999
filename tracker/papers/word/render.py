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
import re
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from docx.document import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.oxml.ns import qn
from lxml.etree import SubElement, tostring

import tracker.papers.model as model
from tracker.papers.model import BoardPaper
from tracker.papers.template import (
    COVER_STYLE,
    TABLE_HEADING_STYLE,
    TABLE_TEXT_STYLE,
    PaperTemplate,
    default_template,
)
from tracker.papers.text import PURPOSE_LABELS, format_long_date, format_timestamp
from tracker.papers.word.docxml import (
    ROWS_PI,
    RowStore,
    Segment,
    TableStyles,
    add_paragraph,
)
from tracker.papers.word.furniture import DRAFT, mark_every_page, set_flow, set_properties
from tracker.papers.word.impact import IMPACT_WRITERS
from tracker.papers.word.registers import REGISTER_WRITERS
from tracker.papers.word.sections import SECTION_WRITERS, PaperContext, PaperStyles, RagPalette

WRITERS = {**SECTION_WRITERS, **REGISTER_WRITERS, **IMPACT_WRITERS}
LANDSCAPE_SECTIONS = frozenset({model.APPENDIX_REGISTER})
_ROWS_PI = re.compile(rb"<\?" + ROWS_PI.encode() + rb" (\d+)\?>")
_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CHUNK_ROWS = 500


@dataclass(frozen=True, slots=True)
class RenderedPaper:
    """A rendered paper: the document, whose tables hold placeholders for their data rows,
    and the rows themselves as XML text (``docxml.RowStore``)."""

    document: Document
    rows: RowStore


def render_board_paper(paper: BoardPaper, *, template: PaperTemplate | None = None) -> Document:
    """Build the Word document for ``paper`` from ``template`` (the packaged default if None),
    every table row in the tree. For large papers prefer :func:`render_board_paper_bytes`."""
    rendered = render_paper(paper, template=template)
    rendered.rows.materialise(rendered.document.element)
    return rendered.document


def render_paper(paper: BoardPaper, *, template: PaperTemplate | None = None) -> RenderedPaper:
    """Render ``paper``, keeping table rows as text until the document is saved."""
    document = (template or default_template()).open()
    draft = paper.draft_as_at is not None
    mark_every_page(document, paper.marking, draft=draft)
    set_properties(document, paper)
    set_flow(document)
    styles = _resolve_styles(document)
    _write_cover(document, paper, styles)
    store = RowStore()
    ctx = PaperContext(document, paper, styles, RagPalette(paper.rag_key), store)
    base_orientation = document.sections[0].orientation
    for section in paper.sections:
        landscape = section in LANDSCAPE_SECTIONS
        _use_orientation(document, WD_ORIENT.LANDSCAPE if landscape else base_orientation)
        WRITERS[section](ctx)
    return RenderedPaper(document, store)


def render_board_paper_bytes(paper: BoardPaper, *, template: PaperTemplate | None = None) -> bytes:
    """The paper as the bytes of a .docx file."""
    rendered = render_paper(paper, template=template)
    return save_document_bytes(rendered.document, rendered.rows)


def save_document_bytes(document: Document, rows: RowStore | None = None) -> bytes:
    """``document`` as .docx bytes, with ``rows`` spliced into its tables as it is written.

    python-docx saves the package around a stand-in main part with an empty body (so styles,
    headers, relationships and content types are written as usual); then the real body, which
    without its data rows is small, is serialised and written into the zip entry, each table's
    placeholder replaced by its stored rows in chunks, so the rows never become elements."""
    part = document.part
    real = part._element
    if rows is not None and real.nsmap.get("w") != _W_NS:
        rows.materialise(real)  # a template with another prefix: rows as elements after all
        rows = None
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
                _write_main_part(stream, real, rows)
    return out.getvalue()


def _write_main_part(stream: IO[bytes], root: Any, rows: RowStore | None) -> None:
    xml = tostring(root, encoding="UTF-8", xml_declaration=True, standalone=True)
    if rows is None:
        stream.write(xml)
        return
    position = 0
    for found in _ROWS_PI.finditer(xml):
        stream.write(xml[position : found.start()])
        table = rows.rows(int(found.group(1)))
        for start in range(0, len(table), _CHUNK_ROWS):
            stream.write("".join(table[start : start + _CHUNK_ROWS]).encode())
        position = found.end()
    stream.write(xml[position:])


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


def _font_points(document: Document, name: str) -> float:
    """The font size a paragraph style prints at, following its base styles (default 11)."""
    style: Any = document.styles[name]
    while style is not None:
        if style.font.size is not None:
            return float(style.font.size.pt)
        style = style.base_style
    return 11.0


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
            text_points=_font_points(document, TABLE_TEXT_STYLE),
        ),
    )


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
    if paper.draft_as_at is not None:
        add_paragraph(
            document,
            (Segment(f"{DRAFT}: ", bold=True), Segment("not the final paper for the meeting")),
            style_id=styles.cover,
        )
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

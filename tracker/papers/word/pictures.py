"""Charts placed in a board paper: inline pictures with their alt text in the Word XML.

Word and LibreOffice read a picture's alt text from ``wp:docPr``: ``descr`` is the description
a screen reader speaks and ``title`` its short name; both are set from the chart, and a PDF
exported with tags carries the description as the figure's alternate text. Several small
charts (the measure trends) share a paragraph, side by side, each with its own alt text.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx.document import Document
from docx.oxml.ns import qn
from docx.shared import Cm, Emu
from docx.text.paragraph import Paragraph

from tracker.papers.text import clean_text
from tracker.papers.word.charts import Chart

_EMU_PER_CM = 360000


def usable_width_cm(document: Document) -> float:
    """The width between the margins of the section being written, in centimetres."""
    section = document.sections[-1]
    page = section.page_width or Cm(21.0)
    margins = (section.left_margin or Cm(2.54)) + (section.right_margin or Cm(2.54))
    return float(Emu(page - margins)) / _EMU_PER_CM


def add_charts(document: Document, charts: Sequence[Chart], *, title: str, style_id: str) -> None:
    """One paragraph holding ``charts`` side by side, each titled ``title`` for assistive tech."""
    if not charts:
        return
    before = document.element.body[-2] if len(document.element.body) > 1 else None
    follows_chart = before is not None and before.find(".//" + qn("wp:inline")) is not None
    if before is not None and before.tag == qn("w:p") and not follows_chart:
        # The sentence or heading introducing a chart stays on the chart's page.
        Paragraph(before, document).paragraph_format.keep_with_next = True
    paragraph = document.add_paragraph()
    paragraph._p.style = style_id
    for chart in charts:
        shape = paragraph.add_run().add_picture(io.BytesIO(chart.png), width=Cm(chart.width_cm))
        doc_pr = shape._inline.docPr
        doc_pr.set("descr", clean_text(chart.alt))
        doc_pr.set("title", clean_text(title))

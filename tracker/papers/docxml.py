"""Low-level WordprocessingML building for board papers: runs, shaded cells, fast tables.

python-docx's ``Table.cell`` lookup recomputes the whole grid on every call, and even
``add_row().cells`` plus ``cell.text`` costs tens of element look-ups per cell, so a 10,000-row
register takes many seconds. Here each table gets a prototype ``w:tr`` built once; every data
row is a deep copy of one (a single C-level copy in lxml) whose paragraphs then receive runs.
Data rows carry no ``w:tcW``: widths live in the grid and the header row, which keeps a large
register's memory down. All text reaches the XML through :func:`append_runs`, which passes it
through :func:`tracker.papers.text.clean_text`, the one sanitiser.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeAlias

from docx.document import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Emu
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml.etree import SubElement

from tracker.papers.text import LINE_BREAK, clean_text

_W_R = qn("w:r")
_W_T = qn("w:t")
_W_BR = qn("w:br")
_W_TAB = qn("w:tab")
_W_RPR = qn("w:rPr")
_W_B = qn("w:b")
_W_COLOR = qn("w:color")
_W_VAL = qn("w:val")
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_TWIPS_PER_EMU = 1 / 635
# A cell this long may be taller than a page in a narrow column; its row is let break.
UNSPLIT_LIMIT = 1500


@dataclass(frozen=True, slots=True)
class RagCell:
    """A rating as a cell shows it: the word, shaded with the key colour in a contrasting font."""

    label: str
    fill: str | None  # "RRGGBB" without '#', or None for no shading
    font_colour: str = "000000"


class Segment(NamedTuple):
    """A piece of text within one paragraph, optionally bold (for inline labels).

    A named tuple rather than a frozen dataclass: registers create tens of thousands."""

    text: str
    bold: bool = False


CellValue: TypeAlias = str | RagCell | tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class Column:
    """One table column: its heading and its share of the available width (weights are
    roughly centimetres on A4, scaled to the page the table sits on)."""

    heading: str | RagCell
    weight: float


def contrast_colour(fill: str) -> str:
    """Black or white, whichever reads better on ``fill`` ("RRGGBB"), by WCAG contrast."""
    channels = [int(fill[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    on_white = 1.05 / (luminance + 0.05)
    on_black = (luminance + 0.05) / 0.05
    return "FFFFFF" if on_white >= on_black else "000000"


def append_runs(p: Any, text: str, *, bold: bool = False, font_colour: str | None = None) -> None:
    """Append ``text`` to paragraph element ``p`` as one run: newlines become ``w:br``, tabs
    ``w:tab``. Nothing is appended for empty text."""
    text = clean_text(text)
    if not text:
        return
    r = SubElement(p, _W_R)
    if bold or font_colour:
        rpr = SubElement(r, _W_RPR)
        if bold:
            SubElement(rpr, _W_B)
        if font_colour:
            SubElement(rpr, _W_COLOR, {_W_VAL: font_colour})
    if "\n" not in text and "\r" not in text and "\t" not in text:
        _append_t(r, text)  # the common case, kept cheap for long registers
        return
    for index, line in enumerate(LINE_BREAK.split(text)):
        if index:
            SubElement(r, _W_BR)
        for piece_index, piece in enumerate(line.split("\t")):
            if piece_index:
                SubElement(r, _W_TAB)
            if piece:
                _append_t(r, piece)


def _append_t(r: Any, text: str) -> None:
    t = SubElement(r, _W_T)
    t.text = text
    # Word trims leading and trailing spaces unless told to keep them.
    if text[0].isspace() or text[-1].isspace():
        t.set(_XML_SPACE, "preserve")


def fill_paragraph(p: Any, value: str | tuple[Segment, ...]) -> None:
    """Write a plain string or a sequence of (optionally bold) segments into ``p``."""
    if isinstance(value, str):
        append_runs(p, value)
    else:
        for segment in value:
            append_runs(p, segment.text, bold=segment.bold)


def add_paragraph(
    document: Document, value: str | tuple[Segment, ...], *, style_id: str
) -> Paragraph:
    """A body paragraph in the style with id ``style_id``, holding sanitised text.

    Styles go by id because python-docx's look-up by name scans every style each time."""
    paragraph = document.add_paragraph()
    paragraph._p.style = style_id
    fill_paragraph(paragraph._p, value)
    return paragraph


def add_field(p: Any, instruction: str) -> None:
    """Append a complex field (e.g. ``PAGE``) that Word and LibreOffice compute on display."""
    p.append(parse_xml(f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="begin"/></w:r>'))
    p.append(
        parse_xml(
            f'<w:r {nsdecls("w")}><w:instrText xml:space="preserve"> {instruction} </w:instrText>'
            "</w:r>"
        )
    )
    p.append(parse_xml(f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="separate"/></w:r>'))
    p.append(parse_xml(f"<w:r {nsdecls('w')}><w:t>1</w:t></w:r>"))
    p.append(parse_xml(f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="end"/></w:r>'))


def _cell_xml(style_id: str, width: int | None = None, *, declare_ns: bool = False) -> str:
    """One empty cell; ``declare_ns`` for a cell parsed on its own rather than inside a row."""
    tc_pr = f'<w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>' if width is not None else ""
    tc = f"<w:tc {nsdecls('w')}>" if declare_ns else "<w:tc>"
    return f'{tc}{tc_pr}<w:p><w:pPr><w:pStyle w:val="{style_id}"/></w:pPr></w:p></w:tc>'


def _write_rag_label(p: Any, value: RagCell) -> None:
    """White text is set bold as well, for the darker fills where contrast is lowest; black
    text is the table text's own colour, so it needs no run properties (which, over thousands
    of register rows, keeps memory down)."""
    if value.font_colour.upper() == "000000":
        append_runs(p, value.label)
    else:
        append_runs(p, value.label, bold=True, font_colour=value.font_colour)


def _shade(tc: Any, fill: str) -> None:
    """Give cell ``tc`` a solid background; ``w:shd`` follows ``w:tcW`` in ``w:tcPr``."""
    tc_pr = tc.find(qn("w:tcPr"))
    if tc_pr is None:
        tc_pr = tc.makeelement(qn("w:tcPr"), {})
        tc.insert(0, tc_pr)
    tc_pr.append(tc_pr.makeelement(qn("w:shd"), {qn("w:val"): "clear", qn("w:fill"): fill}))


def _longest_text(values: Sequence[CellValue]) -> int:
    longest = 0
    for value in values:
        if isinstance(value, str):
            longest = max(longest, len(value))
        elif isinstance(value, tuple):
            longest = max(longest, sum(len(segment.text) for segment in value))
    return longest


class _RowWriter:
    """Stamps out data rows from one prototype, with ready-made shaded cells per rating.

    Rows are kept whole on one page (``w:cantSplit``), so a reader never meets half an action
    at the foot of a page; except a row with a cell longer than ``UNSPLIT_LIMIT`` characters,
    which might not fit on a page at all, and which Word would then cut off rather than break.
    """

    def __init__(self, column_count: int, style_id: str, *, keep_rows_whole: bool) -> None:
        self._style_id = style_id
        self._limit = UNSPLIT_LIMIT if keep_rows_whole else -1
        cells = _cell_xml(style_id) * column_count
        self._whole = parse_xml(
            f"<w:tr {nsdecls('w')}><w:trPr><w:cantSplit/></w:trPr>{cells}</w:tr>"
        )
        self._splittable = parse_xml(f"<w:tr {nsdecls('w')}>{cells}</w:tr>")
        self._rag_cells: dict[RagCell, Any] = {}

    def _rag_tc(self, value: RagCell) -> Any:
        tc = self._rag_cells.get(value)
        if tc is None:
            tc = parse_xml(_cell_xml(self._style_id, declare_ns=True))
            if value.fill:
                _shade(tc, value.fill)
            _write_rag_label(tc[-1], value)
            self._rag_cells[value] = tc
        return tc

    def write(self, tbl: Any, values: Sequence[CellValue]) -> None:
        whole = self._limit >= 0 and _longest_text(values) <= self._limit
        tr = copy.deepcopy(self._whole if whole else self._splittable)
        for tc, value in zip(list(tr)[1:] if whole else list(tr), values, strict=True):
            if isinstance(value, RagCell):
                tr.replace(tc, copy.deepcopy(self._rag_tc(value)))
            else:
                fill_paragraph(tc[-1], value)
        tbl.append(tr)


def _header_row(columns: Sequence[Column], widths: Sequence[int], style_id: str) -> Any:
    cells = "".join(_cell_xml(style_id, width) for width in widths)
    # tblHeader repeats the row at the top of every page; cantSplit keeps it whole.
    tr = parse_xml(
        f"<w:tr {nsdecls('w')}><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>{cells}</w:tr>"
    )
    for tc, column in zip(tr[1:], columns, strict=True):
        heading = column.heading
        if isinstance(heading, RagCell):
            if heading.fill:
                _shade(tc, heading.fill)
            _write_rag_label(tc[-1], heading)
        else:
            _shade(tc, "D9D9D9")
            append_runs(tc[-1], heading)
    return tr


@dataclass(frozen=True, slots=True)
class TableStyles:
    """Style ids and names the table builder applies, resolved once per document."""

    table_id: str  # table style id, e.g. "TableGrid"
    text_id: str  # paragraph style id for body cells
    heading_id: str  # paragraph style id for header cells


def add_table(
    document: Document,
    columns: Sequence[Column],
    rows: Iterable[Sequence[CellValue]],
    *,
    styles: TableStyles,
    keep_rows_whole: bool = True,
) -> Table:
    """Append a table whose header row repeats on every page, sized to the current section.

    ``keep_rows_whole=False`` lets every row break across pages: for the register appendix,
    whose one-line rows rarely need it and whose ten thousand rows would carry the extra
    properties into memory."""
    section = document.sections[-1]
    # A template may leave page size or margins to Word's defaults (A4, 2.54 cm).
    page_width = section.page_width or Cm(21.0)
    margins = (section.left_margin or Cm(2.54)) + (section.right_margin or Cm(2.54))
    usable = page_width - margins
    total_weight = sum(column.weight for column in columns)
    widths = [int(usable * _TWIPS_PER_EMU * c.weight / total_weight) for c in columns]
    table: Table = document.add_table(rows=0, cols=len(columns))
    table._tbl.tblPr.style = styles.table_id
    table.autofit = False  # fixed layout: Word need not measure every cell of a long register
    for grid_col, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
        grid_col.w = Emu(width * 635)
    tbl = table._tbl
    tbl.append(_header_row(columns, widths, styles.heading_id))
    writer = _RowWriter(len(columns), styles.text_id, keep_rows_whole=keep_rows_whole)
    for values in rows:
        writer.write(tbl, values)
    return table

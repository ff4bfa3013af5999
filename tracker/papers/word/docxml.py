"""Low-level WordprocessingML building for board papers: runs, shaded cells, fast tables.

python-docx's ``Table.cell`` lookup recomputes the whole grid on every call, and even lxml
elements cost about a kilobyte each, so a 10,000-action paper built as a tree of elements runs
past its memory budget once every row carries ``w:cantSplit``. Table rows are therefore built
as XML *text*: each data row is one string, which costs its own length in memory. A table's
element holds its grid and header row and, in place of its data rows, a processing instruction
naming an entry of the :class:`RowStore`; ``render.py`` splices the stored rows in as it writes
the .docx (or parses them into the tree when a caller wants a python-docx Document). Every row
is kept whole on one page (``w:cantSplit``) and the header row repeats on each page
(``w:tblHeader``). Column widths come from the content (``widths.py``). All text reaches the
XML through :func:`tracker.papers.text.clean_text`, the one sanitiser, and is escaped here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeAlias

from docx.document import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Emu
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml.etree import ProcessingInstruction, SubElement

from tracker.papers.text import LINE_BREAK, clean_text
from tracker.papers.word.widths import ColumnKind, fit_widths, measure_column

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
ROWS_PI = "paper-rows"  # the processing instruction a table's stored rows replace
HEADER_FILL = "D9D9D9"


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
    """One table column: its heading, what kind of content it holds (``widths.py``: ``fixed``
    never wraps, ``words`` wraps only between words, ``text`` takes the rest) and, for text
    columns, its share of the rest."""

    heading: str | RagCell
    kind: ColumnKind = "text"
    weight: float = 1.0


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of ``colour`` ("RRGGBB")."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio between two "RRGGBB" colours (1 to 21; AA text needs 4.5)."""
    a, b = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def contrast_colour(fill: str) -> str:
    """Black or white, whichever has the higher WCAG contrast ratio on ``fill`` ("RRGGBB")."""
    return (
        "FFFFFF" if contrast_ratio(fill, "FFFFFF") >= contrast_ratio(fill, "000000") else "000000"
    )


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


def escape_text(text: str) -> str:
    """``text`` as XML character data."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _t_xml(text: str) -> str:
    # Word trims leading and trailing spaces unless told to keep them.
    if text[0].isspace() or text[-1].isspace():
        return f'<w:t xml:space="preserve">{escape_text(text)}</w:t>'
    return f"<w:t>{escape_text(text)}</w:t>"


# Anything in a run that needs more than wrapping in w:t: characters to drop or escape, line
# breaks, tabs and spaces at either end. Most register text has none, and is one search.
_NEEDS_WORK = re.compile(r"[\x00-\x1f&<>\ud800-\udfff\ufffe\uffff]|^\s|\s$")


def run_xml(
    text: str, *, bold: bool = False, font_colour: str | None = None, keep_hyphens: bool = False
) -> str:
    """One ``w:r`` holding sanitised ``text`` (newlines as ``w:br``, tabs as ``w:tab``;
    hyphens as non-breaking hyphens with ``keep_hyphens``, so "Co-Chair" stays one word)."""
    props = ""
    if bold or font_colour:
        colour = f'<w:color w:val="{font_colour}"/>' if font_colour else ""
        props = f"<w:rPr>{'<w:b/>' if bold else ''}{colour}</w:rPr>"
    if keep_hyphens and "-" in text:
        pieces = [run_xml(part, bold=bold, font_colour=font_colour) for part in text.split("-")]
        hyphen = f"<w:r>{props}<w:noBreakHyphen/></w:r>"
        return hyphen.join(pieces)
    if text and _NEEDS_WORK.search(text) is None:
        return f"<w:r>{props}<w:t>{text}</w:t></w:r>"  # the common case, kept cheap
    text = clean_text(text)
    if not text:
        return ""
    pieces = []
    for index, line in enumerate(LINE_BREAK.split(text)):
        if index:
            pieces.append("<w:br/>")
        for piece_index, piece in enumerate(line.split("\t")):
            if piece_index:
                pieces.append("<w:tab/>")
            if piece:
                pieces.append(_t_xml(piece))
    return f"<w:r>{props}{''.join(pieces)}</w:r>"


def _rag_runs(value: RagCell) -> str:
    """White text is set bold as well, for the darker fills where contrast is lowest; black
    text is the table text's own colour, so it needs no run properties."""
    if value.font_colour.upper() == "000000":
        return run_xml(value.label)
    return run_xml(value.label, bold=True, font_colour=value.font_colour)


def _shading(fill: str) -> str:
    return f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>'


def _plain_text(value: CellValue) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, RagCell):
        return value.label
    return "".join(segment.text for segment in value)


class _RowBuilder:
    """Builds data rows as strings, with ready-made shaded cells per rating."""

    def __init__(self, style_id: str, columns: Sequence[Column]) -> None:
        self._open = f'<w:tc><w:p><w:pPr><w:pStyle w:val="{style_id}"/></w:pPr>'
        self._style_id = style_id
        # Names, organisations and workstreams break only at spaces, never at a hyphen.
        self._keep_hyphens = [column.kind == "words" for column in columns]
        self._rag_cells: dict[RagCell, str] = {}

    def _rag_tc(self, value: RagCell) -> str:
        found = self._rag_cells.get(value)
        if found is None:
            shade = f"<w:tcPr>{_shading(value.fill)}</w:tcPr>" if value.fill else ""
            found = (
                f'<w:tc>{shade}<w:p><w:pPr><w:pStyle w:val="{self._style_id}"/></w:pPr>'
                f"{_rag_runs(value)}</w:p></w:tc>"
            )
            self._rag_cells[value] = found
        return found

    def row(self, values: Sequence[CellValue]) -> str:
        cells = []
        for value, keep in zip(values, self._keep_hyphens, strict=True):
            if isinstance(value, RagCell):
                cells.append(self._rag_tc(value))
            elif isinstance(value, str):
                cells.append(f"{self._open}{run_xml(value, keep_hyphens=keep)}</w:p></w:tc>")
            else:
                runs = "".join(run_xml(s.text, bold=s.bold) for s in value)
                cells.append(f"{self._open}{runs}</w:p></w:tc>")
        return f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{''.join(cells)}</w:tr>"


def _header_row(columns: Sequence[Column], widths: Sequence[int], style_id: str) -> Any:
    cells = []
    for column, width in zip(columns, widths, strict=True):
        heading = column.heading
        if isinstance(heading, RagCell):
            fill = heading.fill
            runs = _rag_runs(heading)
        else:
            fill, runs = HEADER_FILL, run_xml(heading)
        shade = _shading(fill) if fill else ""
        cells.append(
            f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shade}</w:tcPr>'
            f'<w:p><w:pPr><w:pStyle w:val="{style_id}"/></w:pPr>{runs}</w:p></w:tc>'
        )
    # tblHeader marks the row as the table's header (read out by assistive technology) and
    # repeats it at the top of every page; cantSplit keeps it whole.
    return parse_xml(
        f"<w:tr {nsdecls('w')}><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>{''.join(cells)}</w:tr>"
    )


class RowStore:
    """The data rows of a document's tables, as XML text, keyed by the processing instruction
    each table holds in their place."""

    def __init__(self) -> None:
        self._tables: list[list[str]] = []

    def hold(self, tbl: Any, rows: list[str]) -> None:
        """Keep ``rows`` for table element ``tbl``, which gets a placeholder at its end."""
        tbl.append(ProcessingInstruction(ROWS_PI, str(len(self._tables))))
        self._tables.append(rows)

    def rows(self, index: int) -> list[str]:
        return self._tables[index]

    def materialise(self, root: Any) -> None:
        """Replace every placeholder under ``root`` with its rows as real elements."""
        for pi in list(root.iter(ProcessingInstruction)):
            if pi.target != ROWS_PI:
                continue
            parent = pi.getparent()
            holder = parse_xml(
                f"<w:tbl {nsdecls('w')}>{''.join(self._tables[int(pi.text)])}</w:tbl>"
            )
            position = parent.index(pi)
            parent.remove(pi)
            for offset, tr in enumerate(list(holder)):
                parent.insert(position + offset, tr)


@dataclass(frozen=True, slots=True)
class TableStyles:
    """Style ids the table builder applies, resolved once per document."""

    table_id: str  # table style id, e.g. "TableGrid"
    text_id: str  # paragraph style id for body cells
    heading_id: str  # paragraph style id for header cells
    text_points: float = 9.0  # the body cells' font size, for measuring columns


def _column_widths(
    columns: Sequence[Column], rows: Sequence[Sequence[CellValue]], usable: int, points: float
) -> list[int]:
    needs = []
    for index, column in enumerate(columns):
        heading = _plain_text(column.heading)
        values = [] if column.kind == "text" else [_plain_text(row[index]) for row in rows]
        needs.append(
            measure_column(column.kind, heading, values, points=points, weight=column.weight)
        )
    return fit_widths(needs, usable)


def add_table(
    document: Document,
    columns: Sequence[Column],
    rows: Iterable[Sequence[CellValue]],
    *,
    styles: TableStyles,
    store: RowStore,
) -> Table:
    """Append a table sized to its content and the current section, whose rows never split
    across pages and whose header row repeats on every page."""
    section = document.sections[-1]
    # A template may leave page size or margins to Word's defaults (A4, 2.54 cm).
    page_width = section.page_width or Cm(21.0)
    margins = (section.left_margin or Cm(2.54)) + (section.right_margin or Cm(2.54))
    usable = int((page_width - margins) * _TWIPS_PER_EMU)
    body = [list(values) for values in rows]
    widths = _column_widths(columns, body, usable, styles.text_points)
    table: Table = document.add_table(rows=0, cols=len(columns))
    table._tbl.tblPr.style = styles.table_id
    table.autofit = False  # fixed layout: Word need not measure every cell of a long register
    for grid_col, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
        grid_col.w = Emu(width * 635)
    tbl = table._tbl
    tbl.append(_header_row(columns, widths, styles.heading_id))
    builder = _RowBuilder(styles.text_id, columns)
    store.hold(tbl, [builder.row(values) for values in body])
    return table

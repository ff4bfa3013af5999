"""Build ``tracker/papers/templates/default.docx``, the packaged board paper template.

Run ``python -m tracker.papers.build_default_template`` after changing the look below and commit
the result. It starts from python-docx's own blank document, sets A4 with 2 cm margins, Arial
throughout (the face most council and NHS templates use), dark blue headings and the paper's own
``Paper ...`` styles. Zip entries get a fixed timestamp so rebuilding an unchanged template gives
identical bytes and a clean diff.
"""

from __future__ import annotations

import io
import sys
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import docx
from docx.document import Document
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.styles.style import ParagraphStyle

from tracker.papers.template import COVER_STYLE, add_paper_styles, find_missing_styles

OUTPUT = Path(__file__).resolve().parent / "templates" / "default.docx"
FONT = "Arial"
HEADING_COLOUR = RGBColor(0x1F, 0x38, 0x64)
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_THEME_FONT_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _set_font(parent: Any, name: str) -> None:
    """Name the font outright on ``parent``'s ``w:rPr``: theme font attributes would otherwise
    win over ``w:ascii``. ``w:rFonts`` comes first in ``w:rPr``, so it is inserted at the top."""
    rpr = parent.find(qn("w:rPr"))
    if rpr is None:
        rpr = parent.makeelement(qn("w:rPr"), {})
        parent.append(rpr)
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attribute in _THEME_FONT_ATTRIBUTES:
        fonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)


def _paragraph_style(document: Document, name: str) -> ParagraphStyle:
    style = document.styles[name]
    assert isinstance(style, ParagraphStyle)
    return style


def _configure_page(document: Document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.0))
    section.header_distance = section.footer_distance = Cm(1.0)


def _configure_styles(document: Document) -> None:
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr_default = defaults.find(qn("w:rPrDefault"))
        _set_font(rpr_default, FONT)
        # British English, so Word's spelling check accepts "organisation" and "programme".
        for lang in rpr_default.iter(qn("w:lang")):
            lang.set(qn("w:val"), "en-GB")
            lang.set(qn("w:eastAsia"), "en-GB")
    normal = _paragraph_style(document, "Normal")
    _set_font(normal.element, FONT)
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    looks = {"Title": 20, "Heading 1": 14, "Heading 2": 12}
    for name, size in looks.items():
        style = _paragraph_style(document, name)
        _set_font(style.element, FONT)
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = HEADING_COLOUR
        style.paragraph_format.space_before = Pt(12 if name != "Title" else 6)
        style.paragraph_format.space_after = Pt(6)
    add_paper_styles(document)
    _paragraph_style(document, COVER_STYLE).font.color.rgb = HEADING_COLOUR


def build_default_template() -> bytes:
    """The default template as .docx bytes."""
    document = docx.Document()
    _configure_page(document)
    _configure_styles(document)
    properties = document.core_properties
    properties.title = "Board paper"
    properties.author = "SEND Partnership Action Tracker"
    properties.last_modified_by = "SEND Partnership Action Tracker"
    properties.created = properties.modified = datetime(2025, 9, 1)
    properties.revision = 1
    missing = find_missing_styles(document)
    if missing:
        raise RuntimeError(f"default template lacks {', '.join(missing)}")
    buffer = io.BytesIO()
    document.save(buffer)
    return _with_fixed_timestamps(buffer.getvalue())


def _with_fixed_timestamps(data: bytes) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            fixed = zipfile.ZipInfo(item.filename, date_time=_FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(item.filename))
    return out.getvalue()


def main() -> None:
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_bytes(build_default_template())
    sys.stdout.write(f"wrote {OUTPUT}\n")


if __name__ == "__main__":
    main()

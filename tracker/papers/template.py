"""The Word template a board paper starts from: the packaged default or an organisation's own.

A template supplies page size, margins, fonts, heading looks and the letterhead or logo in its
header and footer. :func:`load_template` reads it once and checks that every built-in style the
renderer applies exists, so a template made from a blank Word document (where "Heading 2" or
"Table Grid" may never have been used, and so is absent) fails at load time with every missing
style named, not half-way through a paper. The paper's own styles (``Paper ...``) are optional:
an organisation may define them to restyle tables, the cover or the marking; any that are absent
are added, based on the template's Normal style, so they inherit its font. Whatever the template's
body holds is dropped: a paper uses only its styles, page setup, headers and footers.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import docx
from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.styles.style import ParagraphStyle

from tracker.errors import ConfigurationError

# Built-in styles the renderer applies, with the kind each must be.
REQUIRED_STYLES: dict[str, WD_STYLE_TYPE] = {
    "Normal": WD_STYLE_TYPE.PARAGRAPH,
    "Title": WD_STYLE_TYPE.PARAGRAPH,
    "Heading 1": WD_STYLE_TYPE.PARAGRAPH,
    "Heading 2": WD_STYLE_TYPE.PARAGRAPH,
    "List Number": WD_STYLE_TYPE.PARAGRAPH,
    "Table Grid": WD_STYLE_TYPE.TABLE,
}

COVER_STYLE = "Paper Cover"
MARKING_STYLE = "Paper Marking"
FOOTER_STYLE = "Paper Footer"
TABLE_TEXT_STYLE = "Paper Table Text"
TABLE_HEADING_STYLE = "Paper Table Heading"

_DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_DOTX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"


class TemplateError(ConfigurationError):
    """A paper template cannot be used; the message says which file and what is wrong."""


@dataclass(frozen=True, slots=True)
class PaperTemplate:
    """A checked template with an empty body, held as bytes so every paper starts afresh."""

    source: str  # where it came from, for messages
    data: bytes

    def open(self) -> Document:
        """A new, independent python-docx document made from the template."""
        return docx.Document(io.BytesIO(self.data))


def _style_cover(style: ParagraphStyle) -> None:
    style.font.bold = True
    style.font.size = Pt(12)
    style.paragraph_format.space_after = Pt(2)


def _style_marking(style: ParagraphStyle) -> None:
    style.font.bold = True
    style.font.size = Pt(10)
    style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    style.paragraph_format.space_before = Pt(0)
    style.paragraph_format.space_after = Pt(0)


def _style_footer(style: ParagraphStyle) -> None:
    style.font.size = Pt(9)
    style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    style.paragraph_format.space_before = Pt(0)
    style.paragraph_format.space_after = Pt(0)


def _style_table_text(style: ParagraphStyle) -> None:
    # Black, so RAG words on the light fills (amber, green) need no colour of their own.
    style.font.color.rgb = RGBColor(0, 0, 0)
    style.font.size = Pt(9)
    style.paragraph_format.space_before = Pt(1)
    style.paragraph_format.space_after = Pt(1)
    style.paragraph_format.line_spacing = 1.0


def _style_table_heading(style: ParagraphStyle) -> None:
    _style_table_text(style)
    style.font.bold = True


# The paper's own styles, in creation order, with how each looks when a template lacks it.
PAPER_STYLES: dict[str, Callable[[ParagraphStyle], None]] = {
    COVER_STYLE: _style_cover,
    MARKING_STYLE: _style_marking,
    FOOTER_STYLE: _style_footer,
    TABLE_TEXT_STYLE: _style_table_text,
    TABLE_HEADING_STYLE: _style_table_heading,
}


def find_missing_styles(document: Document) -> list[str]:
    """Required styles absent from ``document`` (or present as the wrong kind), in order."""
    by_name = {style.name: style.type for style in document.styles}
    return [
        name
        for name, kind in REQUIRED_STYLES.items()
        if by_name.get(name) is None or by_name[name] != kind
    ]


def add_paper_styles(document: Document) -> None:
    """Add each ``Paper ...`` style the document lacks, based on its Normal style."""
    existing = {style.name for style in document.styles}
    for name, configure in PAPER_STYLES.items():
        if name in existing:
            continue
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        assert isinstance(style, ParagraphStyle)
        style.base_style = document.styles["Normal"]
        style.quick_style = True
        configure(style)


def _as_docx_bytes(data: bytes) -> bytes:
    """A .dotx is a .docx with another content type; relabel it so python-docx opens it."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        types = source.read("[Content_Types].xml")
        if _DOTX_MAIN.encode() not in types:
            return data
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for item in source.infolist():
                blob = source.read(item.filename)
                if item.filename == "[Content_Types].xml":
                    blob = blob.replace(_DOTX_MAIN.encode(), _DOCX_MAIN.encode())
                target.writestr(item, blob)
        return out.getvalue()


def _read_document(data: bytes, source: str) -> Document:
    try:
        return docx.Document(io.BytesIO(_as_docx_bytes(data)))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as error:
        raise TemplateError(
            f"paper template {source} is not a Word document (.docx or .dotx): {error}"
        ) from error


def _clear_body(document: Document) -> None:
    """Drop the template's body content but keep its final section properties, which carry
    the page size, margins and the header/footer references (letterhead, logo)."""
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def build_template(data: bytes, *, source: str) -> PaperTemplate:
    """Check a template's bytes and return it ready to render from."""
    document = _read_document(data, source)
    missing = find_missing_styles(document)
    if missing:
        raise TemplateError(
            f"paper template {source} lacks the Word style(s) {', '.join(missing)}; "
            "apply each style once in Word (or start from the default template) and save"
        )
    add_paper_styles(document)
    _clear_body(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return PaperTemplate(source=source, data=buffer.getvalue())


def load_template(path: Path | None = None) -> PaperTemplate:
    """The organisation's template at ``path``, or the packaged default when ``path`` is None."""
    if path is None:
        return default_template()
    try:
        data = path.read_bytes()
    except OSError as error:
        raise TemplateError(f"paper template {path} cannot be read: {error}") from error
    return build_template(data, source=str(path))


@cache
def default_template() -> PaperTemplate:
    """The template shipped in ``tracker/papers/templates/default.docx`` (read once)."""
    resource = resources.files("tracker.papers").joinpath("templates", "default.docx")
    return build_template(resource.read_bytes(), source="(packaged default.docx)")

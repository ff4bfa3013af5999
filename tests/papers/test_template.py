"""Templates: the packaged default, an organisation's own letterhead, and ones that cannot work."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from tests.papers.factories import board_paper
from tests.papers.readback import headings, reopen
from tracker.papers import TemplateError, load_template
from tracker.papers.build_default_template import OUTPUT, build_default_template
from tracker.papers.template import PAPER_STYLES, REQUIRED_STYLES

LETTERHEAD = "Lancashire County Council letterhead"


def _png() -> bytes:
    """A 1x1 white PNG, for a logo."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _organisation_template(path: Path, *, logo: bool = False) -> Path:
    document = docx.Document()
    header = document.sections[0].header
    header.paragraphs[0].text = LETTERHEAD
    if logo:
        header.add_paragraph().add_run().add_picture(io.BytesIO(_png()))
    normal = document.styles["Normal"]
    normal.font.name = "Georgia"
    normal.font.size = Pt(12)
    document.add_paragraph("Template body text that the paper must not keep.")
    document.save(path)
    return path


def test_the_default_template_loads_and_has_every_style():
    document = load_template(None).open()
    names = {style.name for style in document.styles}

    assert set(REQUIRED_STYLES) <= names
    assert set(PAPER_STYLES) <= names


def test_the_committed_default_template_is_what_the_build_script_makes():
    assert OUTPUT.read_bytes() == build_default_template()


def test_an_organisation_template_keeps_its_letterhead_and_its_normal_style(tmp_path):
    template = load_template(_organisation_template(tmp_path / "lcc.docx"))
    document = reopen(board_paper("workstream"), template)

    header = [p.text for p in document.sections[0].header.paragraphs]
    assert header == ["OFFICIAL", LETTERHEAD]
    normal = document.styles["Normal"]
    assert normal.font.name == "Georgia" and normal.font.size == Pt(12)
    summary = next(p for p in document.paragraphs if p.text == "Progress is steady.")
    assert summary.style.name == "Normal"
    # The paper's own table style was added, based on Normal, so tables use Georgia too.
    assert document.styles["Paper Table Text"].base_style.name == "Normal"
    assert "Template body text that the paper must not keep." not in [
        p.text for p in document.paragraphs
    ]
    assert headings(document)[0] == "Recommendations"


def test_a_logo_in_the_template_header_survives(tmp_path):
    template = load_template(_organisation_template(tmp_path / "logo.docx", logo=True))
    document = reopen(board_paper("strategic"), template)
    header = document.sections[0].header

    assert header.paragraphs[0].text == "OFFICIAL"
    assert header._element.findall(".//" + qn("w:drawing")), "the logo was lost"
    assert header.part.related_parts, "the logo's image part was lost"


def test_a_template_with_a_different_first_page_is_marked_on_both(tmp_path):
    path = _organisation_template(tmp_path / "first.docx")
    document = docx.Document(path)
    section = document.sections[0]
    section.different_first_page_header_footer = True
    section.first_page_header.paragraphs[0].text = "Cover letterhead"
    document.save(path)

    rendered = reopen(board_paper("strategic"), load_template(path))
    first = rendered.sections[0].first_page_header
    assert [p.text for p in first.paragraphs] == ["OFFICIAL", "Cover letterhead"]
    assert "OFFICIAL" in [p.text for p in rendered.sections[0].first_page_footer.paragraphs]


def test_a_template_missing_styles_is_refused_naming_every_one(tmp_path):
    document = docx.Document()
    for name in ("List Number", "Table Grid"):
        style = document.styles[name]
        style.element.getparent().remove(style.element)
    document.save(tmp_path / "bare.docx")

    with pytest.raises(TemplateError) as raised:
        load_template(tmp_path / "bare.docx")

    assert "List Number" in str(raised.value)
    assert "Table Grid" in str(raised.value)
    assert "bare.docx" in str(raised.value)
    assert isinstance(raised.value, ValueError)


def test_a_file_that_is_not_a_word_document_is_refused(tmp_path):
    path = tmp_path / "letterhead.docx"
    path.write_text("not a zip")

    with pytest.raises(TemplateError, match="not a Word document"):
        load_template(path)


def test_a_missing_template_file_is_refused(tmp_path):
    with pytest.raises(TemplateError, match="cannot be read"):
        load_template(tmp_path / "nowhere.docx")


def test_a_dotx_template_is_accepted(tmp_path):
    docx_path = _organisation_template(tmp_path / "lcc.docx")
    dotx_path = tmp_path / "lcc.dotx"
    with zipfile.ZipFile(docx_path) as source, zipfile.ZipFile(dotx_path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"document.main+xml", b"template.main+xml")
            target.writestr(item, data)

    document = reopen(board_paper("strategic"), load_template(dotx_path))

    assert LETTERHEAD in [p.text for p in document.sections[0].header.paragraphs]


def test_a_letterhead_laid_out_as_a_table_keeps_the_marking_above_it(tmp_path):
    document = docx.Document()
    header = document.sections[0].header
    letterhead = header.add_table(rows=1, cols=2, width=Pt(400))
    letterhead.cell(0, 0).text = "Lancashire County Council"
    letterhead.cell(0, 1).text = "NHS Lancashire and South Cumbria ICB"
    document.save(tmp_path / "table-letterhead.docx")

    rendered = reopen(board_paper("strategic"), load_template(tmp_path / "table-letterhead.docx"))
    story = rendered.sections[0].header

    first = story._element[0]
    assert first.tag == qn("w:p") and Paragraph(first, story).text == "OFFICIAL"
    assert story.tables[0].cell(0, 1).text == "NHS Lancashire and South Cumbria ICB"

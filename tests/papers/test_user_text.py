"""Whatever people type into a commentary, a title or their name, the paper still renders."""

from __future__ import annotations

import io
import re
from datetime import date

import docx
import pytest
from docx.oxml.ns import qn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.papers.factories import action_line, board_paper
from tests.papers.readback import table_after
from tracker.papers import (
    MeasureLine,
    MeasurePoint,
    RagHistoryPoint,
    SummaryRow,
    render_board_paper_bytes,
)
from tracker.papers.text import clean_text

# Every code point, surrogates and control characters included.
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=60)


@pytest.mark.parametrize(
    "kept",
    [
        "plain",
        "tab\there",
        "line\nbreak\r\nand\rreturn",
        "emoji 😀👩🏽‍🏫",
        "مرحبا بكم",
        "עברית",
        "<script>alert('x')</script>",
        "Fish & chips <b>",
        "\ufffd replacement, \u200b zero width, \u202e override",
        "\U0010fffd and \ufdd0",
    ],
)
def test_clean_text_keeps_everything_xml_allows(kept):
    assert clean_text(kept) == kept


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("a\x00b", "ab"),
        ("bell\x07", "bell"),
        ("\x0bvertical\x0cform", "verticalform"),
        ("\x1fus", "us"),
        ("lone \ud800 surrogate \udfff", "lone  surrogate "),
        ("non\ufffe\uffffchars", "nonchars"),
    ],
)
def test_clean_text_removes_only_what_xml_forbids(typed, expected):
    assert clean_text(typed) == expected


def _as_read_back(text: str) -> str:
    """What python-docx reads back: line endings become one newline each."""
    return re.sub("\r\n|\r", "\n", clean_text(text))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(title=ANY_TEXT, commentary=ANY_TEXT, owner=ANY_TEXT, paper_title=ANY_TEXT)
def test_any_text_renders_and_reopens(title, commentary, owner, paper_title):
    line = action_line(title=title, commentary=commentary, owner=owner, lead_organisation="")
    paper = board_paper(
        "action",
        title=paper_title,
        exceptions=(line,),
        overdue=(line,),
        actions=(line,),
        recommendations=(commentary,),
        executive_summary=(title,),
    )

    document = docx.Document(io.BytesIO(render_board_paper_bytes(paper)))

    assert document.paragraphs[3].text == _as_read_back(paper_title)
    row = table_after(document, "Overdue actions").rows[1]
    assert row.cells[1].text == _as_read_back(title)
    assert row.cells[2].text == _as_read_back(owner)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(group=ANY_TEXT, reference=ANY_TEXT, period=ANY_TEXT)
def test_any_text_in_chart_labels_renders_with_alt_text(group, reference, period):
    """Group names, measure references and period labels reach the charts' labels (where
    matplotlib would read "$...$" as mathematics) and their alt text."""
    row = SummaryRow(group=group, counts=(("red", 2), ("green", 1)), total=3)
    measure = MeasureLine(
        reference=reference,
        wording="A measure",
        target=60,
        latest=52,
        series=(MeasurePoint(date(2026, 3, 31), 50, period), MeasurePoint(date(2026, 6, 30), 52)),
    )
    history = (
        RagHistoryPoint(date(2026, 5, 20), (("red", 1),)),
        RagHistoryPoint(date(2026, 6, 17), (("red", 2), ("green", 1))),
    )
    paper = board_paper("strategic", summary_rows=(row,), measures=(measure,), rag_history=history)

    document = docx.Document(io.BytesIO(render_board_paper_bytes(paper)))

    alts = [d.get("descr") for d in document.element.body.iter(qn("wp:docPr"))]
    assert len(alts) == 3
    assert f"{clean_text(group)}: 2 Red, 1 Green of 3 actions" in alts[0]


@pytest.mark.parametrize("name", ["x $\\frac$ y", "a $^$ b", "Cost $5 😀 \u202etxet"])
def test_text_matplotlib_would_read_as_mathematics_is_drawn_as_typed(name):
    row = SummaryRow(group=name, counts=(("red", 1),), total=1)
    paper = board_paper("strategic", summary_rows=(row,))
    document = docx.Document(io.BytesIO(render_board_paper_bytes(paper)))
    alts = [d.get("descr") for d in document.element.body.iter(qn("wp:docPr"))]
    assert f"{name}: 1 Red of 1 action" in alts[0]

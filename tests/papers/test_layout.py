"""Word layout a reader notices: rows kept whole on a page, and columns sized to what they hold."""

from __future__ import annotations

import pytest
from docx.oxml.ns import qn
from docx.table import Table

from tests.papers.factories import action_line, board_paper, register
from tests.papers.readback import reopen, table_after
from tracker.papers.word.widths import CELL_MARGINS_TWIPS, longest_word, text_width


def _keeps_rows_whole(table: Table) -> list[bool]:
    return [row._tr.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None for row in table.rows]


def _widths(table: Table) -> dict[str, int]:
    headings = [cell.text for cell in table.rows[0].cells]
    twips = [int(col.w / 635) for col in table._tbl.tblGrid.gridCol_lst]
    return dict(zip(headings, twips, strict=True))


EXCEPTIONS_HEADING = "Exceptions: actions rated Red or Amber"


@pytest.mark.parametrize("level", ["action", "workstream", "strategic"])
def test_every_row_of_every_table_is_kept_whole_on_a_page(level: str) -> None:
    document = reopen(board_paper(level, actions=register(30)))  # type: ignore[arg-type]
    assert document.tables
    for table in document.tables:
        assert all(_keeps_rows_whole(table)), table.rows[0].cells[0].text


def test_a_row_with_an_essay_in_it_is_still_kept_whole() -> None:
    essay = "The provider withdrew and the service is being re-procured. " * 60
    red = action_line(reference="P1.1", commentary=essay)
    document = reopen(board_paper("action", exceptions=(red,)))
    table = table_after(document, EXCEPTIONS_HEADING)
    assert all(_keeps_rows_whole(table))
    assert essay.strip() in table.rows[1].cells[6].text


@pytest.mark.parametrize(
    ("reference", "owner"),
    [
        ("P4.11", "Workforce Development Lead"),
        ("P5.1000", "Participation Lead"),
        ("P1.2", "Preparation for Adulthood and Transitions Lead"),
    ],
)
def test_references_never_wrap_and_names_break_only_between_words(
    reference: str, owner: str
) -> None:
    line = action_line(reference=reference, owner=owner, lead_organisation="")
    document = reopen(board_paper("action", exceptions=(line,), actions=(line,)))
    for heading in (EXCEPTIONS_HEADING, "Action detail", "Appendix A: Full action register"):
        widths = _widths(table_after(document, heading))
        assert widths["Ref"] >= text_width(reference, points=9) + CELL_MARGINS_TWIPS
        assert widths["Owner"] >= longest_word(owner, points=9) + CELL_MARGINS_TWIPS
        assert widths["RAG"] >= text_width("Red", points=9, bold=True) + CELL_MARGINS_TWIPS
        assert widths["Due"] >= text_width("31 Mar 2026", points=9) + CELL_MARGINS_TWIPS


def test_long_text_takes_the_width_the_short_columns_leave() -> None:
    document = reopen(board_paper("action"))
    widths = _widths(table_after(document, "Action detail"))
    assert widths["Action"] > widths["Owner"] + widths["Ref"]
    assert widths["Latest update"] > widths["Owner"] + widths["Ref"]
    # The columns fill the portrait page between its margins (A4, 2 cm each side).
    assert abs(sum(widths.values()) - round(17 / 2.54 * 1440)) < 10


def test_the_landscape_register_is_wider_than_portrait_tables() -> None:
    document = reopen(board_paper("action"))
    portrait = sum(_widths(table_after(document, "Action detail")).values())
    landscape = sum(_widths(table_after(document, "Appendix A: Full action register")).values())
    assert landscape > portrait * 1.3

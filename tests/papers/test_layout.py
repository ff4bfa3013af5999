"""Word layout a reader notices: rows kept whole on a page, and readable column widths."""

from __future__ import annotations

from docx.oxml.ns import qn
from docx.shared import Cm
from docx.table import Table

from tests.papers.factories import action_line, board_paper
from tests.papers.readback import reopen, table_after


def _keeps_rows_whole(table: Table) -> list[bool]:
    return [row._tr.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None for row in table.rows]


def _widths(table: Table) -> dict[str, int]:
    headings = [cell.text for cell in table.rows[0].cells]
    return dict(zip(headings, [col.w for col in table._tbl.tblGrid.gridCol_lst], strict=True))


EXCEPTIONS_HEADING = "Exceptions: actions rated Red or Amber"


def test_exception_rows_are_never_split_across_pages() -> None:
    document = reopen(board_paper("action"))
    table = table_after(document, EXCEPTIONS_HEADING)
    assert len(table.rows) > 1
    assert all(_keeps_rows_whole(table))


def test_full_listings_of_every_action_may_break_rows() -> None:
    document = reopen(board_paper("action"))
    detail = table_after(document, "Action detail")
    assert not any(_keeps_rows_whole(detail)[1:])


def test_a_row_too_long_for_a_page_may_still_break() -> None:
    essay = "The provider withdrew and the service is being re-procured. " * 60
    red = action_line(reference="P1.1", commentary=essay)
    amber = action_line(reference="P1.2", rag="amber", days_overdue=None)
    document = reopen(board_paper("action", exceptions=(red, amber)))
    table = table_after(document, EXCEPTIONS_HEADING)
    by_ref = {row.cells[0].text: whole for row, whole in zip(table.rows, _keeps_rows_whole(table))}
    assert by_ref["P1.1"] is False
    assert by_ref["P1.2"] is True


def test_the_action_column_is_wide_enough_to_read_in_portrait() -> None:
    document = reopen(board_paper("action"))
    widths = _widths(table_after(document, "Action detail"))
    assert widths["Action"] >= Cm(3.8)
    assert widths["Action"] > widths["Owner"] + widths["Ref"]

"""Word layout a reader notices: rows kept whole on a page, and readable column widths."""

from __future__ import annotations

from docx.oxml.ns import qn
from docx.shared import Cm
from docx.table import Table

from tests.papers.factories import action_line, board_paper, register
from tests.papers.readback import reopen, table_after


def _keeps_rows_whole(table: Table) -> list[bool]:
    return [row._tr.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None for row in table.rows]


def _widths(table: Table) -> dict[str, int]:
    headings = [cell.text for cell in table.rows[0].cells]
    return dict(zip(headings, [col.w for col in table._tbl.tblGrid.gridCol_lst], strict=True))


def test_action_rows_are_never_split_across_pages() -> None:
    document = reopen(board_paper("action"))
    table = table_after(document, "Action detail")
    assert len(table.rows) > 1
    assert all(_keeps_rows_whole(table))


def test_a_row_too_long_for_a_page_may_still_break() -> None:
    essay = "The provider withdrew and the service is being re-procured. " * 60
    lines = (action_line(reference="P1.1", commentary=essay), *register(3)[1:])
    document = reopen(board_paper("action", actions=lines))
    table = table_after(document, "Action detail")
    by_ref = {row.cells[0].text: whole for row, whole in zip(table.rows, _keeps_rows_whole(table))}
    assert by_ref["P1.1"] is False
    assert all(whole for ref, whole in by_ref.items() if ref not in {"P1.1", "Ref"})


def test_the_action_column_is_wide_enough_to_read_in_portrait() -> None:
    document = reopen(board_paper("action"))
    widths = _widths(table_after(document, "Action detail"))
    assert widths["Action"] >= Cm(3.8)
    assert widths["Action"] > widths["Owner"] + widths["Ref"]

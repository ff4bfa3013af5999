"""A rating that contradicts the facts (Green while overdue) is flagged in the paper itself."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.factories import add_update
from tests.papers.readback import blocks, reopen
from tests.papers.scenario import MEETINGS, gather


def test_green_while_overdue_is_an_exception_marked_beside_its_rating(engine) -> None:
    # P1.2 was due 31 March 2026; rated Green on 20 April, before the SIB's May deadline.
    add_update(engine, "P1.2", rag="green", at=datetime(2026, 4, 20, tzinfo=UTC))
    paper = gather(engine, "SIB", MEETINGS["SIB"][1]).paper
    flagged = [line for line in paper.exceptions if line.reference == "P1.2"]
    assert [line.inconsistency for line in flagged] == ["rated Green but 38 days overdue"]
    document = reopen(paper)
    words = " ".join(
        cell.text
        for block in blocks(document)
        if hasattr(block, "rows")
        for row in block.rows
        for cell in row.cells
    )
    assert "Green (inconsistent)" in words
    assert "Rating inconsistent: rated Green but 38 days overdue." in words

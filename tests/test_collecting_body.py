"""One rule for which board collects an action's updates, as a table of cases."""

from __future__ import annotations

import pytest

from tracker.rules import collecting_body

# 1 Cabinet (meets), 2 Improvement Board (meets), 3 Transformation Board (meets, first window
# still ahead), 4 a working group under 3 (never meets), 5 a forum reporting nowhere, 6 a loop.
PARENTS = {1: None, 2: 1, 3: 2, 4: 3, 5: None, 6: 7, 7: 6}
MEETS = {1, 2, 3}


@pytest.mark.parametrize(
    ("body", "board"),
    [
        (2, 2),  # a board that meets collects its own actions
        (3, 3),  # ... even before its first update window opens
        (4, 3),  # a body that never meets: the nearest body up the line that does
        (5, None),  # nobody up the line meets
        (6, None),  # a reporting loop (a hand-edited database) ends, with no board
        (None, None),  # an action overseen by no body
    ],
)
def test_collecting_body(body: int | None, board: int | None) -> None:
    assert collecting_body(body, parents=PARENTS, meeting_bodies=MEETS) == board

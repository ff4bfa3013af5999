"""The governance-tree walks, each one rule as a table of cases: which board collects an
action's updates, and which bodies a board's paper covers."""

from __future__ import annotations

import pytest

from tracker.rules import body_and_below, collecting_body

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


@pytest.mark.parametrize(
    ("board", "covered"),
    [
        (1, {1, 2, 3, 4}),  # the top of a line covers everything that reports up to it
        (3, {3, 4}),  # a board covers itself and the working group below it, not its parents
        (4, {4}),  # a body with nothing below it covers itself
        (5, {5}),
        (6, {6, 7}),  # a reporting loop (a hand-edited database) ends
    ],
)
def test_body_and_below(board: int, covered: set[int]) -> None:
    assert body_and_below(board, parents=PARENTS) == covered

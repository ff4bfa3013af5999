"""What one rerun of each main page costs in database statements, pinned from above.

Each screen asks one service function for everything it shows, in one session (issue 13): a
rerun that starts composing service calls again shows up here as more statements. The counts
cover the whole rerun (signing the person in, the sidebar, the page), as a person clicking
waits for all of it. The figures before and after the change are in bench/README.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, event
from streamlit.testing.v1 import AppTest

from tests.factories import EXECUTIVE, HEAD_OF_SEND, SECRETARY_SOB, add_update
from tests.ui.conftest import OpenApp
from tests.ui.support import button, no_exception


@contextmanager
def counting_statements() -> Iterator[list[str]]:
    """Every statement any engine sends while the block runs (the app's engine included)."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", count)


def rerun_cost(at: AppTest) -> int:
    with counting_statements() as statements:
        at.run()
    no_exception(at)
    LAST[:] = statements
    return len(statements)


LAST: list[str] = []
PAGES = [
    # (who, page, query, most statements one rerun may take)
    pytest.param(HEAD_OF_SEND, "my-actions", {"action": "P2.3"}, 1000, id="my-actions"),
    pytest.param(EXECUTIVE, "action", {"action": "P2.3"}, 1000, id="action-page"),
    pytest.param(EXECUTIVE, "register", {}, 1000, id="register"),
    pytest.param(SECRETARY_SOB, "papers", {}, 1000, id="papers"),
]


@pytest.mark.parametrize(("who", "page", "query", "most"), PAGES)
def test_a_rerun_of_each_page_stays_within_its_statements(
    open_app: OpenApp, db: Engine, who: str, page: str, query: dict[str, str], most: int
) -> None:
    add_update(db, "P2.3", rag="amber", commentary="First update.")
    at = open_app(who, page=page, **query)
    no_exception(at)
    cost = rerun_cost(at)
    print(f"\nCOST {page} {query} {cost} sessions {sum(x == 'BEGIN' for x in LAST)}")
    import os

    if os.environ.get("DUMP"):
        with counting_statements() as st_:
            at.run()
        for x in st_:
            print("   ", " ".join(x.split())[:150])
    assert cost <= most


@pytest.mark.parametrize(
    ("page", "rag_key"),
    [("my-actions", "upd.P2.3.rag"), ("action", "upd.P2.3.rag")],
    ids=["from-my-actions", "from-the-action-page"],
)
def test_saving_an_update_stays_within_its_statements(
    open_app: OpenApp, page: str, rag_key: str
) -> None:
    at = open_app(HEAD_OF_SEND, page=page, action="P2.3")
    at.radio(key=rag_key).set_value("amber")
    at.text_area(key="upd.P2.3.commentary").input("Recruitment slipping.")
    button(at, "Save update")
    with counting_statements() as statements:
        button(at, "Save update").click().run()
    no_exception(at)
    assert any("Saved the update on P2.3" in s.value for s in at.success)
    print(f"\nCOST save {page} {len(statements)} sessions {sum(x == 'BEGIN' for x in statements)}")
    assert len(statements) <= 1000

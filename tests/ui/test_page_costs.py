"""What one rerun of each main page costs in database statements, pinned from above.

Each screen asks one service function for everything it shows, in one session (issue 13): a
rerun that starts composing service calls again shows up here as more statements and sessions.
The counts cover the whole rerun (signing the person in, the sidebar and banner, the page), as
a person clicking waits for all of it. The figures before and after are in bench/README.md
("Queries per rerun"); the bounds leave a few statements of headroom over the figures after.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, event
from streamlit.testing.v1 import AppTest

import tracker.services.actions as actions_service
from tests.factories import EXECUTIVE, HEAD_OF_SEND, SECRETARY_SOB, add_update
from tests.ui.conftest import OpenApp
from tests.ui.support import button, no_exception


@dataclass
class Cost:
    statements: list[str]

    @property
    def sessions(self) -> int:
        """Units of work opened: each session's first statement is its BEGIN."""
        return sum(1 for s in self.statements if s.strip().upper().startswith("BEGIN"))

    def __len__(self) -> int:
        return len(self.statements)


@contextmanager
def counting_statements() -> Iterator[Cost]:
    """Every statement any engine sends while the block runs (the app's engine included)."""
    cost = Cost([])

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        cost.statements.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield cost
    finally:
        event.remove(Engine, "before_cursor_execute", count)


def rerun_cost(at: AppTest) -> Cost:
    with counting_statements() as cost:
        at.run()
    no_exception(at)
    return cost


# The app's own chrome (signing in, roles, the demo banner) is three sessions of every rerun.
PAGES = [
    # who, page, query, most statements, most sessions (figures after: bench/README.md)
    pytest.param(HEAD_OF_SEND, "my-actions", {"action": "P2.3"}, 23, 4, id="my-actions"),
    # the Escalation and Evidence tabs (tracker/ui/action/escalation.py, evidence.py) still
    # read in a session each of their own (the Evidence tab: 4 statements)
    pytest.param(EXECUTIVE, "action", {"action": "P2.3"}, 42, 6, id="action-page"),
    pytest.param(EXECUTIVE, "register", {}, 27, 4, id="register"),
    pytest.param(SECRETARY_SOB, "papers", {}, 30, 4, id="papers"),
]


@pytest.mark.parametrize(("who", "page", "query", "most", "sessions"), PAGES)
def test_a_rerun_of_each_page_stays_within_its_statements(
    open_app: OpenApp,
    db: Engine,
    who: str,
    page: str,
    query: dict[str, str],
    most: int,
    sessions: int,
) -> None:
    add_update(db, "P2.3", rag="amber", commentary="First update.")
    at = open_app(who, page=page, **query)
    no_exception(at)
    cost = rerun_cost(at)
    assert len(cost) <= most, "\n".join(cost.statements)
    assert cost.sessions <= sessions


def _fill_and_save(at: AppTest) -> Cost:
    at.radio(key="upd.P2.3.rag").set_value("amber")
    at.text_area(key="upd.P2.3.commentary").input("Recruitment slipping.")
    with counting_statements() as cost:
        button(at, "Save update").click().run()
    no_exception(at)
    saved = [s.value for s in at.success if "Saved the update on P2.3" in s.value]
    assert saved and "Amber" in saved[0], [s.value for s in at.success]
    return cost


@pytest.mark.parametrize(
    ("page", "most", "sessions"),
    [("my-actions", 34, 5), ("action", 53, 7)],
    ids=["from-my-actions", "from-the-action-page"],
)
def test_saving_an_update_stays_within_its_statements(
    open_app: OpenApp, page: str, most: int, sessions: int
) -> None:
    at = open_app(HEAD_OF_SEND, page=page, action="P2.3")
    cost = _fill_and_save(at)
    assert len(cost) <= most, "\n".join(cost.statements)
    assert cost.sessions <= sessions


@pytest.mark.parametrize(
    ("page", "loader"),
    [("my-actions", "load_my_actions"), ("action", "load_action_page")],
    ids=["my-actions", "action-page"],
)
def test_a_save_draws_the_page_once_with_fresh_data(
    open_app: OpenApp, monkeypatch: pytest.MonkeyPatch, page: str, loader: str
) -> None:
    at = open_app(HEAD_OF_SEND, page=page, action="P2.3")
    real = getattr(actions_service, loader)
    calls: list[str] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(loader)
        return real(*args, **kwargs)

    monkeypatch.setattr(actions_service, loader, counted)
    _fill_and_save(at)
    assert calls == [loader]  # saved first, then loaded and drawn once: no second rerun
    # What the page drew in that one run already has the saved rating.
    assert at.radio(key="upd.P2.3.rag").value == "amber"
    if page == "my-actions":
        label = next(o for o in at.selectbox(key="my_actions.choice").options if "P2.3" in o)
        assert "Amber" in label
    else:
        assert any("Amber" in m.value for m in at.markdown)  # the heading: RAG · status

"""``tracker.ui.errors``: how a screen shows an error from the tree, and that it stops there.

Each case runs a tiny Streamlit script under AppTest that raises one domain error inside
``showing_errors`` and reports whether the page went on: what a person sees is the error
message (field by field, "Not saved." before a conflict, markdown in it shown as typed), and
nothing after the failed write runs.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.support import errors, shown


def _script() -> None:
    import streamlit as st

    from tracker.errors import Conflict, NotAllowed
    from tracker.services.actions import ValidationFailed
    from tracker.ui.errors import showing_errors

    kinds = {"Conflict": Conflict, "NotAllowed": NotAllowed, "ValidationFailed": ValidationFailed}
    kind, argument = st.session_state["raise"]
    with showing_errors() as outcome:
        raise kinds[kind](argument)
    if outcome.failed:
        st.caption("page stopped")
    else:
        st.caption("page went on")


@pytest.mark.parametrize(
    ("kind", "argument", "expected"),
    [
        ("NotAllowed", "Sam may not update action P2.3", ["Sam may not update action P2.3"]),
        ("Conflict", "P2.3 was changed by Ann", ["Not saved. P2.3 was changed by Ann"]),
        (
            "ValidationFailed",
            {"commentary": "is needed for Red", "path_to_green": "is needed for Red"},
            ["Commentary: is needed for Red", "Path to green: is needed for Red"],
        ),
        ("NotAllowed", "**bold** [link](x)", ["**bold** [link](x)"]),
    ],
)
def test_a_domain_error_is_shown_and_the_page_stops(
    kind: str, argument: object, expected: list[str]
) -> None:
    at = AppTest.from_function(_script, default_timeout=30)
    at.session_state["raise"] = (kind, argument)
    at.run()

    assert not at.exception
    assert errors(at) == expected
    assert shown(at, "page stopped") and not shown(at, "page went on")


def _bug() -> None:
    from tracker.ui.errors import showing_errors

    with showing_errors():
        raise KeyError("a bug, not a domain error")


def test_an_error_outside_the_tree_is_not_swallowed() -> None:
    at = AppTest.from_function(_bug, default_timeout=30)
    at.run()
    assert at.exception

"""User text is shown as text: a commentary of ``<script>alert(1)</script>`` never becomes HTML."""

from __future__ import annotations

from sqlalchemy import Engine

from tests.factories import EXECUTIVE, HEAD_OF_SEND, add_update
from tests.ui.conftest import OpenApp
from tests.ui.support import no_exception, plain

SCRIPT = "<script>alert(1)</script>"


def _assert_shown_as_text(at) -> None:
    no_exception(at)
    assert not at.get("html"), "no st.html anywhere"
    markdown = [m for m in at.markdown if "script" in m.value]
    for element in markdown:
        assert element.proto.allow_html is False
        assert "<script>" not in element.value  # the angle brackets are escaped...
        assert SCRIPT in plain(element.value)  # ...so the reader sees the text itself


def test_script_commentary_on_the_action_page(open_app: OpenApp, db: Engine) -> None:
    add_update(db, "P2.3", rag="red", commentary=SCRIPT, path_to_green=SCRIPT)
    at = open_app(EXECUTIVE, page="register", action="P2.3")
    _assert_shown_as_text(at)
    assert any(SCRIPT in plain(m.value) for m in at.markdown)
    history = at.dataframe[0].value
    assert history["Commentary"][0] == SCRIPT  # a table cell is always text


def test_script_commentary_in_my_actions_and_the_form(open_app: OpenApp, db: Engine) -> None:
    add_update(db, "P2.3", rag="amber", commentary=SCRIPT, by=HEAD_OF_SEND)
    at = open_app(HEAD_OF_SEND, action="P2.3")
    _assert_shown_as_text(at)
    assert at.text_area(key="upd.P2.3.commentary").value == SCRIPT


def test_script_commentary_on_the_overview(open_app: OpenApp, db: Engine) -> None:
    add_update(db, "P2.3", rag="red", commentary=SCRIPT)
    at = open_app(EXECUTIVE)
    _assert_shown_as_text(at)
    assert at.dataframe(key="overview.red").value["Commentary"][0] == SCRIPT


def test_markdown_in_a_title_is_not_interpreted(open_app: OpenApp, db: Engine) -> None:
    add_update(db, "P2.3", rag="amber", commentary="**bold** [link](javascript:alert(1)) :red[x]")
    at = open_app(EXECUTIVE, page="register", action="P2.3")
    no_exception(at)
    shown = [m.value for m in at.markdown if "bold" in m.value]
    assert shown and all(
        "\\*\\*bold\\*\\*" in m and "\\[link\\]" in m and "\\:red" in m for m in shown
    )

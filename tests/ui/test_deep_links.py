"""Links to one action (``/?action=P2.3``) open it for whoever follows them.

Reminders go to owners, the weekly digest goes to executives, and papers are read by partners:
each must land on a page that shows the action, not on their usual first page with nothing open.
"""

from __future__ import annotations

from tests.factories import EXECUTIVE, HEAD_OF_SEND, PARTNER
from tests.ui.conftest import OpenApp
from tests.ui.support import errors, no_exception, titles, warnings


def _tab_labels(at) -> list[str]:
    return [t.label for t in at.tabs]


def test_executive_following_a_digest_link_sees_the_action(open_app: OpenApp) -> None:
    at = open_app(EXECUTIVE, action="P2.3")
    no_exception(at)
    assert titles(at) == []  # the action page, not the overview or the register list
    assert at.subheader[0].value.startswith("P2.3")
    assert "History" in _tab_labels(at)
    assert "Record an update" not in _tab_labels(at)


def test_partner_following_a_link_sees_the_action_read_only(open_app: OpenApp) -> None:
    at = open_app(PARTNER, action="p2.3")
    no_exception(at)
    assert at.subheader[0].value.startswith("P2.3")
    assert "Record an update" not in _tab_labels(at)
    assert "Audit trail" not in _tab_labels(at)


def test_owner_following_a_link_gets_the_update_form(open_app: OpenApp) -> None:
    at = open_app(HEAD_OF_SEND, action="P2.3")
    no_exception(at)
    assert titles(at) == ["My actions"]
    assert at.radio(key="upd.P2.3.rag") is not None


def test_a_link_to_an_action_that_does_not_exist_says_so(open_app: OpenApp) -> None:
    at = open_app(EXECUTIVE, action="P9.9")
    no_exception(at)
    assert any("No action P9.9 exists" in e for e in errors(at))


def test_an_owner_is_told_a_linked_action_does_not_exist(open_app: OpenApp) -> None:
    at = open_app(HEAD_OF_SEND, page="my-actions", action="P9.9")
    no_exception(at)
    assert any("No action P9.9 exists" in w for w in warnings(at))
    assert not any("not one of your actions" in w for w in warnings(at))


def test_a_page_that_is_not_theirs_says_so_on_the_landing_page(open_app: OpenApp) -> None:
    at = open_app(PARTNER, page="people")
    no_exception(at)
    assert titles(at) == ["Action register"]
    assert any("That page is not available to you" in w for w in warnings(at))


def test_the_landing_page_itself_gives_no_warning(open_app: OpenApp) -> None:
    at = open_app(PARTNER)
    no_exception(at)
    assert titles(at) == ["Action register"]
    assert not any("not available to you" in w for w in warnings(at))

"""What each role sees in its menu, what it cannot reach even by URL, and that every page renders.

The smoke test runs every page of the navigation table as a person of every role: a page the
role may use renders without an exception; a page it may not use is not registered at all, so
``switch_page`` cannot find it and opening its URL lands on the person's default page.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.factories import ADMIN, EXECUTIVE, HEAD_OF_SEND, PARTNER, SECRETARY_SIB, SECRETARY_SOB
from tests.ui.conftest import OpenApp, page_path
from tests.ui.support import errors, no_exception, shown, titles
from tracker.db import session_scope
from tracker.models import Person
from tracker.ui.navigation import PAGES

OWNER = "principal.ep@example.org"  # an action owner with no other role
PEOPLE = {
    "administrator": ADMIN,
    "executive": EXECUTIVE,
    "secretary": SECRETARY_SIB,
    "workstream_lead": HEAD_OF_SEND,
    "action_owner": OWNER,
    "partner": PARTNER,
}
ALL_TITLES = [spec.title for spec in PAGES]
EXPECTED = {
    "administrator": ALL_TITLES,
    "executive": [
        "Action register",
        "Action",
        "Executive overview",
        "Success measures",
        "Risks",
        "You said, we did",
        "Board papers",
        "Governance",
    ],
    "secretary": [
        "Action register",
        "Action",
        "Executive overview",
        "Success measures",
        "Risks",
        "You said, we did",
        "Board papers",
        "Stocktake",
        "Governance",
    ],
    "workstream_lead": [
        "My actions",
        "Action register",
        "Action",
        "Executive overview",
        "Success measures",
        "Risks",
        "You said, we did",
        "Governance",
    ],
    "action_owner": [
        "My actions",
        "Action register",
        "Action",
        "Executive overview",
        "Success measures",
        "Risks",
        "You said, we did",
        "Governance",
    ],
    "partner": [
        "Action register",
        "Action",
        "Executive overview",
        "Success measures",
        "Risks",
        "You said, we did",
        "Governance",
    ],
}
ADMIN_ONLY = [spec for spec in PAGES if spec.section == "Administration"]


def _reachable(at, spec) -> bool:
    at.query_params.clear()  # as in a browser, moving to another page drops the query string
    try:
        at.switch_page(page_path(spec.file))
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("role", list(PEOPLE))
def test_each_role_sees_exactly_its_pages(open_app: OpenApp, role: str) -> None:
    at = open_app(PEOPLE[role])
    no_exception(at)
    present = [spec.title for spec in PAGES if spec.path.is_file() and _reachable(at, spec)]
    assert present == [
        t for t in EXPECTED[role] if any(s.title == t and s.path.is_file() for s in PAGES)
    ]


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        ("administrator", "Setup checklist"),
        ("executive", "Executive overview"),
        ("secretary", "Board papers"),
        ("workstream_lead", "My actions"),
        ("action_owner", "My actions"),
        ("partner", "Action register"),
    ],
)
def test_each_role_lands_on_the_page_it_needs_first(
    open_app: OpenApp, role: str, landing: str
) -> None:
    at = open_app(PEOPLE[role])
    no_exception(at)
    assert titles(at) == [landing]


@pytest.mark.parametrize("spec", ADMIN_ONLY, ids=[s.url_path for s in ADMIN_ONLY])
@pytest.mark.parametrize("role", ["partner", "executive", "action_owner"])
def test_admin_pages_cannot_be_reached_by_url(open_app: OpenApp, role: str, spec) -> None:
    at = open_app(PEOPLE[role], page=spec.url_path)
    no_exception(at)
    assert spec.title not in titles(at)
    assert not _reachable(at, spec)


def test_people_page_opens_by_url_for_an_administrator(open_app: OpenApp) -> None:
    at = open_app(ADMIN, page="people")
    no_exception(at)
    assert titles(at) == ["People and roles"]


SMOKE = [(spec, role) for spec in PAGES for role in PEOPLE]


@pytest.mark.parametrize(
    ("spec", "role"), SMOKE, ids=[f"{spec.url_path}-{role}" for spec, role in SMOKE]
)
def test_every_page_renders_for_every_role(open_app: OpenApp, spec, role: str) -> None:
    if not spec.path.is_file():
        pytest.skip(f"{spec.file} is not written yet (another engineer's page)")
    at = open_app(PEOPLE[role])
    allowed = spec.title in EXPECTED[role]
    assert _reachable(at, spec) is allowed
    if not allowed:
        return
    at.run()
    no_exception(at)
    assert spec.title in titles(at) or shown(at, spec.title)


def test_a_secretary_lands_on_the_papers_of_their_own_board(open_app: OpenApp) -> None:
    at = open_app(SECRETARY_SOB)
    no_exception(at)
    assert titles(at) == ["Board papers"]
    assert at.selectbox(key="papers.board").value == "send_operations_board"
    assert not any("may not generate" in e or "Only the" in e for e in errors(at))


def test_switching_person_in_developer_mode_chooses_the_new_persons_board(
    open_app: OpenApp, db
) -> None:
    at = open_app(ADMIN, page="papers")
    at.selectbox(key="papers.board").set_value("send_improvement_board").run()
    with session_scope(db) as session:
        secretary = session.exec(select(Person).where(Person.email == SECRETARY_SOB)).one()
    at.selectbox(key="tracker.dev_person_id").set_value(secretary.id).run()
    no_exception(at)
    assert at.selectbox(key="papers.board").value == "send_operations_board"

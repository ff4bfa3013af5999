"""In Chromium: an owner signs in through Entra-style OIDC, records a Red update from the deep
link, and an executive signing in separately sees it on the executive overview."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator

import pytest
from sqlmodel import col, select

from tests.e2e.conftest import (
    ARTIFACTS,
    EXECUTIVE_SUB,
    OWNER_SUB,
    SECRETARY_SUB,
    RunningApp,
    screenshot,
    wait_for_app,
)
from tracker.db import make_engine, session_scope
from tracker.models import ActionUpdate, Person
from tracker.services.actions import get_action

pytestmark = [
    pytest.mark.e2e,
    # The mock provider runs in this process and uses deprecated Authlib APIs; a warning turned
    # into an error there would fail its token endpoint, not this test's assertions.
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]

VIEWPORT = {"width": 1280, "height": 1000}
COMMENTARY = "Educational psychologist vacancies unfilled; statutory advice running late."
PATH_TO_GREEN = "Agency EPs from November; recruitment campaign with the ICB in December."


@pytest.fixture
def new_page(browser) -> Iterator:
    """A fresh browser context (its own cookies: a different person) and page."""
    contexts = []

    def open_page():
        context = browser.new_context(viewport=VIEWPORT)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def sign_in(page, app: RunningApp, subject: str, *, path: str = "/") -> None:
    """The real redirect flow: the app's button, the provider's page, back to the app."""
    from playwright.sync_api import expect

    page.goto(app.url + path)
    wait_for_app(page)
    button = page.get_by_role("button", name="Sign in with Microsoft")
    expect(button).to_be_visible()
    button.click()
    page.wait_for_url(re.compile(r".*/oauth2/authorize.*"))
    page.fill('input[name="sub"]', subject)
    page.get_by_role("button", name="Authorize", exact=True).click()
    page.wait_for_url(re.compile(re.escape(app.url) + r"/.*"))
    wait_for_app(page)


def test_owner_records_red_update_and_executive_sees_it(new_page, tracker_app: RunningApp) -> None:
    from playwright.sync_api import expect

    owner = new_page()
    owner.goto(tracker_app.url + "/my-actions?action=P2.3")
    wait_for_app(owner)
    expect(owner.get_by_role("button", name="Sign in with Microsoft")).to_be_visible()
    screenshot(owner, "01-sign-in-page")

    sign_in(owner, tracker_app, OWNER_SUB, path="/my-actions?action=P2.3")
    expect(owner.get_by_role("heading", name="My actions")).to_be_visible()

    # The reminder e-mail's link, now signed in: the form of P2.3 opens directly.
    owner.goto(tracker_app.url + "/my-actions?action=P2.3")
    wait_for_app(owner)
    expect(owner.get_by_role("heading", name=re.compile(r"^P2\.3:"))).to_be_visible()
    expect(owner.get_by_text("Page not found")).to_have_count(0)
    screenshot(owner, "02-deep-link-form")

    owner.locator('[data-testid="stRadio"]').get_by_text("Red", exact=True).click()
    owner.get_by_label("Commentary", exact=True).fill(COMMENTARY)
    owner.get_by_label("Path to green", exact=True).fill(PATH_TO_GREEN)
    owner.get_by_role("button", name="Save update").click()
    expect(owner.get_by_text("Saved the update on P2.3")).to_be_visible(timeout=20_000)
    wait_for_app(owner)
    screenshot(owner, "03-update-saved")

    engine = make_engine(tracker_app.database_url)
    try:
        with session_scope(engine) as session:
            action = get_action(session, "P2.3")
            latest = session.exec(
                select(ActionUpdate)
                .where(ActionUpdate.action_id == action.id)
                .order_by(col(ActionUpdate.id).desc())
            ).first()
            owner_person = session.exec(
                select(Person).where(Person.email == "head.of.send@example.org")
            ).one()
            assert latest is not None
            assert (latest.rag, latest.commentary, latest.path_to_green) == (
                "red",
                COMMENTARY,
                PATH_TO_GREEN,
            )
            assert latest.created_by_id == owner_person.id
            assert owner_person.entra_object_id == "oid-owner"
    finally:
        engine.dispose()

    executive = new_page()
    sign_in(executive, tracker_app, EXECUTIVE_SUB)
    expect(executive.get_by_role("heading", name="Executive overview")).to_be_visible()
    red_metric = executive.locator('[data-testid="stMetric"]').filter(has_text="Red")
    expect(red_metric).to_contain_text("1")
    expect(executive.get_by_role("heading", name="Red actions")).to_be_visible()
    expect(executive.get_by_text("1 of 1, with their owners' commentary")).to_be_visible()
    screenshot(executive, "04-executive-overview")


def test_unknown_account_is_turned_away(new_page, tracker_app: RunningApp) -> None:
    from playwright.sync_api import expect

    stranger = new_page()
    sign_in(stranger, tracker_app, "someone.else@elsewhere.example")
    expect(stranger.get_by_role("heading", name="No access")).to_be_visible()
    expect(stranger.get_by_text("send.pmo@example.org")).to_be_visible()
    assert stranger.locator('[data-testid="stSidebarNav"]').count() == 0
    screenshot(stranger, "05-no-access")


def test_secretary_generates_and_downloads_a_paper(new_page, tracker_app: RunningApp) -> None:
    from playwright.sync_api import expect

    secretary = new_page()
    sign_in(secretary, tracker_app, SECRETARY_SUB)
    secretary.goto(tracker_app.url + "/papers")
    wait_for_app(secretary)
    expect(secretary.get_by_role("heading", name="Board papers")).to_be_visible()
    secretary.get_by_role("button", name="Generate the paper").click()
    expect(secretary.get_by_text("is ready to download")).to_be_visible(timeout=60_000)
    wait_for_app(secretary)
    screenshot(secretary, "06-board-paper-generated")
    with secretary.expect_download(timeout=60_000) as download_info:
        secretary.get_by_role("button", name="Download").first.click()
    download = download_info.value
    target = ARTIFACTS / download.suggested_filename
    download.save_as(target)
    assert target.suffix == ".docx"
    with zipfile.ZipFile(target) as docx:
        assert "word/document.xml" in docx.namelist()
        assert b"SEND Improvement Board" in docx.read("word/document.xml")


def test_the_menus_action_register_leads_from_an_action_back_to_the_list(
    new_page, tracker_app: RunningApp
) -> None:
    from playwright.sync_api import expect

    executive = new_page()
    sign_in(executive, tracker_app, EXECUTIVE_SUB, path="/action?action=P2.3")
    executive.goto(tracker_app.url + "/action?action=P2.3")
    wait_for_app(executive)
    expect(executive.get_by_role("heading", name=re.compile(r"^P2\.3:"))).to_be_visible()
    expect(executive).to_have_title(re.compile(r"^P2\.3 · SEND tracker$"))
    screenshot(executive, "05-action-page")

    menu = executive.locator('[data-testid="stSidebarNav"]')
    expect(menu.get_by_role("link", name="Action", exact=True)).to_have_count(0)  # hidden page
    menu.get_by_role("link", name="Action register").click()
    wait_for_app(executive)
    expect(executive.get_by_role("heading", name="Action register")).to_be_visible()
    expect(executive.get_by_text(re.compile(r"^42 actions match"))).to_be_visible()
    assert "action=" not in executive.url
    expect(executive).to_have_title("Action register · SEND tracker")
    screenshot(executive, "06-back-on-the-register")

    # An older link to the register with an action in it still opens the action's page.
    executive.goto(tracker_app.url + "/register?action=P2.4")
    wait_for_app(executive)
    expect(executive.get_by_role("heading", name=re.compile(r"^P2\.4:"))).to_be_visible()
    assert "/action?action=P2.4" in executive.url

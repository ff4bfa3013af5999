"""In Chromium: nothing an owner pastes, types or picks is dropped while the page says "saved".

The acceptance test of issue 11: an owner pastes 6,000 characters into Commentary, saves, and
``tracker export`` reads back all 6,000. Then the date picker and the "Action to update" picker,
which lost input in the browser (not in AppTest, which bypasses the widgets' own limits).
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
from collections.abc import Iterator

import pytest

from tests.e2e.conftest import (
    EXECUTIVE_SUB,
    OWNER_SUB,
    RunningApp,
    _tracker_command,
    screenshot,
    wait_for_app,
)
from tests.e2e.test_browser import sign_in
from tracker.db import make_engine, session_scope
from tracker.services.actions import get_action

pytestmark = [pytest.mark.e2e, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

# Real commentary is long: 6,000 characters of sentences, with line breaks, as pasted from Word.
SENTENCE = "Statutory advice from health partners is now arriving within six weeks in most cases. "
PASTED = "\n".join(SENTENCE * 10 for _ in range(8))[:5_999] + "!"


@pytest.fixture
def owner_page(browser, tracker_app: RunningApp) -> Iterator:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=tracker_app.url)
    page = context.new_page()
    sign_in(page, tracker_app, OWNER_SUB, path="/my-actions?action=P2.3")
    page.goto(tracker_app.url + "/my-actions?action=P2.3")
    wait_for_app(page)
    yield page
    context.close()


def _paste(page, label: str, text: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.click()
    page.evaluate("text => navigator.clipboard.writeText(text)", text)
    page.keyboard.press("Control+V")


def _export_commentary(app: RunningApp, reference: str) -> str:
    target = app.workdir / "register.csv"
    env = {**os.environ, "TRACKER_DATABASE_URL": app.database_url}
    subprocess.run(
        [*_tracker_command(), "export", str(target)],
        cwd=app.workdir,
        env=env,
        check=True,
        timeout=120,
    )
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = [row for row in csv.reader(handle)]
    header = next(i for i, row in enumerate(rows) if "Latest Update" in row)
    columns = rows[header]
    for row in rows[header + 1 :]:
        if row and row[columns.index("Ref")] == reference:
            return row[columns.index("Latest Update")]
    raise AssertionError(f"{reference} is not in the export")


def test_pasting_6000_characters_into_commentary_stores_them_all(
    owner_page, tracker_app: RunningApp
) -> None:
    from playwright.sync_api import expect

    page = owner_page
    expect(page.get_by_role("heading", name=re.compile(r"^P2\.3:"))).to_be_visible()
    expect(page).to_have_title("My actions · SEND tracker")  # each page its own tab title
    page.locator('[data-testid="stRadio"]').get_by_text("Amber", exact=True).click()
    _paste(page, "Commentary", PASTED)
    box = page.get_by_label("Commentary", exact=True)
    expect(box).to_have_value(PASTED)
    screenshot(page, "input-01-pasted-6000")
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_text("Saved the update on P2.3")).to_be_visible(timeout=20_000)
    wait_for_app(page)
    assert _export_commentary(tracker_app, "P2.3") == PASTED.strip()


def test_text_over_the_limit_is_kept_and_the_message_says_how_much_to_cut(
    owner_page, tracker_app: RunningApp
) -> None:
    from playwright.sync_api import expect

    page = owner_page
    page.goto(tracker_app.url + "/my-actions?action=P3.6")
    wait_for_app(page)
    page.locator('[data-testid="stRadio"]').get_by_text("Amber", exact=True).click()
    too_long = "x" * 10_250
    _paste(page, "Commentary", too_long)
    page.get_by_role("button", name="Save update").click()
    wait_for_app(page)
    expect(page.get_by_text("so cut 250 characters")).to_be_visible()
    expect(page.get_by_label("Commentary", exact=True)).to_have_value(too_long)
    screenshot(page, "input-02-over-the-limit")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("01/01/1990", "a revised due date cannot be in the past"),
        ("31/12/2099", "more than 10 years ahead is not plausible"),
    ],
)
def test_a_typed_revised_due_date_is_stored_or_refused_by_name(
    owner_page, tracker_app: RunningApp, typed: str, message: str
) -> None:
    from playwright.sync_api import expect

    page = owner_page
    page.goto(tracker_app.url + "/my-actions?action=P2.5")
    wait_for_app(page)
    engine = make_engine(tracker_app.database_url)
    try:
        with session_scope(engine) as session:
            version_before = get_action(session, "P2.5").version
        page.locator('[data-testid="stRadio"]').get_by_text("Amber", exact=True).click()
        page.get_by_label("Commentary", exact=True).fill("Capital works slipping.")
        date_box = page.get_by_label("Revised due date", exact=True)
        date_box.get_by_role("spinbutton").first.click()
        page.keyboard.type(typed.replace("/", ""))
        page.keyboard.press("Tab")
        page.get_by_label("Reason for the new due date", exact=True).fill("Contractor delay")
        page.get_by_role("button", name="Save update").click()
        wait_for_app(page)
        expect(page.get_by_text(message)).to_be_visible()
        expect(page.get_by_text("Saved the update on P2.5")).to_have_count(0)
        screenshot(page, f"input-03-date-{typed.replace('/', '-')}")
        with session_scope(engine) as session:
            assert get_action(session, "P2.5").version == version_before
    finally:
        engine.dispose()


def test_the_picker_opens_a_typed_reference_and_names_one_not_on_the_list(
    owner_page, tracker_app: RunningApp
) -> None:
    from playwright.sync_api import expect

    page = owner_page
    picker = page.get_by_role("combobox", name="Action to update")
    picker.click()
    page.keyboard.type("P5.1")
    page.keyboard.press("Enter")
    wait_for_app(page)
    expect(page.get_by_role("heading", name=re.compile(r"^P5\.1:"))).to_be_visible()

    picker.click()
    page.keyboard.type("P4.11")
    page.keyboard.press("Enter")
    wait_for_app(page)
    expect(page.get_by_text("P4.11 is not one of your actions")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"^P4\.11:"))).to_have_count(0)
    screenshot(page, "input-04-picker-not-listed")


def test_the_overview_fits_a_phone(browser, tracker_app: RunningApp) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        sign_in(page, tracker_app, EXECUTIVE_SUB)
        expect(page.get_by_role("heading", name="Executive overview")).to_be_visible()
        wait_for_app(page)
        screenshot(page, "input-05-overview-390")
        # The menu starts folded away on a phone, rather than covering the page.
        expect(page.locator('[data-testid="stSidebar"]')).to_have_attribute(
            "data-collapsed", "true"
        )
        metrics = page.locator('[data-testid="stMetric"]')
        expect(metrics.first).to_be_visible()
        # Headline figures first: the first metric is above every table and chart.
        first_metric = metrics.first.bounding_box()
        for selector in ('[data-testid="stDataFrame"]', '[data-testid="stVegaLiteChart"]'):
            for box in page.locator(selector).all():
                found = box.bounding_box()
                if found:
                    assert found["y"] > first_metric["y"]
        # Nothing wider than the phone: no sideways scrolling of the page itself.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()

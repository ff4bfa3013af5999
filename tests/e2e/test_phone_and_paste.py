"""In Chromium: a paste into a short-limit field is kept, and the overview reads on a phone.

Streamlit's ``max_chars`` drops an over-long paste whole in the browser (AppTest bypasses the
widget, so only a browser shows it): the measure's 40-character period label is the short limit
checked here. At 390 px the overview's exception tables must show the reference, RAG, due date
and title without sideways scrolling, and its charts must fit the screen.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.conftest import EXECUTIVE_SUB, OWNER_SUB, RunningApp, screenshot, wait_for_app
from tests.e2e.test_browser import sign_in
from tests.factories import add_update
from tracker.db import make_engine

pytestmark = [pytest.mark.e2e, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

LABEL = "Autumn term 2025, provisional: before the January census check"  # 62 characters
PHONE = 390


@pytest.fixture
def context(browser, tracker_app: RunningApp) -> Iterator:
    made = browser.new_context(viewport={"width": 1400, "height": 1000})
    made.grant_permissions(["clipboard-read", "clipboard-write"], origin=tracker_app.url)
    yield made
    made.close()


def test_a_paste_longer_than_a_short_limit_is_kept_with_how_much_to_cut(
    context, tracker_app: RunningApp
) -> None:
    from playwright.sync_api import expect

    page = context.new_page()
    sign_in(page, tracker_app, OWNER_SUB, path="/measures?measure=M2.3")
    page.goto(tracker_app.url + "/measures?measure=M2.3")
    wait_for_app(page)
    box = page.get_by_label("Period label (optional)", exact=True)
    box.click()
    page.evaluate("text => navigator.clipboard.writeText(text)", LABEL)
    page.keyboard.press("Control+V")
    expect(box).to_have_value(LABEL)  # a widget limit of 40 would have pasted nothing
    page.get_by_label("Value (percentage)", exact=True).fill("41")
    page.get_by_role("button", name="Save value").click()
    wait_for_app(page)
    expect(page.get_by_text("so cut 22 characters").first).to_be_visible()
    expect(box).to_have_value(LABEL)
    screenshot(page, "paste-01-period-label")


def _visible_headers(table) -> list[str]:
    """The column headers the grid draws in view (it renders only the columns on screen)."""
    return [h.inner_text().strip() for h in table.locator('[role="columnheader"]').all()]


def test_the_overview_tables_and_charts_fit_a_phone(browser, tracker_app: RunningApp) -> None:
    from playwright.sync_api import expect

    engine = make_engine(tracker_app.database_url)
    try:
        add_update(engine, "P2.3", rag="red", commentary="EP vacancies.", path_to_green="Agency.")
    finally:
        engine.dispose()
    context = browser.new_context(viewport={"width": PHONE, "height": 844})
    try:
        page = context.new_page()
        sign_in(page, tracker_app, EXECUTIVE_SUB)
        expect(page.get_by_role("heading", name="Red actions")).to_be_visible()
        wait_for_app(page)
        screenshot(page, "phone-01-overview-390")
        red = page.locator('[data-testid="stDataFrame"]').filter(has_text="P2.3").first
        red.scroll_into_view_if_needed()
        headers = _visible_headers(red)
        for wanted in ("Ref", "RAG", "Due", "Action"):
            assert wanted in headers, headers
        box = red.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE
        charts = page.locator('[data-testid="stVegaLiteChart"]')
        for chart in charts.all():
            found = chart.bounding_box()
            if found:  # the chart in a hidden tab has no box
                assert found["x"] >= 0 and found["x"] + found["width"] <= PHONE, found
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    finally:
        context.close()

"""In Chromium against ``tracker run``: a sign-in cookie made without a real sign-in signs
nobody in. Signed with the example's placeholder secret, Streamlit rejects it (sign-in page);
signed with the real secret but for another tenant, or without an object id, the tracker
refuses it (no access). Only a token from the configured tenant's sign-in is anyone."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import COOKIE_SECRET, TENANT, RunningApp, screenshot, wait_for_app

pytestmark = [pytest.mark.e2e, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

EXAMPLE_SECRET = "replace-with-a-long-random-string"  # .streamlit/secrets.toml.example's
ADMIN = "send.pmo@example.org"


def _cookie(app: RunningApp, secret: str, **claims: str) -> dict[str, str]:
    from streamlit.web.server.starlette.starlette_app_utils import create_signed_value

    user = {"email": ADMIN, "name": "Forged", **claims}
    value = dict(user, origin=app.url, is_logged_in=True, provider="microsoft")
    signed = create_signed_value(secret, "_streamlit_user", json.dumps(value))
    return {"name": "_streamlit_user", "value": signed.decode("latin-1"), "url": app.url}


@pytest.mark.parametrize(
    ("secret", "claims", "heading"),
    [
        (EXAMPLE_SECRET, {"tid": TENANT, "oid": "oid-admin"}, "SEND Partnership Action Tracker"),
        (COOKIE_SECRET, {"tid": "9b1d3c2a-0000-4000-8000-00000000beef", "oid": "x"}, "No access"),
        (COOKIE_SECRET, {"tid": TENANT}, "No access"),
    ],
    ids=["example secret", "another tenant", "no object id"],
)
def test_a_forged_sign_in_cookie_signs_nobody_in(
    browser, tracker_app: RunningApp, secret: str, claims: dict[str, str], heading: str
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        context.add_cookies([_cookie(tracker_app, secret, **claims)])
        page = context.new_page()
        page.goto(tracker_app.url + "/people")
        wait_for_app(page)
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        assert page.get_by_role("heading", name="People and roles").count() == 0
        assert page.locator('[data-testid="stSidebarNav"]').count() == 0
        screenshot(page, f"forged-{heading.split()[0].lower()}-{claims.get('oid', 'none')}")
    finally:
        context.close()

"""The entry script, started directly with Streamlit in production, refuses unsafe secrets.

Whoever runs ``streamlit run tracker/ui/app.py`` instead of ``tracker run`` gets the same
refusals: the page says the tracker cannot start and names each key, and no sign-in button is
offered, so a cookie signed with the example's secret leads nowhere.
"""

from __future__ import annotations

import tomllib
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from tests.factories import ADMIN
from tests.ui.conftest import APP, TIMEOUT
from tests.ui.support import errors, no_exception, titles

SAFE_AUTH: dict[str, Any] = {
    "redirect_uri": "https://tracker.council.example/oauth2callback",
    "cookie_secret": "k3VxQ9n2LwYt7pR4sZ8uB1mC6dF0gH5jKa2eXo",
    "microsoft": {
        "client_id": "8a7b6c5d-4e3f-2a1b-0c9d-8e7f6a5b4c3d",
        "client_secret": "Zq8~xY7wV6uT5sR4qP3oN2mL1kJ0iH9gF8eD7",
        "server_metadata_url": "https://login.microsoftonline.com/"
        "3f2c9a1e-5b7d-4c1a-9e8f-0a1b2c3d4e5f/v2.0/.well-known/openid-configuration",
    },
}


@pytest.fixture
def production_app(app_env: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("TRACKER_ENV", "production")
    monkeypatch.setenv("TRACKER_AUTH", "entra")
    monkeypatch.setenv("TRACKER_APP_URL", "https://tracker.council.example")

    def open_(auth: dict[str, Any], user: dict[str, Any] | None = None) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.secrets["auth"] = auth
        at.user = user or {"is_logged_in": False}
        return at.run()

    return open_


def test_the_example_secrets_stop_the_app_naming_each_key(production_app: Any) -> None:
    example = tomllib.loads((ROOT / ".streamlit" / "secrets.toml.example").read_text())
    at = production_app(example["auth"])
    no_exception(at)
    assert titles(at) == ["The tracker cannot start"]
    shown = "\n".join(errors(at))
    for key in ("cookie_secret", "client_id", "client_secret", "server_metadata_url"):
        assert key in shown
    assert not at.button


def test_an_old_example_cookie_secret_is_refused(production_app: Any) -> None:
    at = production_app({**SAFE_AUTH, "cookie_secret": "replace-with-a-long-random-string"})
    assert titles(at) == ["The tracker cannot start"]
    assert any("cookie_secret is the example's value" in e for e in errors(at))


def test_safe_secrets_lead_to_the_sign_in_page(production_app: Any) -> None:
    at = production_app(SAFE_AUTH)
    no_exception(at)
    assert titles(at) == ["SEND Partnership Action Tracker"]
    assert not errors(at)


def test_a_cookie_forged_with_the_example_secret_reaches_nothing(production_app: Any) -> None:
    """Whoever signs a cookie with the example's secret arrives as "signed in"; the app still
    refuses to serve anything while that secret is configured."""
    forged = {"is_logged_in": True, "email": ADMIN, "oid": "forged", "name": "Anyone"}
    at = production_app({**SAFE_AUTH, "cookie_secret": "replace-with-a-long-random-string"}, forged)
    no_exception(at)
    assert titles(at) == ["The tracker cannot start"]
    assert not at.sidebar.markdown
    assert ADMIN not in "\n".join(m.value for m in at.markdown)

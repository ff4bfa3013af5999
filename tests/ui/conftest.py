"""Fixtures for the web app's tests: the real entry script under Streamlit's AppTest.

Each test gets a freshly seeded SQLite database and runs ``tracker/ui/app.py`` in developer mode
as a named person (``open_app(email)``), or in Entra mode with a signed-in identity
(``open_entra(claims)``). Today is pinned with ``TRACKER_TODAY`` so flags and deadlines are
stable. Pages are reached the way a browser reaches them: by their URL path (``page=``) or with
query parameters (``?action=P2.3``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from tests.conftest import GOVERNANCE_FILE, ROOT
from tracker.db import make_engine

APP = ROOT / "tracker" / "ui" / "app.py"
TODAY = "2026-10-01"
# The partnership's Entra tenant, as the tenant-specific metadata URL in secrets.toml names it.
TENANT = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
METADATA_URL = f"https://login.microsoftonline.com/{TENANT}/v2.0/.well-known/openid-configuration"
TIMEOUT = 60

OpenApp = Callable[..., AppTest]


@pytest.fixture(autouse=True)
def _release_engines() -> Iterator[None]:
    """Each test has its own database file: drop the engines and figures cached for it."""
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def app_env(monkeypatch: pytest.MonkeyPatch, sqlite_url: str) -> str:
    monkeypatch.setenv("TRACKER_AUTH", "dev")
    monkeypatch.setenv("TRACKER_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("TRACKER_GOVERNANCE_FILE", str(GOVERNANCE_FILE))
    monkeypatch.setenv("TRACKER_TODAY", TODAY)
    for name in ("TRACKER_ENV", "TRACKER_DEV_USER"):
        monkeypatch.delenv(name, raising=False)
    return sqlite_url


@pytest.fixture
def db(app_env: str) -> Iterator[Engine]:
    """An engine on the same database the app under test uses, to arrange and to check."""
    engine = make_engine(app_env)
    yield engine
    engine.dispose()


def _start(at: AppTest, page: str | None, query: dict[str, str]) -> AppTest:
    at.query_params.update(query)
    if page is not None:
        # What a browser does when it opens /<url_path>: ask for that page by its URL's hash.
        at._page_hash = calc_hash(page)
    return at.run()


@pytest.fixture
def open_app(app_env: str, monkeypatch: pytest.MonkeyPatch) -> OpenApp:
    """Open the app in developer mode as ``user`` (an e-mail or a role name)."""

    def open_(user: str, *, page: str | None = None, **query: str) -> AppTest:
        monkeypatch.setenv("TRACKER_DEV_USER", user)
        return _start(AppTest.from_file(APP, default_timeout=TIMEOUT), page, query)

    return open_


@pytest.fixture
def open_entra(app_env: str, monkeypatch: pytest.MonkeyPatch) -> OpenApp:
    """Open the app in Entra ID mode with ``claims`` as the signed-in user (None: signed out).

    The claims carry the partnership's tenant id (``tid``) unless they name one (or None)."""
    monkeypatch.setenv("TRACKER_AUTH", "entra")
    monkeypatch.delenv("TRACKER_ENTRA_TENANT_ID", raising=False)

    def open_(claims: dict[str, Any] | None, *, page: str | None = None, **query: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.secrets["auth"] = {
            "redirect_uri": "http://localhost:8501/oauth2callback",
            "cookie_secret": "test-cookie-secret-long-enough-to-sign",
            "microsoft": {
                "client_id": "test-client",
                "client_secret": "test-secret",
                "server_metadata_url": METADATA_URL,
            },
        }
        if claims is None:
            at.user = {"is_logged_in": False}
        else:
            given = {"tid": TENANT, **claims}
            at.user = {"is_logged_in": True, **{k: v for k, v in given.items() if v is not None}}
        return _start(at, page, query)

    return open_


def page_path(file: str) -> str:
    """A page file's path relative to the entry script, as ``AppTest.switch_page`` wants it."""
    return str(Path("..") / "pages" / file)

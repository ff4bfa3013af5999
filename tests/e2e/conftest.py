"""End-to-end fixtures: a local OIDC provider, ``tracker run`` on a free port, Debian's Chromium.

The app runs exactly as in production (``tracker run``, Entra ID mode, Streamlit's own
``st.login``) in a temporary working directory whose ``.streamlit/secrets.toml`` points the
"microsoft" provider at ``oidc-provider-mock`` running in a thread of the test process. People
sign in through the real redirect flow by typing their subject on the mock's authorisation
page. Waiting follows Streamlit's own end-to-end tests: poll ``/_stcore/health``, then wait for
the app to be connected and its script not running. Chromium is Debian's ``/usr/bin/chromium``
(never a downloaded browser); without it the tests skip, except in CI, where they fail.
Screenshots and the server log go to ``test-artifacts/e2e``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import GOVERNANCE_FILE, IN_CI, ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
TODAY = "2026-10-01"
START_TIMEOUT = 90.0

# Who signs in: the subject typed on the provider's page, and the claims Entra would send,
# the tenant id among them (the app accepts only TRACKER_ENTRA_TENANT_ID's accounts).
TENANT = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
COOKIE_SECRET = "e2e-cookie-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
OWNER_SUB = "owner-of-p2-3"
EXECUTIVE_SUB = "executive"
SECRETARY_SUB = "secretary"
USERS = {
    OWNER_SUB: {
        "email": "head.of.send@example.org",
        "name": "Head of SEND",
        "oid": "oid-owner",
        "tid": TENANT,
    },
    EXECUTIVE_SUB: {
        "email": "exec.director.education@example.org",
        "name": "Executive Director",
        "oid": "oid-executive",
        "tid": TENANT,
    },
    SECRETARY_SUB: {
        "email": "improvement.board@example.org",
        "name": "SIB Secretary",
        "oid": "oid-secretary",
        "tid": TENANT,
    },
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.is_file():
        message = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[str]:
    """The mock identity provider's base URL, with the test users predefined."""
    from oidc_provider_mock import User, run_server_in_thread

    # The provider and the app talk over plain http on this machine only.
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    users = [User(sub=sub, claims=claims) for sub, claims in USERS.items()]
    with run_server_in_thread(port=free_port(), user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


def _tracker_command() -> list[str]:
    script = Path(sys.executable).parent / "tracker"
    if script.is_file():
        return [str(script)]
    found = shutil.which("tracker")
    return [found] if found else [sys.executable, "-m", "tracker.cli"]


def _write_secrets(workdir: Path, *, app_url: str, provider_url: str) -> None:
    folder = workdir / ".streamlit"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "{app_url}/oauth2callback"\n'
        f'cookie_secret = "{COOKIE_SECRET}"\n'
        "\n[auth.microsoft]\n"
        'client_id = "send-tracker-e2e"\n'
        'client_secret = "e2e-client-secret"\n'
        f'server_metadata_url = "{provider_url}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"tracker run exited early:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{url}/_stcore/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"tracker run did not become healthy:\n{log.read_text(errors='replace')}")


@dataclass(frozen=True)
class RunningApp:
    url: str
    database_url: str
    workdir: Path


@pytest.fixture(scope="module")
def tracker_app(
    tmp_path_factory: pytest.TempPathFactory, oidc_provider: str
) -> Iterator[RunningApp]:
    """``tracker run`` in Entra ID mode against a fresh database, in its own process group."""
    workdir = tmp_path_factory.mktemp("e2e-app")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    _write_secrets(workdir, app_url=url, provider_url=oidc_provider)
    database_url = f"sqlite:///{workdir / 'tracker.db'}"
    env = {
        **os.environ,
        "TRACKER_AUTH": "entra",
        "TRACKER_ENV": "test",
        "TRACKER_DATABASE_URL": database_url,
        "TRACKER_GOVERNANCE_FILE": str(GOVERNANCE_FILE),
        "TRACKER_TODAY": TODAY,
        # The mock provider's metadata URL names no tenant, so the tenant is set explicitly.
        "TRACKER_ENTRA_TENANT_ID": TENANT,
        "AUTHLIB_INSECURE_TRANSPORT": "1",
    }
    env.pop("TRACKER_DEV_USER", None)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / "tracker-run.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*_tracker_command(), "run", "--port", str(port), "--address", "127.0.0.1"],
            cwd=workdir,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # so the Streamlit child is stopped with it
        )
    try:
        _wait_healthy(url, process, log)
        yield RunningApp(url=url, database_url=database_url, workdir=workdir)
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def browser(chromium_path: Path) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(chromium_path), args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


def wait_for_app(page: object) -> None:
    """As Streamlit's own e2e tests do: connected, then the script run finished."""
    page.wait_for_selector(  # type: ignore[attr-defined]
        '[data-testid="stApp"][data-test-connection-state="CONNECTED"]', timeout=30_000
    )
    page.wait_for_selector(  # type: ignore[attr-defined]
        '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=30_000
    )


def screenshot(page: object, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path

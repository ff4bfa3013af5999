"""The shipped deployment, for real: Debian's nginx with ``deploy/nginx/send-tracker.conf`` in
front of two replicas on a fresh PostgreSQL database, signing in through the proxy over HTTPS.

Checks what a council's security scan and its users would notice: the security headers on the
served page, plain HTTP redirected to HTTPS, both replicas taking traffic while each browser
sticks to one, and the whole Entra-style sign-in in Chromium ending signed in with no
Content-Security-Policy violation on the pages visited.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import IN_CI, create_pg_database, drop_pg_database, postgres_server_url
from tests.deploy.stack import (
    Stack,
    nginx_available,
    run_oidc_provider,
    run_stack,
    sign_in,
    upstreams_in_log,
    wait_for_app,
)
from tests.e2e.conftest import ARTIFACTS, CHROMIUM_ARGS, TENANT, USERS, screenshot

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),  # Authlib, inside the mock provider
]

OWNER_SUB, EXECUTIVE_SUB = "owner-of-p2-3", "executive"
# Collected in the page before any script of the app runs.
CSP_PROBE = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not nginx_available():
        message = "nginx is not installed (apt-get install nginx; ./dev test does it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    server = postgres_server_url()
    if server is None:
        pytest.skip("PostgreSQL not configured: set TRACKER_TEST_DATABASE_URL")
    database_url = create_pg_database(server)
    try:
        with (
            run_oidc_provider(USERS) as provider,
            run_stack(
                database_url=database_url,
                provider_url=provider,
                workdir=tmp_path_factory.mktemp("deploy"),
                environment={"TRACKER_TODAY": "2026-10-01", "TRACKER_ENTRA_TENANT_ID": TENANT},
            ) as running,
        ):
            yield running
    finally:
        drop_pg_database(server, database_url)


def client(stack: Stack) -> httpx.Client:
    return httpx.Client(verify=str(stack.ca_file), trust_env=False, timeout=20)


def test_the_page_carries_the_security_headers(stack: Stack) -> None:
    with client(stack) as http:
        page = http.get(stack.url + "/")
    assert page.status_code == 200
    assert "<noscript>" in page.text  # Streamlit's page, not an nginx error
    headers = page.headers
    assert re.fullmatch(r"max-age=\d{8,}; includeSubDomains", headers["strict-transport-security"])
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    csp = dict(
        (d.split()[0], d.split()[1:]) for d in headers["content-security-policy"].split("; ")
    )
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "tracker_affinity=" in headers["set-cookie"] and "Secure" in headers["set-cookie"]
    assert "server" not in headers or "nginx/" not in headers["server"]  # no version shown


def test_plain_http_redirects_to_https(stack: Stack) -> None:
    with httpx.Client(trust_env=False) as http:
        answer = http.get(stack.http_url + "/my-actions?action=P2.3")
    assert answer.status_code == 301
    assert answer.headers["location"] == "https://localhost/my-actions?action=P2.3"


def test_both_replicas_serve_and_each_browser_sticks_to_one(stack: Stack) -> None:
    for number in range(16):  # 16 browsers: all on one replica by chance is 1 in 32,768
        with client(stack) as http:
            for request in range(4):
                assert http.get(f"{stack.url}/?browser={number}&r={request}").status_code == 200
                assert "tracker_affinity" in http.cookies
    served: dict[str, set[str]] = defaultdict(set)
    for request_line, upstream in upstreams_in_log(stack.access_log):
        match = re.search(r"browser=(\d+)&r=\d", request_line)
        if match:
            served[match.group(1)].add(upstream)
    assert len(served) == 16
    assert all(len(upstreams) == 1 for upstreams in served.values()), served
    replicas = {url.removeprefix("http://") for url in stack.replica_urls}
    assert set().union(*served.values()) == replicas


@pytest.fixture(scope="module")
def browser(stack: Stack) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    chromium = Path("/usr/bin/chromium")
    if not chromium.is_file():
        if IN_CI:
            pytest.fail(f"{chromium} is not installed")
        pytest.skip(f"{chromium} is not installed")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def _violations(page: object) -> list[str]:
    return list(page.evaluate("window.__cspViolations"))  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("subject", "path", "heading"),
    [
        (OWNER_SUB, "/my-actions?action=P2.3", re.compile(r"^P2\.3:")),
        (EXECUTIVE_SUB, "/", re.compile("Executive overview")),
    ],
    ids=["owner", "executive"],
)
def test_sign_in_through_the_proxy_ends_signed_in_with_no_csp_violation(
    stack: Stack, browser: object, subject: str, path: str, heading: re.Pattern[str]
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(  # type: ignore[attr-defined]
        ignore_https_errors=True, viewport={"width": 1400, "height": 1000}
    )
    context.add_init_script(CSP_PROBE)
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text))
    try:
        sign_in(page, stack.url, subject, path=path)
        page.goto(stack.url + path)
        wait_for_app(page)
        expect(page.get_by_role("heading", name=heading).first).to_be_visible(timeout=20_000)
        expect(page.get_by_role("button", name="Sign in with Microsoft")).to_have_count(0)
        page.wait_for_timeout(1500)  # charts and components finish drawing
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        screenshot(page, f"deploy-{subject}-signed-in")
        violations = _violations(page)
        assert violations == [], violations
        assert not [line for line in console if "Content Security Policy" in line], console
        # The page talked to Streamlit over the upgraded WebSocket, through the proxy.
        log = stack.access_log.read_text(encoding="utf-8")
        assert re.search(r'"GET /_stcore/stream HTTP/1\.1" 101 ', log)
    finally:
        context.close()

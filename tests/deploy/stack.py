"""The production shape on one machine: nginx with the shipped site config in front of Streamlit
replicas on PostgreSQL, signing in against a local OIDC provider.

Shared by the deployment test (``tests/deploy``) and the deadline-day benchmark
(``bench/load.py``), so both exercise exactly what ``deploy/`` ships. ``render_site_config``
takes ``deploy/nginx/send-tracker.conf`` and substitutes only ports, names and paths (each
substitution must match, so a reshaped config fails loudly instead of being tested half);
``run_stack`` runs ``tracker init`` once, starts the replicas with ``tracker run`` and an
unprivileged nginx (``nginx -p DIR -c FILE -g 'daemon off;'``), waits for them, and stops
everything it started when the block ends. Nothing here listens beyond 127.0.0.1.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.fakes.certificates import write_server_certificate

ROOT = Path(__file__).resolve().parents[2]
SITE_CONFIG = ROOT / "deploy" / "nginx" / "send-tracker.conf"
GOVERNANCE_FILE = ROOT / "governance.yaml"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SERVER_NAME = "localhost"
START_TIMEOUT = 120.0
COOKIE_SECRET = "deploy-test-cookie-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
CLIENT_ID = "send-tracker-deploy"


def nginx_available() -> bool:
    return Path(NGINX).is_file() and os.access(NGINX, os.X_OK)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _substitute(text: str, pattern: str, replacement: str, *, count: int | None = None) -> str:
    new, made = re.subn(pattern, replacement, text, flags=re.MULTILINE)
    if made == 0 or (count is not None and made != count):
        raise ValueError(f"the shipped nginx config no longer matches {pattern!r} ({made} found)")
    return new


def render_site_config(
    source: str,
    *,
    https_port: int,
    http_port: int,
    replica_ports: Sequence[int],
    certificate: Path,
    key: Path,
    log_dir: Path,
) -> str:
    """``source`` (the shipped site) with test ports, server name, certificate and log paths."""
    text = _substitute(source, r"^\s*listen \[::\]:\d+.*\n", "", count=2)
    text = _substitute(text, r"listen 80;", f"listen 127.0.0.1:{http_port};", count=1)
    text = _substitute(text, r"listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl", count=1)
    text = _substitute(text, r"server_name tracker\.example\.org;", f"server_name {SERVER_NAME};")
    text = _substitute(text, r"ssl_certificate\s+\S+;", f"ssl_certificate {certificate};", count=1)
    text = _substitute(text, r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};", count=1)
    text = _substitute(text, r"/var/log/nginx/", f"{log_dir}/")
    servers = "".join(
        f"    server 127.0.0.1:{port} max_fails=3 fail_timeout=10s;\n" for port in replica_ports
    )
    return _substitute(text, r"(    server 127\.0\.0\.1:\d+ [^\n]*\n)+", servers, count=1)


def write_nginx_prefix(directory: Path, site: str) -> Path:
    """An nginx prefix of its own (pid, logs, temp files) with a main config including ``site``."""
    for name in ("logs", "temp"):
        (directory / name).mkdir(parents=True, exist_ok=True)
    (directory / "site.conf").write_text(site, encoding="utf-8")
    temp = directory / "temp"
    main = directory / "nginx.conf"
    main.write_text(
        f"pid {directory}/nginx.pid;\n"
        f"error_log {directory}/logs/error.log warn;\n"
        "worker_processes 1;\n"
        "events { worker_connections 1024; }\n"
        "http {\n"
        "    include /etc/nginx/mime.types;\n"
        f"    client_body_temp_path {temp}/body;\n"
        f"    proxy_temp_path {temp}/proxy;\n"
        f"    fastcgi_temp_path {temp}/fastcgi;\n"
        f"    uwsgi_temp_path {temp}/uwsgi;\n"
        f"    scgi_temp_path {temp}/scgi;\n"
        f"    access_log {directory}/logs/access.log;\n"
        f"    include {directory}/site.conf;\n"
        "}\n",
        encoding="utf-8",
    )
    return main


def tracker_command() -> list[str]:
    script = Path(sys.executable).parent / "tracker"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "tracker.cli"]


def write_secrets(workdir: Path, *, app_url: str, provider_url: str) -> None:
    folder = workdir / ".streamlit"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "{app_url}/oauth2callback"\n'
        f'cookie_secret = "{COOKIE_SECRET}"\n'
        "\n[auth.microsoft]\n"
        f'client_id = "{CLIENT_ID}"\n'
        'client_secret = "deploy-test-client-secret"\n'
        f'server_metadata_url = "{provider_url}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )


@dataclass(frozen=True)
class Stack:
    url: str  # https://localhost:PORT, through nginx
    http_url: str  # the plain-HTTP listener, which only redirects
    replica_urls: tuple[str, ...]
    replica_pids: tuple[int, ...]
    database_url: str
    workdir: Path
    access_log: Path
    ca_file: Path


def _wait(url: str, process: subprocess.Popen[bytes], log: Path, *, verify: object = True) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited early:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{url}/_stcore/health", timeout=2, verify=verify).status_code == 200:  # type: ignore[arg-type]
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"{url} did not become healthy:\n{log.read_text(errors='replace')}")


@contextmanager
def _process(
    command: list[str], *, log: Path, **options: object
) -> Iterator[subprocess.Popen[bytes]]:
    """A child in its own process group, stopped (TERM, then KILL) when the block ends."""
    with log.open("wb") as output:
        process = subprocess.Popen(  # type: ignore[call-overload]
            command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True, **options
        )
    try:
        yield process
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)
        except ProcessLookupError:
            pass


@contextmanager
def run_stack(
    *,
    database_url: str,
    provider_url: str,
    workdir: Path,
    replicas: int = 2,
    environment: Mapping[str, str] | None = None,
) -> Iterator[Stack]:
    """Initialise ``database_url`` once, start the replicas and nginx; stop them all at the end."""
    workdir.mkdir(parents=True, exist_ok=True)
    logs = workdir / "logs"
    logs.mkdir(exist_ok=True)
    https_port, http_port = free_port(), free_port()
    url = f"https://{SERVER_NAME}:{https_port}"
    write_secrets(workdir, app_url=url, provider_url=provider_url)
    env = {
        **os.environ,
        "TRACKER_AUTH": "entra",
        "TRACKER_ENV": "test",
        "TRACKER_DATABASE_URL": database_url,
        "TRACKER_GOVERNANCE_FILE": str(GOVERNANCE_FILE),
        "TRACKER_APP_URL": url,
        "AUTHLIB_INSECURE_TRANSPORT": "1",  # the local provider speaks plain http
        **(environment or {}),
    }
    env.pop("TRACKER_DEV_USER", None)
    # One migration run before any replica starts, as send-tracker-init.service does.
    init = subprocess.run(
        [*tracker_command(), "init"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if init.returncode != 0:
        raise RuntimeError(f"tracker init failed:\n{init.stdout}\n{init.stderr}")
    ports = [free_port() for _ in range(replicas)]
    certificate, key = write_server_certificate(workdir)
    site = render_site_config(
        SITE_CONFIG.read_text(encoding="utf-8"),
        https_port=https_port,
        http_port=http_port,
        replica_ports=ports,
        certificate=certificate,
        key=key,
        log_dir=logs,
    )
    prefix = workdir / "nginx"
    main = write_nginx_prefix(prefix, site)
    with ExitStack() as stack:
        processes = []
        for port in ports:
            command = [*tracker_command(), "run", "--port", str(port), "--address", "127.0.0.1"]
            log = logs / f"replica-{port}.log"
            process = stack.enter_context(_process(command, log=log, cwd=workdir, env=env))
            processes.append((port, process, log))
        for port, process, log in processes:
            _wait(f"http://127.0.0.1:{port}", process, log)
        nginx_command = [NGINX, "-p", str(prefix), "-c", str(main), "-g", "daemon off;"]
        check = subprocess.run([*nginx_command, "-t"], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx refused the rendered config:\n{check.stderr}\n{site}")
        nginx = stack.enter_context(_process(nginx_command, log=logs / "nginx.log"))
        _wait(url, nginx, logs / "nginx.log", verify=False)
        yield Stack(
            url=url,
            http_url=f"http://{SERVER_NAME}:{http_port}",
            replica_urls=tuple(f"http://127.0.0.1:{port}" for port in ports),
            replica_pids=tuple(process.pid for _, process, _ in processes),
            database_url=database_url,
            workdir=workdir,
            access_log=logs / "send-tracker.access.log",
            ca_file=certificate,
        )


def upstreams_in_log(access_log: Path) -> list[tuple[str, str]]:
    """(request line, replica address) for every proxied request nginx logged."""
    found = []
    for line in access_log.read_text(encoding="utf-8").splitlines():
        match = re.search(r'"([^"]*)" \d+ .* upstream=(\S+)', line)
        if match and match.group(2) != "-":
            found.append((match.group(1), match.group(2)))
    return found


@contextmanager
def run_oidc_provider(users: Mapping[str, Mapping[str, str]]) -> Iterator[str]:
    """``oidc-provider-mock`` in a thread with ``users`` (subject -> claims); yields its URL."""
    from oidc_provider_mock import User, run_server_in_thread

    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    claims = [User(sub=sub, claims=dict(values)) for sub, values in users.items()]
    with run_server_in_thread(port=free_port(), user_claims=claims) as server:
        yield f"http://localhost:{server.server_port}"


def sign_in(page: object, url: str, subject: str, *, path: str = "/") -> None:
    """The real redirect flow through the proxy: the app's button, the provider, back again."""
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(url + path)
    wait_for_app(page)
    button = page.get_by_role("button", name="Sign in with Microsoft")
    expect(button).to_be_visible()
    button.click()
    page.wait_for_url(re.compile(r".*/oauth2/authorize.*"))
    page.fill('input[name="sub"]', subject)
    page.get_by_role("button", name="Authorize", exact=True).click()
    page.wait_for_url(re.compile(re.escape(url) + r"/.*"))
    wait_for_app(page)


def wait_for_app(page: object, *, timeout: float = 30_000) -> None:
    """As Streamlit's own e2e tests do: connected, then the script run finished."""
    page.wait_for_selector(  # type: ignore[attr-defined]
        '[data-testid="stApp"][data-test-connection-state="CONNECTED"]', timeout=timeout
    )
    page.wait_for_selector(  # type: ignore[attr-defined]
        '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout
    )

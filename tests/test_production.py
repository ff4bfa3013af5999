"""Production refuses to start half-configured: every unsafe key is named, one line each.

The table below starts from a complete, safe production configuration and breaks one key at a
time; each broken key must be named and nothing else reported. The command-line half runs the
real ``tracker run`` in a folder holding the shipped example ``secrets.toml``, as an operator
following the README would.
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from tests.conftest import GOVERNANCE_FILE, ROOT
from tracker.config import Settings
from tracker.mail.transports import build_transport
from tracker.safety.production import find_production_problems, read_streamlit_secrets

TENANT = "3f2c9a1e-5b7d-4c1a-9e8f-0a1b2c3d4e5f"
GOOD_SECRETS: dict[str, Any] = {
    "auth": {
        "redirect_uri": "https://tracker.council.example/oauth2callback",
        "cookie_secret": "k3VxQ9n2LwYt7pR4sZ8uB1mC6dF0gH5jKa2eXo",
        "microsoft": {
            "client_id": "8a7b6c5d-4e3f-2a1b-0c9d-8e7f6a5b4c3d",
            "client_secret": "Zq8~xY7wV6uT5sR4qP3oN2mL1kJ0iH9gF8eD7",
            "server_metadata_url": (
                f"https://login.microsoftonline.com/{TENANT}/v2.0/.well-known/openid-configuration"
            ),
        },
    }
}
GOOD_SETTINGS: dict[str, Any] = {
    "env": "production",
    "app_url": "https://tracker.council.example",
    "mail_transport": "file",
}
EXAMPLE = ROOT / ".streamlit" / "secrets.toml.example"


def production(**overrides: Any) -> Settings:
    return Settings(**{**GOOD_SETTINGS, **overrides})


def with_secret(path: str, value: Any) -> dict[str, Any]:
    secrets = copy.deepcopy(GOOD_SECRETS)
    *parents, last = path.split(".")
    node = secrets
    for part in parents:
        node = node[part]
    if value is None:
        del node[last]
    else:
        node[last] = value
    return secrets


def test_a_complete_production_configuration_has_no_problems() -> None:
    assert find_production_problems(production(), GOOD_SECRETS) == []


@pytest.mark.parametrize(
    ("path", "value", "named"),
    [
        ("auth.cookie_secret", "replace-with-a-long-random-string", "cookie_secret"),
        ("auth.cookie_secret", "short-but-random-9f8e7d", "cookie_secret"),
        ("auth.cookie_secret", "", "cookie_secret"),
        ("auth.cookie_secret", None, "cookie_secret"),
        ("auth.microsoft.client_secret", "replace-with-the-client-secret-value", "client_secret"),
        ("auth.microsoft.client_secret", "", "client_secret"),
        ("auth.microsoft.client_secret", "changeme", "client_secret"),
        ("auth.microsoft.client_id", "00000000-0000-0000-0000-000000000000", "client_id"),
        (
            "auth.microsoft.server_metadata_url",
            "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration",
            "server_metadata_url",
        ),
        (
            "auth.microsoft.server_metadata_url",
            "https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration",
            "server_metadata_url",
        ),
        (
            "auth.microsoft.server_metadata_url",
            "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0/"
            ".well-known/openid-configuration",
            "server_metadata_url",
        ),
        (
            "auth.microsoft.server_metadata_url",
            f"http://login.microsoftonline.com/{TENANT}/v2.0/.well-known/openid-configuration",
            "server_metadata_url",
        ),
        ("auth.redirect_uri", "http://tracker.council.example/oauth2callback", "redirect_uri"),
        ("auth", None, "[auth]"),
    ],
)
def test_each_unsafe_secret_is_refused_by_name(path: str, value: Any, named: str) -> None:
    problems = find_production_problems(production(), with_secret(path, value))
    assert len(problems) == 1, problems
    assert named in problems[0]


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"app_url": "http://tracker.council.example"}, "TRACKER_APP_URL"),
        ({"graph_authority_host": "http://login.example"}, "TRACKER_GRAPH_AUTHORITY_HOST"),
        ({"graph_base_url": "http://graph.example/v1.0"}, "TRACKER_GRAPH_BASE_URL"),
        (
            {"mail_transport": "smtp", "smtp_user": "tracker", "smtp_password": "Rel4y-pw-x"},
            "TRACKER_SMTP_TLS",
        ),
        (
            {"mail_transport": "smtp", "smtp_user": "tracker", "smtp_tls": "none"},
            "TRACKER_SMTP_TLS",
        ),
        ({"smtp_password": "changeme"}, "TRACKER_SMTP_PASSWORD"),
        ({"graph_client_secret": "replace-with-the-secret"}, "TRACKER_GRAPH_CLIENT_SECRET"),
        (
            {"mail_transport": "graph", "graph_tenant_id": "common"},
            "TRACKER_GRAPH_TENANT_ID",
        ),
        (
            {"mail_transport": "graph", "graph_tenant_id": "00000000-0000-0000-0000-000000000000"},
            "TRACKER_GRAPH_TENANT_ID",
        ),
    ],
)
def test_each_unsafe_setting_is_refused_by_name(overrides: dict[str, Any], named: str) -> None:
    problems = find_production_problems(production(**overrides), GOOD_SECRETS)
    assert len(problems) == 1, problems
    assert problems[0].startswith(named)


@pytest.mark.parametrize(
    "overrides",
    [
        {"mail_transport": "smtp", "smtp_user": "tracker", "smtp_tls": "starttls"},
        {"mail_transport": "smtp", "smtp_user": "tracker", "smtp_starttls": True},
        {"mail_transport": "smtp", "smtp_user": "tracker", "smtp_tls": "implicit"},
        # A relay on the same host that takes mail without a login sends no password.
        {"mail_transport": "smtp", "smtp_tls": "none"},
        {"mail_transport": "graph", "graph_tenant_id": TENANT},
    ],
)
def test_safe_mail_settings_are_accepted(overrides: dict[str, Any]) -> None:
    assert find_production_problems(production(**overrides), GOOD_SECRETS) == []


def test_outside_production_nothing_is_refused() -> None:
    settings = Settings(env="development", smtp_password=SecretStr("changeme"))
    assert find_production_problems(settings, {}) == []


def test_the_shipped_example_is_refused_naming_each_empty_secret() -> None:
    secrets = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    joined = "\n".join(find_production_problems(production(), secrets))
    for key in ("cookie_secret", "client_id", "client_secret", "server_metadata_url"):
        assert key in joined


def test_secrets_are_read_where_streamlit_reads_them(tmp_path: Path) -> None:
    home, work = tmp_path / "home", tmp_path / "work"
    (home / ".streamlit").mkdir(parents=True)
    (work / ".streamlit").mkdir(parents=True)
    (home / ".streamlit" / "secrets.toml").write_text('[auth]\ncookie_secret = "global"\n')
    assert read_streamlit_secrets(work, home=home)["auth"]["cookie_secret"] == "global"
    (work / ".streamlit" / "secrets.toml").write_text('[auth]\ncookie_secret = "project"\n')
    assert read_streamlit_secrets(work, home=home)["auth"]["cookie_secret"] == "project"


def test_smtp_without_tls_cannot_even_be_built_in_production() -> None:
    settings = production(mail_transport="smtp", smtp_user="tracker", smtp_password="Rel4y-pw-x")
    with pytest.raises(ValueError, match="TRACKER_SMTP_TLS"):
        build_transport(settings)


def _tracker(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    tracker = Path(sys.executable).with_name("tracker")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    return subprocess.run(
        [str(tracker), *args],
        cwd=cwd,
        env={**clean, "HOME": str(cwd), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.slow
def test_tracker_run_with_the_example_secrets_exits_at_once_naming_cookie_secret(
    tmp_path: Path,
) -> None:
    (tmp_path / ".streamlit").mkdir()
    shutil.copy(EXAMPLE, tmp_path / ".streamlit" / "secrets.toml")
    started = time.monotonic()
    result = _tracker(
        "run",
        cwd=tmp_path,
        TRACKER_ENV="production",
        TRACKER_GOVERNANCE_FILE=str(GOVERNANCE_FILE),
        TRACKER_DATABASE_URL=f"sqlite:///{tmp_path / 'tracker.db'}",
    )
    assert time.monotonic() - started < 30
    assert result.returncode == 1
    assert "cookie_secret" in result.stderr
    assert "Serving on" not in result.stdout
    # Refused before anything was created.
    assert not (tmp_path / "tracker.db").exists()


@pytest.mark.slow
def test_tracker_check_in_production_reports_the_secrets_too(tmp_path: Path) -> None:
    (tmp_path / ".streamlit").mkdir()
    shutil.copy(EXAMPLE, tmp_path / ".streamlit" / "secrets.toml")
    result = _tracker(
        "check",
        str(GOVERNANCE_FILE),
        cwd=tmp_path,
        TRACKER_ENV="production",
        TRACKER_APP_URL="https://tracker.council.example",
    )
    assert result.returncode == 1
    assert "client_secret" in result.stderr
    assert "TRACKER_APP_URL" not in result.stderr

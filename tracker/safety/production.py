"""Whether a production deployment is fully configured: the one list of go-live refusals.

``find_production_problems`` is a pure function over the settings and the ``[auth]`` section of
Streamlit's ``secrets.toml``: with ``TRACKER_ENV=production`` it returns one line per setting
or secret that would make the deployment unsafe (a guessable cookie secret, a placeholder client
secret, a multi-tenant or all-zero sign-in endpoint, an ``http://`` address, SMTP credentials
sent in clear), each naming its key; elsewhere it returns nothing. ``tracker run``,
``tracker check``, the Streamlit entry script and the mail transports all ask it, so a
half-configured deployment fails at start-up rather than at the first sign-in or e-mail.
``read_streamlit_secrets`` reads the files Streamlit itself would read.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tracker.config import PACKAGE_DIR, Settings
from tracker.errors import ConfigurationError

__all__ = [
    "MIN_COOKIE_SECRET_LENGTH",
    "SecretsFileError",
    "find_production_problems",
    "find_secrets_problems",
    "find_settings_problems",
    "read_streamlit_secrets",
    "streamlit_secrets_files",
]

MIN_COOKIE_SECRET_LENGTH = 32
UI_DIR = PACKAGE_DIR / "ui"
PROVIDER = "microsoft"
# Values shipped in examples (today's and earlier ones): anyone who has read them could sign a
# cookie or pose as the app registration.
EXAMPLE_VALUES = frozenset(
    {
        "replace-with-a-long-random-string",
        "replace-with-the-client-secret-value",
        "changeme",
        "change-me",
        "secret",
        "password",
        "xxx",
        "todo",
    }
)
_PLACEHOLDER = re.compile(r"^(replace[-_ ]|change[-_ ]?me|your[-_ ]|<.*>$|x+$)", re.IGNORECASE)
_ALL_ZERO_ID = re.compile(r"^0{8}-0{4}-0{4}-0{4}-0{12}$")
_SHARED_TENANTS = frozenset({"common", "organizations", "consumers"})


class SecretsFileError(ConfigurationError):
    """A ``secrets.toml`` that exists but cannot be read as TOML."""


def _is_placeholder(value: str) -> bool:
    text = value.strip()
    return not text or text.lower() in EXAMPLE_VALUES or bool(_PLACEHOLDER.match(text))


def _insecure_url(value: str) -> bool:
    return urlsplit(value.strip()).scheme.lower() != "https"


def _tenant_problem(tenant: str) -> str | None:
    tenant = tenant.strip().lower()
    if not tenant or _ALL_ZERO_ID.match(tenant) or _PLACEHOLDER.match(tenant):
        return "is a placeholder tenant; use your Directory (tenant) ID"
    if tenant in _SHARED_TENANTS:
        return f"uses the shared '{tenant}' endpoint, which lets any organisation's accounts in"
    return None


def find_settings_problems(settings: Settings) -> list[str]:
    """The ``TRACKER_*`` settings that are unsafe in production, one line each."""
    problems: list[str] = []
    for name in ("app_url", "graph_authority_host", "graph_base_url"):
        value = str(getattr(settings, name))
        if _insecure_url(value):
            problems.append(f"TRACKER_{name.upper()} {value!r} must be an https:// address")
    for name in ("smtp_password", "graph_client_secret"):
        secret = getattr(settings, name)
        if secret is not None and _is_placeholder(secret.get_secret_value()):
            problems.append(f"TRACKER_{name.upper()} is empty or a placeholder; set the real one")
    has_login = settings.smtp_user or settings.smtp_password
    if settings.mail_transport == "smtp" and has_login and settings.smtp_tls_mode == "none":
        problems.append(
            "TRACKER_SMTP_TLS: SMTP credentials would cross the network in clear; set "
            "TRACKER_SMTP_TLS=starttls (port 587) or implicit (port 465)"
        )
    if settings.mail_transport == "graph" and settings.graph_tenant_id is not None:
        reason = _tenant_problem(settings.graph_tenant_id)
        if reason:
            problems.append(f"TRACKER_GRAPH_TENANT_ID {reason}")
    return problems


def _metadata_problem(url: str) -> str | None:
    if _insecure_url(url):
        return "must be an https:// address"
    parts = [part for part in urlsplit(url.strip()).path.split("/") if part]
    if not parts:
        return "names no tenant"
    return _tenant_problem(parts[0])


def find_secrets_problems(secrets: Mapping[str, Any]) -> list[str]:
    """The ``[auth]`` keys of ``secrets.toml`` that are missing or unsafe, one line each."""
    auth = secrets.get("auth")
    if not isinstance(auth, Mapping):
        return ["[auth] is missing from .streamlit/secrets.toml (see secrets.toml.example)"]
    provider = auth.get(PROVIDER)
    keys: Mapping[str, Any] = provider if isinstance(provider, Mapping) else {}
    problems: list[str] = []
    cookie = str(auth.get("cookie_secret") or "")
    if cookie.strip().lower() in EXAMPLE_VALUES:
        problems.append("[auth] cookie_secret is the example's value; generate a new one")
    elif len(cookie.strip()) < MIN_COOKIE_SECRET_LENGTH:
        problems.append(
            f"[auth] cookie_secret is shorter than {MIN_COOKIE_SECRET_LENGTH} characters; make "
            'one with python -c "import secrets; print(secrets.token_urlsafe(48))"'
        )
    redirect = str(auth.get("redirect_uri") or "")
    if _insecure_url(redirect):
        problems.append(f"[auth] redirect_uri {redirect!r} must be an https:// address")
    section = f"[auth.{PROVIDER}]"
    client_id = str(keys.get("client_id") or "")
    if _is_placeholder(client_id) or _ALL_ZERO_ID.match(client_id.strip()):
        problems.append(f"{section} client_id is empty or a placeholder")
    if _is_placeholder(str(keys.get("client_secret") or "")):
        problems.append(f"{section} client_secret is empty or a placeholder")
    metadata = str(keys.get("server_metadata_url") or "")
    reason = _metadata_problem(metadata)
    if reason:
        problems.append(f"{section} server_metadata_url {reason}")
    return problems


def find_production_problems(settings: Settings, secrets: Mapping[str, Any]) -> list[str]:
    """Every reason this configuration must not serve real data; empty outside production.

    ``secrets`` is the content of Streamlit's ``secrets.toml``; its ``[auth]`` section matters
    only when people sign in with Entra ID (developer mode is refused by ``Settings`` itself).
    """
    if settings.env != "production":
        return []
    problems = find_settings_problems(settings)
    if settings.auth == "entra":
        problems.extend(find_secrets_problems(secrets))
    return problems


def streamlit_secrets_files(directory: Path, *, home: Path | None = None) -> list[Path]:
    """Where Streamlit looks for secrets, in the order it merges them: the user's global file,
    ``.streamlit/secrets.toml`` of the working directory it was started in, then the one beside
    the entry script (``tracker/ui``)."""
    return [
        (home if home is not None else Path.home()) / ".streamlit" / "secrets.toml",
        directory / ".streamlit" / "secrets.toml",
        UI_DIR / ".streamlit" / "secrets.toml",
    ]


def read_streamlit_secrets(directory: Path, *, home: Path | None = None) -> dict[str, Any]:
    """The secrets Streamlit would see when started in ``directory`` (later files win, section
    by section, as in Streamlit); ``{}`` when there is no file."""
    merged: dict[str, Any] = {}
    seen: set[Path] = set()
    for path in streamlit_secrets_files(directory, home=home):
        if path.resolve() in seen or not path.is_file():
            continue
        try:
            content = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise SecretsFileError(f"{path}: cannot be read as TOML ({exc})") from None
        seen.add(path.resolve())
        merged.update(content)
    return merged

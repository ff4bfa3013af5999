"""Typed settings for the tracker, read from ``TRACKER_*`` environment variables.

One ``Settings`` object describes where the database lives, which governance file is in force,
how mail is delivered and how people sign in. Secrets come only from the environment (or
Streamlit's ``secrets.toml`` for the sign-in provider). Developer sign-in is refused here in
production; every other go-live check (placeholder secrets, ``http://`` addresses, SMTP without
TLS) is in ``tracker.safety.production``, which also reads ``secrets.toml``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
PACKAGED_GOVERNANCE_FILE = PACKAGE_DIR / "data" / "governance.yaml"


def default_governance_file() -> Path:
    """``./governance.yaml`` when present, else the copy shipped inside the package."""
    local = Path.cwd() / "governance.yaml"
    return local if local.is_file() else PACKAGED_GOVERNANCE_FILE


class Settings(BaseSettings):
    """Every knob an operator can turn, with the ``TRACKER_`` prefix."""

    model_config = SettingsConfigDict(env_prefix="TRACKER_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///tracker.db"
    governance_file: Path = Field(default_factory=default_governance_file)
    app_url: str = "http://localhost:8501"

    # Sign-in: "entra" uses Streamlit's OIDC login (st.login); "dev" lets a developer pick a person.
    auth: Literal["entra", "dev"] = "entra"
    dev_user: str | None = None
    # The one Entra tenant whose accounts may sign in; by default the tenant id in
    # secrets.toml's tenant-specific server_metadata_url.
    entra_tenant_id: str | None = None

    # Mail delivery.
    mail_transport: Literal["file", "smtp", "graph"] = "file"
    mail_from: str = "send.tracker@example.org"
    outbox_dir: Path = Path("outbox")
    smtp_host: str = "localhost"
    smtp_port: int = 25
    # "starttls" (usually port 587), "implicit" TLS from the first byte (port 465) or "none";
    # unset, it follows the older TRACKER_SMTP_STARTTLS switch.
    smtp_tls: Literal["starttls", "implicit", "none"] | None = None
    smtp_starttls: bool = False
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout: float = 30.0
    graph_tenant_id: str | None = None
    graph_client_id: str | None = None
    graph_client_secret: SecretStr | None = None
    graph_certificate_path: Path | None = None
    graph_certificate_thumbprint: str | None = None
    graph_authority_host: str = "https://login.microsoftonline.com"
    graph_base_url: str = "https://graph.microsoft.com/v1.0"
    graph_sender: str | None = None
    mail_max_attempts: int = 8

    # Evidence files: kept in the database (so backups carry them) unless a file store folder
    # is named; each upload is refused above the size limit.
    evidence_dir: Path | None = None
    evidence_max_mb: int = 25
    # Stocktake packs generated on the Stocktake page are kept here (the command line writes
    # wherever -o says).
    stocktake_dir: Path = Path("stocktakes")

    # The public progress site: the folder `tracker publish`, the Publish page and the
    # scheduler write it to (the previous version is kept beside it as DIR.previous). Unset,
    # `tracker publish` writes ./site, and neither the page nor the scheduler publishes.
    publish_dir: Path | None = None

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.env != "production":
            return self
        if self.auth == "dev":
            raise ValueError(
                "TRACKER_AUTH=dev is refused when TRACKER_ENV=production: "
                "developer mode lets anyone act as anyone"
            )
        return self

    @property
    def smtp_tls_mode(self) -> Literal["starttls", "implicit", "none"]:
        """How the SMTP connection is protected: TRACKER_SMTP_TLS, else TRACKER_SMTP_STARTTLS."""
        if self.smtp_tls is not None:
            return self.smtp_tls
        return "starttls" if self.smtp_starttls else "none"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests build their own ``Settings`` instead)."""
    return Settings()

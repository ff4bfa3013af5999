"""The import fixtures (tests/importer/conftest.py: a migrated database without actions) for
the plan service tests kept here."""

from __future__ import annotations

from tests.importer.conftest import (
    unseeded_engine,
    unseeded_pg_template,
    unseeded_sqlite_template,
    unseeded_url,
)

__all__ = ["unseeded_engine", "unseeded_pg_template", "unseeded_sqlite_template", "unseeded_url"]

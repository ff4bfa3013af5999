"""Alembic is the only way the schema is made: empty -> head works, and matches the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import tracker.models  # noqa: F401
from tracker.db import current_revision, make_engine, upgrade_database


def test_upgrade_from_empty_to_head_and_models_match(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    assert current_revision(engine) is None
    upgrade_database(engine)
    assert current_revision(engine) == "0006"
    assert set(SQLModel.metadata.tables) <= set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "render_as_batch": engine.dialect.name == "sqlite"},
        )
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []
    upgrade_database(engine)  # a second upgrade is a no-op
    engine.dispose()

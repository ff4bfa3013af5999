"""Backups taken while the app writes are consistent, and restore row for row (both engines)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from tests.conftest import create_pg_database, drop_pg_database, postgres_server_url
from tests.factories import add_update
from tracker.db import current_revision, make_engine, upgrade_database
from tracker.services.operations import BackupError, backup_database, count_rows, restore_database

WRITTEN_BY_THE_APP = ("action", "action_update", "audit_log")
APPEND_ONLY = ("action_update", "audit_log")
REFERENCES = ("P1.1", "P2.3", "P3.2", "P4.1", "P5.4")
NewUrl = Callable[[], str]


@contextmanager
def opened(url: str) -> Iterator[Engine]:
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def _add_update(url: str, reference: str, **values: Any) -> None:
    with opened(url) as engine:
        add_update(engine, reference, **values)


def _counts(url: str) -> dict[str, int]:
    with opened(url) as engine:
        return count_rows(engine)


def read_tables(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, in primary-key order, as the models read them."""
    with opened(url) as engine, engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in SQLModel.metadata.sorted_tables
        }


@pytest.fixture
def new_url(db_url: str, tmp_path: Path) -> Iterator[NewUrl]:
    """Makes empty databases (no tables) on the same engine as ``db_url``."""
    made: list[str] = []
    server = postgres_server_url() if db_url.startswith("postgresql") else None

    def make() -> str:
        if server is None:
            url = f"sqlite:///{tmp_path / f'restored-{len(made)}.db'}"
        else:
            url = create_pg_database(server)
        made.append(url)
        return url

    yield make
    if server is not None:
        for url in made:
            drop_pg_database(server, url)


class Writer(threading.Thread):
    """Records updates through the real service, as owners would, until told to stop."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.engine = make_engine(url)
        self.stop = threading.Event()
        self.written = 0
        self.errors: list[BaseException] = []

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                reference = REFERENCES[self.written % len(REFERENCES)]
                add_update(self.engine, reference, rag="amber", commentary=f"write {self.written}")
                self.written += 1
        except BaseException as error:  # the test thread reports it
            self.errors.append(error)
        finally:
            self.engine.dispose()

    def wait_for(self, count: int) -> None:
        while self.written < count and self.is_alive():
            self.stop.wait(0.01)


def _assert_consistent(tables: dict[str, list[tuple[Any, ...]]]) -> None:
    """Every action's state is its newest update, and its version counts its updates."""
    columns = [c.name for c in SQLModel.metadata.tables["action"].columns]
    update_columns = [c.name for c in SQLModel.metadata.tables["action_update"].columns]
    updates: dict[int, list[dict[str, Any]]] = {}
    for row in tables["action_update"]:
        entry = dict(zip(update_columns, row, strict=True))
        updates.setdefault(entry["action_id"], []).append(entry)
    for row in tables["action"]:
        action = dict(zip(columns, row, strict=True))
        history = sorted(updates.get(action["id"], []), key=lambda u: (u["created_at"], u["id"]))
        assert action["version"] == 1 + len(history), action["reference"]
        if history:
            assert action["latest_commentary"] == history[-1]["commentary"]


def test_backup_during_writes_is_consistent_and_restores_row_for_row(
    db_url: str, new_url: NewUrl, tmp_path: Path
) -> None:
    writer = Writer(db_url)
    writer.start()
    try:
        writer.wait_for(5)
        during = backup_database(db_url, tmp_path / "during.backup")
        writer.wait_for(writer.written + 5)
    finally:
        writer.stop.set()
        writer.join(timeout=60)
    assert writer.errors == []
    source = read_tables(db_url)

    restored_url = new_url()
    report = restore_database(restored_url, during.path)
    with opened(db_url) as engine:
        assert report.revision == current_revision(engine)
    restored = read_tables(restored_url)
    for name, rows in source.items():
        if name in APPEND_ONLY:
            assert 0 < len(restored[name]) < len(rows)
            assert restored[name] == rows[: len(restored[name])]
        elif name not in WRITTEN_BY_THE_APP:
            assert restored[name] == rows, name
    _assert_consistent(restored)

    quiet = backup_database(db_url, tmp_path / "after.backup")
    again_url = new_url()
    restore_database(again_url, quiet.path)
    assert read_tables(again_url) == source


def test_restore_refuses_a_database_with_data_unless_forced(db_url: str, tmp_path: Path) -> None:
    backup = backup_database(db_url, tmp_path / "plan.backup").path
    _add_update(db_url, "P1.1", rag="red", commentary="after the backup")
    before = _counts(db_url)
    with pytest.raises(BackupError, match=r"already holds data .*use --force"):
        restore_database(db_url, backup)
    assert _counts(db_url) == before
    report = restore_database(db_url, backup, force=True)
    assert report.replaced_data
    assert report.row_counts["action_update"] == before["action_update"] - 1


def test_restore_into_empty_tables_is_allowed(db_url: str, new_url: NewUrl, tmp_path: Path) -> None:
    backup = backup_database(db_url, tmp_path / "plan.backup").path
    target = new_url()
    with opened(target) as engine:
        upgrade_database(engine)  # tables, but not a single row
    report = restore_database(target, backup)
    assert not report.replaced_data
    assert read_tables(target) == read_tables(db_url)


def test_restored_database_takes_new_writes(db_url: str, new_url: NewUrl, tmp_path: Path) -> None:
    backup = backup_database(db_url, tmp_path / "plan.backup").path
    target = new_url()
    restore_database(target, backup)
    _add_update(target, "P1.1", rag="green")  # sequences restored too
    assert _counts(target)["action_update"] == 1


def test_a_backup_does_not_overwrite_a_file_unless_told(sqlite_url: str, tmp_path: Path) -> None:
    existing = tmp_path / "plan.backup"
    existing.write_bytes(b"keep me")
    with pytest.raises(BackupError, match="already exists"):
        backup_database(sqlite_url, existing)
    assert existing.read_bytes() == b"keep me"
    backup_database(sqlite_url, existing, overwrite=True)
    assert existing.read_bytes().startswith(b"SQLite format 3\x00")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04 a zip", "not a backup made by `tracker backup`"),
        (b"", "not a backup made by `tracker backup`"),
    ],
)
def test_restore_refuses_what_is_not_a_backup(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "odd.backup"
    path.write_bytes(content)
    with pytest.raises(BackupError, match=message):
        restore_database(f"sqlite:///{tmp_path / 'new.db'}", path)


def test_restore_refuses_a_sqlite_database_that_is_not_the_trackers(tmp_path: Path) -> None:
    import sqlite3

    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE t (x)")
    with pytest.raises(BackupError, match="not a tracker backup"):
        restore_database(f"sqlite:///{tmp_path / 'new.db'}", other)


def test_a_backup_from_the_other_engine_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    backup = backup_database(sqlite_url, tmp_path / "plan.backup").path
    with pytest.raises(BackupError, match=r"is a sqlite backup and .* is a postgresql database"):
        restore_database("postgresql+psycopg://u:pw@127.0.0.1:1/none", backup)


def test_missing_postgresql_tools_are_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BackupError, match="pg_dump was not found on PATH: install"):
        backup_database("postgresql+psycopg://u:pw@127.0.0.1:1/none", tmp_path / "x.backup")


def test_a_failed_pg_dump_names_the_database_but_not_the_password(tmp_path: Path) -> None:
    with pytest.raises(BackupError) as caught:
        backup_database("postgresql+psycopg://u:s3cret@127.0.0.1:1/none", tmp_path / "x.backup")
    assert "pg_dump failed for postgresql+psycopg://u:***@127.0.0.1:1/none" in str(caught.value)
    assert "s3cret" not in str(caught.value)
    assert not (tmp_path / "x.backup").exists()


def test_sqlite_backup_needs_an_existing_database(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="there is no database file"):
        backup_database(f"sqlite:///{tmp_path / 'missing.db'}", tmp_path / "x.backup")
    assert make_url(f"sqlite:///{tmp_path / 'missing.db'}").database
    assert not (tmp_path / "missing.db").exists()


def test_a_backup_carries_evidence_files_byte_for_byte(
    db_url: str, new_url: NewUrl, tmp_path: Path
) -> None:
    import io

    from tests.factories import ADMIN, actor
    from tests.services.evidence import samples
    from tracker.db import session_scope
    from tracker.services.evidence import CHUNK_BYTES, add_evidence, open_evidence

    data = samples.pdf() + bytes(range(256)) * (CHUNK_BYTES // 128)  # three chunks
    with opened(db_url) as engine, session_scope(engine, write=True) as session:
        evidence = add_evidence(
            session, actor(session, ADMIN), "P2.3", io.BytesIO(data), "EP figures.pdf"
        )
        evidence_id = evidence.id
    assert evidence_id is not None
    backup = backup_database(db_url, tmp_path / "with-evidence.backup").path
    target = new_url()
    report = restore_database(target, backup)
    assert report.row_counts["evidence_chunk"] == 3
    with opened(target) as engine, session_scope(engine, write=True) as session:
        restored = open_evidence(session, actor(session, ADMIN), evidence_id)
        assert restored.filename == "EP figures.pdf"
        assert restored.read_all() == data

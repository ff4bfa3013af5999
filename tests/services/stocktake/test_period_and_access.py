"""Who may make a stocktake pack, which period it covers by default, and what is refused.

The period defaults to the day after the last stocktake's period (three months back before
the first) up to today; impossible periods and destinations are refused naming what is wrong,
before anything is read or written; only administrators, board secretaries and operators make
packs, and a refusal leaves no file and no record.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import select

from tests.factories import ADMIN, EXECUTIVE, HEAD_OF_SEND, OPERATOR, PARTNER, SECRETARY_SIB, actor
from tests.services.stocktake.support import NOW, FakePdf, governance
from tracker.db import session_scope
from tracker.errors import InvalidInput, OperationFailed
from tracker.models import AuditLog, Stocktake
from tracker.permissions import PermissionDenied
from tracker.services.stocktake import (
    PeriodInvalid,
    default_period,
    generate_stocktake,
    list_stocktakes,
    load_stocktake_page,
    read_stocktake_file,
)

TODAY = date(2026, 12, 1)


def _record(engine: Engine, start: date, end: date) -> None:
    with session_scope(engine, write=True) as session:
        session.add(
            Stocktake(
                period_from=start,
                period_to=end,
                filename="earlier.zip",
                sha256="a" * 64,
                size_bytes=10,
                generated_at=datetime(2026, 9, 1, tzinfo=UTC),
            )
        )


@pytest.mark.parametrize(
    ("earlier", "expected"),
    [
        ([], (date(2026, 9, 1), TODAY)),  # the first: three months back
        ([(date(2026, 6, 1), date(2026, 8, 31))], (date(2026, 9, 1), TODAY)),
        (
            [(date(2026, 3, 1), date(2026, 5, 31)), (date(2026, 6, 1), date(2026, 10, 15))],
            (date(2026, 10, 16), TODAY),  # the latest period wins
        ),
        ([(date(2026, 9, 1), TODAY)], (TODAY, TODAY)),  # made again the same day: today alone
    ],
)
def test_the_period_defaults_to_the_time_since_the_last_stocktake(
    sqlite_engine: Engine, earlier: list[tuple[date, date]], expected: tuple[date, date]
) -> None:
    for start, end in earlier:
        _record(sqlite_engine, start, end)
    with session_scope(sqlite_engine) as session:
        period = default_period(session, today=TODAY)
    assert (period.start, period.end) == expected


def test_a_pack_with_no_dates_covers_the_default_period(engine: Engine, tmp_path: Path) -> None:
    _record(engine, date(2026, 6, 1), date(2026, 10, 31))
    pack = generate_stocktake(
        engine,
        actor=OPERATOR,
        governance=governance(),
        output=tmp_path / "next.zip",
        now=NOW,
        pdf_converter=FakePdf(),
    )
    assert (pack.period_from, pack.period_to) == (date(2026, 11, 1), TODAY)
    with session_scope(engine) as session:
        assert default_period(session, today=TODAY).start == TODAY  # this one ended today


@pytest.mark.parametrize(
    ("start", "end", "field", "words"),
    [
        (date(2026, 11, 2), date(2026, 11, 1), "period_from", "after it ends"),
        (date(2026, 11, 1), date(2027, 1, 31), "period_to", "cannot end after today"),
        (date(1926, 11, 1), date(2026, 11, 30), "period_from", "cannot start before"),
    ],
)
def test_an_impossible_period_is_refused_naming_the_day_at_fault(
    sqlite_engine: Engine, tmp_path: Path, start: date, end: date, field: str, words: str
) -> None:
    with pytest.raises(PeriodInvalid, match=words) as refused:
        generate_stocktake(
            sqlite_engine,
            actor=OPERATOR,
            governance=governance(),
            output=tmp_path / "out.zip",
            period_from=start,
            period_to=end,
            now=NOW,
            pdf_converter=FakePdf(),
        )
    assert list(refused.value.fields) == [field]
    assert not (tmp_path / "out.zip").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.zip")]


@pytest.mark.parametrize(
    ("where", "words"),
    [
        ("missing/pack.zip", "does not exist"),
        (".", "is a folder"),
        ("/proc/pack.zip", "cannot be written to"),
    ],
)
def test_a_destination_that_cannot_be_written_is_refused_first(
    sqlite_engine: Engine, tmp_path: Path, where: str, words: str
) -> None:
    target = Path(where) if where.startswith("/") else tmp_path / where
    with pytest.raises(InvalidInput, match=words):
        generate_stocktake(
            sqlite_engine,
            actor=OPERATOR,
            governance=governance(),
            output=target,
            now=NOW,
            pdf_converter=FakePdf(),
        )
    with session_scope(sqlite_engine) as session:
        assert session.exec(select(func.count()).select_from(Stocktake)).one() == 0


@pytest.mark.parametrize("email", [ADMIN, SECRETARY_SIB])
def test_administrators_and_secretaries_make_packs(
    sqlite_engine: Engine, tmp_path: Path, email: str
) -> None:
    with session_scope(sqlite_engine) as session:
        who = actor(session, email)
    pack = generate_stocktake(
        sqlite_engine,
        actor=who,
        governance=governance(),
        output=tmp_path / "pack.zip",
        now=NOW,
        pdf_converter=FakePdf(),
    )
    with session_scope(sqlite_engine, write=True) as session:
        (listed,) = list_stocktakes(session, actor=who, folder=tmp_path)
        assert listed.available and listed.sha256 == pack.sha256
        data = read_stocktake_file(session, actor=who, stocktake_id=pack.id, folder=tmp_path)
    assert hashlib.sha256(data).hexdigest() == pack.sha256
    with session_scope(sqlite_engine) as session:
        fields = session.exec(select(AuditLog.field).where(AuditLog.entity == "stocktake")).all()
    assert sorted(fields) == ["downloaded", "generated"]


@pytest.mark.parametrize("email", [EXECUTIVE, PARTNER, HEAD_OF_SEND])
def test_everyone_else_is_refused_and_nothing_is_written(
    sqlite_engine: Engine, tmp_path: Path, email: str
) -> None:
    with session_scope(sqlite_engine) as session:
        who = actor(session, email)
    with pytest.raises(PermissionDenied, match="administrators and board secretaries"):
        generate_stocktake(
            sqlite_engine,
            actor=who,
            governance=governance(),
            output=tmp_path / "pack.zip",
            now=NOW,
            pdf_converter=FakePdf(),
        )
    assert not [p for p in tmp_path.iterdir() if "pack.zip" in p.name]
    with session_scope(sqlite_engine) as session:
        assert session.exec(select(func.count()).select_from(Stocktake)).one() == 0
        with pytest.raises(PermissionDenied):
            load_stocktake_page(session, actor=who, today=TODAY, folder=tmp_path)
        with pytest.raises(PermissionDenied):
            list_stocktakes(session, actor=who)
    # The refusal itself is audited.
    with session_scope(sqlite_engine) as session:
        refused = session.exec(
            select(AuditLog).where(
                AuditLog.field == "operation refused",
                AuditLog.entity_label == "generate_stocktake",
                AuditLog.actor_label == email,
            )
        ).all()
    assert refused


def test_a_pack_whose_file_changed_is_not_downloaded(sqlite_engine: Engine, tmp_path: Path) -> None:
    pack = generate_stocktake(
        sqlite_engine,
        actor=OPERATOR,
        governance=governance(),
        output=tmp_path / "pack.zip",
        now=NOW,
        pdf_converter=FakePdf(),
    )
    (tmp_path / "pack.zip").write_bytes(b"x" * pack.size_bytes)
    with (
        session_scope(sqlite_engine, write=True) as session,
        pytest.raises(OperationFailed, match="no longer matches"),
    ):
        read_stocktake_file(session, actor=OPERATOR, stocktake_id=pack.id, folder=tmp_path)

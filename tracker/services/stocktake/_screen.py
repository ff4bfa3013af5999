"""The Stocktake screen's view model, the list of earlier packs and a pack's file to download.

The page generates packs into the folder ``TRACKER_STOCKTAKE_DIR`` names; the command line
writes wherever ``-o`` says. Either way the stocktake record keeps the file's name, size and
SHA-256, so a download is refused when the file is gone or no longer what was made.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlmodel import Session, col, select

from tracker.errors import NotFound, OperationFailed
from tracker.models import Stocktake
from tracker.permissions import Actor, Operation, can
from tracker.services.audit import record_event
from tracker.services.stocktake._pack import (
    AUDIT_ENTITY,
    HASH_BLOCK,
    StocktakeInfo,
    require_stocktake,
)
from tracker.services.stocktake._period import Period, default_period
from tracker.services.stocktake._sources import people_names


@dataclass(frozen=True)
class StocktakeRow(StocktakeInfo):
    available: bool  # the file is in the page's folder, at the size recorded


@dataclass(frozen=True)
class StocktakePage:
    may_generate: bool
    default: Period
    stocktakes: tuple[StocktakeRow, ...]  # newest first


def pack_filename(period_from: date, period_to: date, now: datetime) -> str:
    """``stocktake-2026-09-02-to-2026-12-02-20261202-141503.zip``: sortable, unique per
    second, safe on every file system and in a URL."""
    return f"stocktake-{period_from.isoformat()}-to-{period_to.isoformat()}-{now:%Y%m%d-%H%M%S}.zip"


def _rows(session: Session, folder: Path | None) -> tuple[StocktakeRow, ...]:
    names = people_names(session)
    found = session.exec(
        select(Stocktake).order_by(col(Stocktake.generated_at).desc(), col(Stocktake.id).desc())
    ).all()
    rows = []
    for row in found:
        path = folder / row.filename if folder is not None else None
        available = bool(path and path.is_file() and path.stat().st_size == row.size_bytes)
        rows.append(
            StocktakeRow(
                id=row.id or 0,
                period_from=row.period_from,
                period_to=row.period_to,
                filename=row.filename,
                sha256=row.sha256,
                size_bytes=int(row.size_bytes),
                counts=dict(row.counts),
                generated_by=names.get(row.generated_by_id or 0, "an operator (command line)"),
                generated_at=row.generated_at,
                available=available,
            )
        )
    return tuple(rows)


def list_stocktakes(
    session: Session, *, actor: Actor, folder: Path | None = None
) -> list[StocktakeRow]:
    """Every stocktake made, newest first, with who made it, when, the period and checksum."""
    require_stocktake(actor)
    return list(_rows(session, folder))


def load_stocktake_page(
    session: Session, *, actor: Actor, today: date, folder: Path
) -> StocktakePage:
    """What the Stocktake page shows: the default period, and earlier packs."""
    require_stocktake(actor)
    return StocktakePage(
        may_generate=can(actor, Operation.GENERATE_STOCKTAKE),
        default=default_period(session, today=today),
        stocktakes=_rows(session, folder),
    )


def read_stocktake_file(
    session: Session, *, actor: Actor, stocktake_id: int, folder: Path
) -> bytes:
    """A pack made on the page, checked against its recorded checksum and audited as a
    download (use a write session)."""
    require_stocktake(actor)
    row = session.get(Stocktake, stocktake_id)
    if row is None:
        raise NotFound(f"no stocktake {stocktake_id}")
    path = folder / row.filename
    try:
        data = path.read_bytes()
    except OSError:
        raise NotFound(
            f"{row.filename} is no longer in the stocktake folder; generate the pack again"
        ) from None
    digest = hashlib.sha256()
    for start in range(0, len(data), HASH_BLOCK):
        digest.update(data[start : start + HASH_BLOCK])
    if digest.hexdigest() != row.sha256:
        raise OperationFailed(f"{row.filename} no longer matches the checksum recorded for it")
    record_event(
        session,
        actor=actor,
        entity=AUDIT_ENTITY,
        entity_id=row.id,
        entity_label=row.filename,
        field="downloaded",
        detail=row.sha256,
    )
    return data

"""Comparators as the page, the papers and the CLI read them: the latest period's figures.

``latest_comparators`` gives each measure England's, the region's and the local authorities'
published figures for its latest period with any (local area first); ``describe_comparators``
says them in one line. Importing them is :mod:`tracker.services.measures._national`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from tracker.formatting import format_quantity
from tracker.models import MeasureComparator

NATIONAL, REGIONAL, LOCAL, NEIGHBOUR = "national", "regional", "local", "neighbour"
AREA_ORDER = (LOCAL, REGIONAL, NATIONAL, NEIGHBOUR)


@dataclass(frozen=True)
class Comparator:
    area_kind: str
    area_name: str
    value: float | None
    missing_reason: str | None


@dataclass(frozen=True)
class ComparatorSet:
    """A measure's published figures for its latest period with any: local area first."""

    period_label: str
    period_end: date
    dataset: str
    figures: tuple[Comparator, ...]

    def figure(self, kind: str) -> Comparator | None:
        return next((f for f in self.figures if f.area_kind == kind), None)


def _area_rank(kind: str) -> int:
    return AREA_ORDER.index(kind) if kind in AREA_ORDER else len(AREA_ORDER)


def latest_comparators(
    session: Session, measure_ids: Iterable[int], *, as_of: date | None = None
) -> dict[int, ComparatorSet]:
    """Each measure's comparators for the latest period (up to ``as_of``) that has any."""
    ids = list(measure_ids)
    if not ids:
        return {}
    query = select(MeasureComparator).where(col(MeasureComparator.measure_id).in_(ids))
    if as_of is not None:
        query = query.where(MeasureComparator.period_end <= as_of)
    rows = session.exec(query).all()
    latest: dict[int, date] = {}
    for row in rows:
        if row.measure_id not in latest or row.period_end > latest[row.measure_id]:
            latest[row.measure_id] = row.period_end
    found: dict[int, ComparatorSet] = {}
    for measure_id, period_end in latest.items():
        chosen = sorted(
            (r for r in rows if r.measure_id == measure_id and r.period_end == period_end),
            key=lambda r: (
                AREA_ORDER.index(r.area_kind) if r.area_kind in AREA_ORDER else 9,
                r.area_name,
            ),
        )
        found[measure_id] = ComparatorSet(
            period_label=chosen[0].period_label,
            period_end=period_end,
            dataset=chosen[0].dataset,
            figures=tuple(
                Comparator(r.area_kind, r.area_name, r.value, r.missing_reason) for r in chosen
            ),
        )
    return found


def describe_comparators(found: ComparatorSet, unit: str) -> str:
    """ "Lancashire 66%, North West 50.1%, England 46.4% (2024, EES)"; a missing figure says
    why ("Cumbria c: confidential")."""
    parts = [
        f"{f.area_name} "
        + (format_quantity(f.value, unit) if f.value is not None else (f.missing_reason or "—"))
        for f in found.figures
    ]
    return ", ".join(parts) + f" ({found.period_label}, EES)"

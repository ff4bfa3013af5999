"""The demonstration's national comparators: an Explore Education Statistics file, made up.

For each measure governance.yaml maps to a published indicator, this writes the last three
calendar years in EES's open-data layout (England, the region, the partnership and its
statistical neighbours, one neighbour's figure withheld as ``c``) with plausible figures drawn
from the seeded random generator, and imports it through the same service an administrator
uses, so the Measures page, ``tracker measures show`` and the Improvement Board paper show
comparators the way a real import would.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date

from sqlmodel import Session, col, select

from tracker.governance import GovernanceConfig
from tracker.models import MeasureValue, SuccessMeasure
from tracker.permissions import Actor
from tracker.services.measures import import_national_figures

SOURCE = "demonstration-ees-timeliness.csv"
BASE_COLUMNS = (
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "new_la_code",
    "old_la_code",
    "la_name",
)


def _local_by_year(session: Session, reference: str) -> dict[int, float]:
    """The demonstration's own values of a measure, averaged per calendar year."""
    found: dict[int, list[float]] = {}
    for row in session.exec(
        select(MeasureValue)
        .join(SuccessMeasure, col(SuccessMeasure.id) == MeasureValue.measure_id)
        .where(SuccessMeasure.reference == reference)
    ).all():
        if row.value is not None:
            found.setdefault(row.period_end.year, []).append(row.value)
    return {year: sum(values) / len(values) for year, values in found.items()}


def _rows(
    session: Session, config: GovernanceConfig, rng: random.Random, today: date
) -> list[dict[str, str]]:
    comparators = config.comparators
    areas: list[tuple[str, dict[str, str], float]] = [("National", {}, 48.0)]
    if comparators.region is not None:
        region = comparators.region
        areas.append(("Regional", {"region_code": region.code, "region_name": region.name}, 52.0))
    locals_ = ([comparators.local_authority] if comparators.local_authority else []) + list(
        comparators.neighbours
    )
    for index, area in enumerate(locals_):
        fields = {
            "new_la_code": area.code,
            "old_la_code": area.old_code or "",
            "la_name": area.name,
        }
        areas.append(("Local authority", fields, 40.0 + 6 * index))
    rows = []
    local_code = comparators.local_authority.code if comparators.local_authority else None
    for mapping in comparators.mappings:
        own = _local_by_year(session, mapping.measure)
        for year in range(today.year - 3, today.year):
            drift = (year - today.year + 3) * rng.uniform(-1.5, 2.5)
            for n, (level, fields, base) in enumerate(areas):
                withheld = n == len(areas) - 1 and year == today.year - 2
                figure = base + drift + rng.uniform(-3, 3)
                if fields.get("new_la_code") == local_code and year in own:
                    figure = own[year]  # the partnership's published figure is its own
                value = "c" if withheld else f"{figure:.1f}"
                row = dict.fromkeys(BASE_COLUMNS, "") | {
                    "time_period": str(year),
                    "time_identifier": "Calendar year",
                    "geographic_level": level,
                    "country_code": "E92000001",
                    "country_name": "England",
                    **fields,
                    **mapping.filters,
                    mapping.indicator: value,
                }
                rows.append(row)
    return rows


def import_demo_comparators(
    session: Session,
    *,
    governance: GovernanceConfig,
    rng: random.Random,
    today: date,
    actor: Actor,
) -> int:
    """Import made-up comparators for every mapped measure; the number of figures stored."""
    if not governance.comparators.mappings:
        return 0
    rows = _rows(session, governance, rng, today)
    columns = list(dict.fromkeys(name for row in rows for name in row))
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    report = import_national_figures(
        session,
        stream=io.BytesIO(text.getvalue().encode("utf-8")),
        source=SOURCE,
        config=governance.comparators,
        actor=actor,
    )
    return report.stored

"""National comparators: reading an Explore Education Statistics (EES) open-data CSV file.

EES publishes each data set as a CSV in one layout: ``time_period`` and ``time_identifier`` say
the period ("2024", "Calendar year"), ``geographic_level`` the kind of area ("National",
"Regional", "Local authority") with its codes and names in ``country_*``, ``region_*`` and
``new_la_code``/``old_la_code``/``la_name``, any breakdown columns, then one column per
indicator. Missing figures are symbols, not numbers: ``x`` not available, ``z`` not
applicable, ``c`` confidential, ``low`` (a small number rounded away), ``u`` low reliability,
``:`` not published; each is stored as "no figure" with its reason, never as zero.

governance.yaml's ``comparators`` section says which measure takes which indicator column from
the rows matching its filters, and which areas to keep: England, the partnership's region, the
partnership itself and its statistical neighbours. The file is read as a stream, row by row, and
checked whole: a file missing a column the mapping needs is refused naming it; a mapped figure
that is neither a number nor a symbol is a problem naming its line; nothing is stored unless
every row is good. A figure already held for the same measure, period and area is replaced
(a revised publication), and every import is audited.

With ``local`` the partnership's own row is also taken as the measure's value for that period,
marked with its source (publication, data set, file): a period without a value gets one; a
different value already held is corrected, keeping its history with the reason "from EES file
X" (and, if it was signed off, waiting for sign-off again); a missing symbol is not a value.
The values are checked as a person's would be (unit, period) before anything is written.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO

from sqlmodel import Session, col, select

from tracker import clock
from tracker.errors import InvalidInput
from tracker.governance import ComparatorsConfig, IndicatorMapping
from tracker.models import MeasureComparator, MeasureValue, SuccessMeasure, utcnow
from tracker.permissions import Actor, Operation, require
from tracker.services.actions import ValidationFailed
from tracker.services.audit import record_event
from tracker.services.measures._changes import CleanValue, store_value, validate_value
from tracker.services.measures._comparators import LOCAL, NATIONAL, NEIGHBOUR, REGIONAL

REQUIRED = ("time_period", "time_identifier", "geographic_level")
SYMBOLS = {
    "x": "x: not available",
    "z": "z: not applicable",
    "c": "c: confidential",
    "low": "low: rounds to zero",
    "u": "u: low reliability",
    ":": ": not published",
}
MAX_PROBLEMS = 50


class NationalFileRefused(InvalidInput):
    """The file cannot be imported; ``problems`` lists each (line numbers are the file's)."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:MAX_PROBLEMS]
        more = len(problems) - len(shown)
        super().__init__(
            f"{source}: nothing imported; "
            + "; ".join(shown)
            + (f"; and {more} more problems" if more else "")
        )


@dataclass(frozen=True)
class Figure:
    measure: str
    period_end: date
    period_label: str
    area_kind: str
    area_code: str
    area_name: str
    value: float | None
    missing_reason: str | None


@dataclass
class NationalImport:
    """What an import read and stored."""

    source: str
    rows_read: int = 0
    figures: list[Figure] = field(default_factory=list)
    stored: int = 0
    replaced: int = 0
    # With ``local``: the partnership's own figures taken as measure values.
    values_new: int = 0
    values_corrected: int = 0
    values_unchanged: int = 0

    def periods(self, measure: str) -> list[str]:
        return sorted({f.period_label for f in self.figures if f.measure == measure})


def period_of(time_period: str, time_identifier: str) -> tuple[date, str] | None:
    """The period's last day and its label: "2024"/"Calendar year" -> 31 Dec 2024, "2024";
    "202425"/"Financial year" -> 31 Mar 2025, "2024-25"; "202324"/"Academic year" ->
    31 Aug 2024, "2023/24". None for a period this reader does not know."""
    text, kind = time_period.strip(), time_identifier.strip().casefold()
    if kind == "calendar year" and len(text) == 4 and text.isdigit():
        return date(int(text), 12, 31), text
    if len(text) == 6 and text.isdigit() and int(text[4:]) == (int(text[2:4]) + 1) % 100:
        start = int(text[:4])
        if kind == "financial year":
            return date(start + 1, 3, 31), f"{start}-{text[4:]}"
        if kind == "academic year":
            return date(start + 1, 8, 31), f"{start}/{text[4:]}"
    return None


def _value(text: str) -> tuple[float | None, str | None] | None:
    """(number, None), (None, reason) for an EES symbol, or None when it is neither."""
    cleaned = text.strip()
    if cleaned.casefold() in SYMBOLS:
        return None, SYMBOLS[cleaned.casefold()]
    try:
        return float(cleaned.replace(",", "")), None
    except ValueError:
        return None


def _area(row: dict[str, str], config: ComparatorsConfig) -> tuple[str, str, str] | None:
    """(kind, code, name) when the row is for an area the partnership compares with."""
    level = (row.get("geographic_level") or "").strip().casefold()
    if level == "national":
        return (
            NATIONAL,
            (row.get("country_code") or "E92000001").strip(),
            (row.get("country_name") or "England").strip(),
        )
    if level == "regional" and config.region is not None:
        if (row.get("region_code") or "").strip() == config.region.code:
            return REGIONAL, config.region.code, config.region.name
        return None
    if level == "local authority":
        code = (row.get("new_la_code") or "").strip()
        old = (row.get("old_la_code") or "").strip()
        local = config.local_authority
        if local is not None and (code == local.code or (local.old_code and old == local.old_code)):
            return LOCAL, local.code, local.name
        for neighbour in config.neighbours:
            if code == neighbour.code or (neighbour.old_code and old == neighbour.old_code):
                return NEIGHBOUR, neighbour.code, neighbour.name
    return None


def _matches(row: dict[str, str], mapping: IndicatorMapping) -> bool:
    return all(
        (row.get(column) or "").strip().casefold() == wanted.strip().casefold()
        for column, wanted in mapping.filters.items()
    )


def read_national_figures(
    stream: IO[str], *, source: str, config: ComparatorsConfig, mappings: Iterable[IndicatorMapping]
) -> NationalImport:
    """Read every figure the mappings ask for from an EES CSV stream, or refuse the file."""
    mappings = list(mappings)
    report = NationalImport(source=source)
    reader = csv.DictReader(stream)
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    needed = list(REQUIRED)
    for mapping in mappings:
        needed += [mapping.indicator, *mapping.filters]
    missing = [name for name in dict.fromkeys(needed) if name not in header]
    if not header:
        raise NationalFileRefused(source, ["the file is empty (no header row)"])
    if missing:
        raise NationalFileRefused(
            source,
            [
                "not an Explore Education Statistics open-data file for the mapped indicators: "
                f"no column {', '.join(repr(m) for m in missing)} in its header"
            ],
        )
    problems: list[str] = []
    for line, row in enumerate(_rows(reader), start=2):
        report.rows_read += 1
        area = _area(row, config)
        if area is None:
            continue
        for mapping in mappings:
            if not _matches(row, mapping):
                continue
            period = period_of(row.get("time_period") or "", row.get("time_identifier") or "")
            if period is None:
                problems.append(
                    f"line {line}: period {row.get('time_period')!r} "
                    f"({row.get('time_identifier')!r}) is not a calendar, financial or "
                    "academic year"
                )
                continue
            raw = row.get(mapping.indicator) or ""
            parsed = _value(raw)
            if parsed is None:
                problems.append(
                    f"line {line}: {mapping.indicator} is {raw.strip()!r}, not a number or an "
                    f"EES symbol ({', '.join(SYMBOLS)})"
                )
                continue
            kind, code, name = area
            report.figures.append(
                Figure(mapping.measure, period[0], period[1], kind, code, name, *parsed)
            )
    if problems:
        raise NationalFileRefused(source, problems)
    return report


def _rows(reader: csv.DictReader[str]) -> Iterator[dict[str, str]]:
    for row in reader:
        yield {k: v for k, v in row.items() if k is not None and isinstance(v, str)}


def import_national_figures(
    session: Session,
    *,
    stream: IO[bytes],
    source: str,
    config: ComparatorsConfig,
    actor: Actor,
    now: datetime | None = None,
    local: bool = False,
    today: date | None = None,
) -> NationalImport:
    """Import the comparators of every mapped measure from an EES CSV file, all or nothing;
    with ``local`` the partnership's own figures become the measures' values too."""
    require(actor, Operation.IMPORT_PLAN, what="import national comparators")
    if local and config.local_authority is None:
        raise NationalFileRefused(
            source,
            [
                "--local takes the partnership's own row, but governance.yaml names no "
                "comparators.local_authority"
            ],
        )
    if not config.mappings:
        raise NationalFileRefused(
            source, ["governance.yaml maps no measure to an indicator (comparators.mappings)"]
        )
    measures = {
        m.reference: m
        for m in session.exec(
            select(SuccessMeasure).where(
                col(SuccessMeasure.reference).in_([m.measure for m in config.mappings])
            )
        ).all()
    }
    unknown = [m.measure for m in config.mappings if m.measure not in measures]
    if unknown:
        raise NationalFileRefused(
            source, [f"governance.yaml maps measure {ref}, which does not exist" for ref in unknown]
        )
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        report = read_national_figures(text, source=source, config=config, mappings=config.mappings)
    except UnicodeDecodeError:
        raise NationalFileRefused(source, ["the file is not UTF-8 text (is it a CSV?)"]) from None
    except csv.Error as exc:
        raise NationalFileRefused(source, [f"not a readable CSV file: {exc}"]) from None
    finally:
        text.detach()
    moment = now or utcnow()
    by_measure = {m.measure: m for m in config.mappings}
    planned = _plan_local_values(report, measures, by_measure, today=today) if local else []
    for figure in report.figures:
        measure = measures[figure.measure]
        mapping = by_measure[figure.measure]
        existing = session.exec(
            select(MeasureComparator).where(
                MeasureComparator.measure_id == measure.id,
                MeasureComparator.period_end == figure.period_end,
                MeasureComparator.area_code == figure.area_code,
            )
        ).first()
        row = existing or MeasureComparator(
            measure_id=measure.id or 0,
            period_end=figure.period_end,
            period_label=figure.period_label,
            area_kind=figure.area_kind,
            area_code=figure.area_code,
            area_name=figure.area_name,
            publication=mapping.publication,
            dataset=mapping.dataset,
            source_file=source[:260],
        )
        if existing is not None:
            report.replaced += 1
        row.value, row.missing_reason = figure.value, figure.missing_reason
        row.area_kind, row.area_name = figure.area_kind, figure.area_name
        row.publication, row.dataset = mapping.publication, mapping.dataset
        row.source_file, row.imported_at = source[:260], moment
        session.add(row)
        report.stored += 1
    _store_local_values(session, report, planned, measures, actor=actor, now=moment)
    local_note = (
        f"; {report.values_new} values new, {report.values_corrected} corrected, "
        f"{report.values_unchanged} unchanged from the partnership's own row"
        if local
        else ""
    )
    record_event(
        session,
        actor=actor,
        entity="measure_comparator",
        field="imported",
        detail=f"{source}: {report.stored} figures ({report.replaced} replaced) from "
        f"{report.rows_read} rows{local_note}",
    )
    session.flush()
    return report


def _plan_local_values(
    report: NationalImport,
    measures: dict[str, SuccessMeasure],
    mappings: dict[str, IndicatorMapping],
    *,
    today: date | None,
) -> list[tuple[str, CleanValue]]:
    """The partnership's own figures as values, each checked; refuse the file on any problem."""
    planned: list[tuple[str, CleanValue]] = []
    problems: list[str] = []
    day = today or clock.today()
    for figure in report.figures:
        if figure.area_kind != LOCAL or figure.value is None:
            continue  # a symbol ("c", "x" ...) is no figure, so no value
        mapping = mappings[figure.measure]
        source = f"EES: {mapping.publication}; {mapping.dataset} ({report.source})"
        try:
            clean = validate_value(
                unit=measures[figure.measure].unit,
                period_end=figure.period_end,
                value=figure.value,
                note=None,
                period_label=figure.period_label,
                today=day,
                source=source[:300],
            )
        except ValidationFailed as exc:
            problems += [
                f"{figure.measure} {figure.period_label} ({figure.area_name}): {field} {text}"
                for field, text in exc.errors.items()
            ]
            continue
        planned.append((figure.measure, clean))
    if problems:
        raise NationalFileRefused(report.source, problems)
    return planned


def _store_local_values(
    session: Session,
    report: NationalImport,
    planned: list[tuple[str, CleanValue]],
    measures: dict[str, SuccessMeasure],
    *,
    actor: Actor,
    now: datetime,
) -> None:
    for reference, clean in planned:
        measure = measures[reference]
        existing = session.exec(
            select(MeasureValue).where(
                MeasureValue.measure_id == measure.id, MeasureValue.period_end == clean.period_end
            )
        ).first()
        if (
            existing is not None
            and existing.value is not None
            and clean.value is not None
            and math.isclose(existing.value, clean.value, rel_tol=1e-9, abs_tol=1e-9)
        ):
            report.values_unchanged += 1
            continue
        if existing is not None:
            # A correction keeps what the person wrote beside the figure.
            clean = CleanValue(
                period_end=clean.period_end,
                period_label=existing.period_label or clean.period_label,
                value=clean.value,
                note=existing.note,
                source=clean.source,
                caveat=existing.caveat,
            )
        store_value(
            session,
            actor=actor,
            measure=measure,
            clean=clean,
            reason=f"from EES file {report.source}",
            now=now,
        )
        if existing is None:
            report.values_new += 1
        else:
            report.values_corrected += 1

"""The pack's spreadsheets: the evidence index, the measure values and the audit extract.

They go through ``tracker.spreadsheets``' writer, so text that looks like a formula is
neutralised (a leading apostrophe) and characters XML forbids are dropped: whatever people
typed, no cell runs. The audit extract can be long, so it is written as CSV row by row straight
into the zip entry, never built whole in memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import IO, Any

from tracker.formatting import local_time
from tracker.services.stocktake._model import EvidenceFile
from tracker.services.stocktake._sources import ValueRow
from tracker.spreadsheets import ColumnSpec, SheetSpec, write_csv, write_xlsx
from tracker.spreadsheets.writer import neutralise

INDEX_COLUMNS = (
    ColumnSpec("Reference", "text", 10),
    ColumnSpec("Action", "text", 50),
    ColumnSpec("File", "text", 50),
    ColumnSpec("Note", "text", 40),
    ColumnSpec("Added by", "text", 24),
    ColumnSpec("Added at", "text", 18),
    ColumnSpec("SHA-256", "text", 66),
    ColumnSpec("Size (bytes)", "int", 13),
    ColumnSpec("Content type", "text", 28),
    ColumnSpec("Status", "text", 40),
)
VALUE_COLUMNS = (
    ColumnSpec("Measure", "text", 10),
    ColumnSpec("Wording", "text", 60),
    ColumnSpec("Period end", "date", 12),
    ColumnSpec("Period", "text", 14),
    ColumnSpec("Value", "text", 12),
    ColumnSpec("Unit", "text", 10),
    ColumnSpec("Note", "text", 40),
    ColumnSpec("Entered by", "text", 24),
    ColumnSpec("Entered at", "text", 18),
)
COMPARATOR_COLUMNS = (
    ColumnSpec("Measure", "text", 10),
    ColumnSpec("Period", "text", 12),
    ColumnSpec("Area", "text", 30),
    ColumnSpec("Kind", "text", 12),
    ColumnSpec("Value", "text", 12),
    ColumnSpec("No figure because", "text", 24),
    ColumnSpec("Data set", "text", 40),
)
AUDIT_HEADERS = (
    "When",
    "Who",
    "Entity",
    "Entity id",
    "Entity name",
    "What",
    "Before",
    "After",
    "Reason",
    "Chain position",
    "Row hash",
)


def stamp(moment: datetime, zone: str) -> str:
    """``2026-11-03 14:05:09`` in the partnership's time zone: sortable, unambiguous."""
    return local_time(moment, zone).strftime("%Y-%m-%d %H:%M:%S")


def _status(item: EvidenceFile, zone: str) -> str:
    if item.superseded_at is None:
        return "Current"
    why = f": {item.superseded_reason}" if item.superseded_reason else ""
    return f"Superseded {stamp(item.superseded_at, zone)}{why}"


def evidence_sheet(files: Iterable[EvidenceFile], zone: str) -> SheetSpec:
    rows = [
        (
            f.reference,
            f.action_title,
            f.path,
            f.note,
            f.added_by,
            stamp(f.added_at, zone),
            f.sha256,
            f.size_bytes,
            f.content_type,
            _status(f, zone),
        )
        for f in files
    ]
    return SheetSpec(title="Evidence index", columns=INDEX_COLUMNS, rows=rows)


def evidence_index_xlsx(files: Iterable[EvidenceFile], zone: str) -> bytes:
    return write_xlsx([evidence_sheet(files, zone)])


def evidence_index_csv(files: Iterable[EvidenceFile], zone: str) -> bytes:
    return write_csv(evidence_sheet(files, zone))


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"


def measures_xlsx(
    values: Iterator[ValueRow], comparators: list[tuple[Any, ...]], zone: str
) -> bytes:
    """Every value entered in the period with who entered it and when; a second sheet holds
    each measure's latest published comparators."""
    rows = [
        (
            v.measure_reference,
            v.wording,
            v.period_end,
            v.period_label,
            _number(v.value),
            v.unit,
            v.note,
            v.entered_by,
            stamp(v.entered_at, zone),
        )
        for v in values
    ]
    sheets = [SheetSpec(title="Values in the period", columns=VALUE_COLUMNS, rows=rows)]
    sheets.append(SheetSpec(title="Comparators", columns=COMPARATOR_COLUMNS, rows=comparators))
    return write_xlsx(sheets)


def _cell(value: object) -> str:
    if value is None:
        return ""
    return neutralise(str(value))


def write_audit_csv(stream: IO[bytes], rows: Iterable[Any], zone: str) -> None:
    """The audit rows as UTF-8 CSV (with a byte-order mark, for Excel) written to ``stream``."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(AUDIT_HEADERS)
    for at, who, entity, entity_id, label, field, old, new, reason, seq, row_hash in rows:
        writer.writerow(
            (
                stamp(at, zone),
                _cell(who),
                _cell(entity),
                "" if entity_id is None else str(entity_id),
                _cell(label),
                _cell(field),
                _cell(old),
                _cell(new),
                _cell(reason),
                "" if seq is None else str(seq),
                row_hash or "",
            )
        )
    text.flush()
    text.detach()

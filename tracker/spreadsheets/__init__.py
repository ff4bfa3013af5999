"""Bring action plans in from spreadsheets and take registers out to them, without a database.

``read_plan`` reads an ``.xlsx`` or ``.csv`` action plan defensively and returns checked rows
and row-level errors; ``write_xlsx`` and ``write_csv`` produce formatted, formula-safe files.
The importer and exporter services build on this surface.
"""

from tracker.spreadsheets.colours import DEFAULT_RAG_COLOURS, RagColours
from tracker.spreadsheets.plan import PlanRow, PlanSheet, RowError, SheetSummary, read_plan
from tracker.spreadsheets.reader import MAX_BYTES, SpreadsheetError
from tracker.spreadsheets.workbook import SkippedSheet
from tracker.spreadsheets.writer import (
    REGISTER_COLUMNS,
    ColumnSpec,
    SheetSpec,
    build_register_sheet,
    register_row,
    write_csv,
    write_xlsx,
)

__all__ = [
    "DEFAULT_RAG_COLOURS",
    "MAX_BYTES",
    "REGISTER_COLUMNS",
    "ColumnSpec",
    "PlanRow",
    "PlanSheet",
    "RagColours",
    "RowError",
    "SheetSpec",
    "SheetSummary",
    "SkippedSheet",
    "SpreadsheetError",
    "build_register_sheet",
    "read_plan",
    "register_row",
    "write_csv",
    "write_xlsx",
]

"""Bringing a plan in and taking it out: spreadsheet import (plan, lookups, write) and export.

``import_plan`` is a dry run unless committed, then all or nothing; ``export_register`` and
``export_history`` write the register and its update history as .xlsx or .csv in the columns the
import reads.
"""

from tracker.services.plans._downloads import download_export, download_paper
from tracker.services.plans._exporter import (
    FORMATS,
    HISTORY_STEM,
    MEDIA_TYPES,
    REGISTER_STEM,
    ExportError,
    ExportFile,
    ExportFormat,
    RagKey,
    export_filename,
    export_history,
    export_register,
)
from tracker.services.plans._importer import (
    ImportConflict,
    ImportReport,
    PlannedAction,
    import_plan,
)
from tracker.spreadsheets import RowError

__all__ = [
    "FORMATS",
    "HISTORY_STEM",
    "MEDIA_TYPES",
    "REGISTER_STEM",
    "ExportError",
    "ExportFile",
    "ExportFormat",
    "ImportConflict",
    "ImportReport",
    "PlannedAction",
    "RagKey",
    "RowError",
    "download_export",
    "download_paper",
    "export_filename",
    "export_history",
    "export_register",
    "import_plan",
]

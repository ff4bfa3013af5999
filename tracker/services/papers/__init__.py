"""Board papers as the app and the command line use them: preview, generate, list, download.

Generating a paper gathers it (``tracker.papers``), renders it and stores the ``.docx`` with the
snapshot of every action it reported, in one transaction.
"""

from tracker.services.papers._store import (
    MEDIA_TYPE,
    GeneratedPaper,
    PaperFile,
    StoredPaperInfo,
    check_paper_settings,
    generate_paper,
    get_paper_file,
    get_paper_pdf,
    list_boards,
    list_own_boards,
    list_papers,
    may_generate,
    pdf_filename,
    preview_paper,
    read_inputs_version,
)

__all__ = [
    "MEDIA_TYPE",
    "GeneratedPaper",
    "PaperFile",
    "StoredPaperInfo",
    "check_paper_settings",
    "generate_paper",
    "get_paper_file",
    "get_paper_pdf",
    "list_boards",
    "list_own_boards",
    "list_papers",
    "may_generate",
    "pdf_filename",
    "preview_paper",
    "read_inputs_version",
]

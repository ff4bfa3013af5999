"""Board papers as the app and the command line use them: preview, generate, list, download.

Generating a paper gathers it (``tracker.papers``), renders it and stores the ``.docx`` with the
snapshot of every action it reported, in one transaction. ``load_papers_page`` is the Board
papers screen's view model (boards, meeting, stored papers, in one session).
"""

from tracker.services.papers._screen import PapersPage, load_papers_page
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
    "PapersPage",
    "StoredPaperInfo",
    "check_paper_settings",
    "generate_paper",
    "get_paper_file",
    "get_paper_pdf",
    "list_boards",
    "list_own_boards",
    "list_papers",
    "load_papers_page",
    "may_generate",
    "pdf_filename",
    "preview_paper",
    "read_inputs_version",
]

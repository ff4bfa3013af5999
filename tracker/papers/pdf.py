"""Tagged PDF from a paper's .docx, through LibreOffice headless.

The .docx stays the editable original; the PDF is for publication (a council website, where the
Public Sector Bodies Accessibility Regulations apply), so it is exported *tagged*, with PDF/UA
options: headings, tables with their header rows, reading order and each chart's alt text
survive into the PDF for screen readers, and its title is the document's title. LibreOffice is
an outside program, so it sits behind the small :class:`PdfConverter` protocol and tests can
inject a fake; :class:`LibreOfficeConverter` is the one real implementation. Each conversion
runs with its own temporary LibreOffice profile, so two conversions at once do not collide on
a profile lock.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Protocol

from tracker.papers.boards import PaperError

PDF_MEDIA_TYPE = "application/pdf"
PACKAGE = "libreoffice-writer-nogui"
# writer_pdf_Export options (LibreOffice 7.4+ reads them as JSON on the command line).
EXPORT_OPTIONS = {
    "UseTaggedPDF": {"type": "boolean", "value": "true"},
    "PDFUACompliance": {"type": "boolean", "value": "true"},
    "ExportBookmarks": {"type": "boolean", "value": "true"},
    "ExportNotes": {"type": "boolean", "value": "false"},
    "UseLosslessCompression": {"type": "boolean", "value": "true"},
}
TIMEOUT_SECONDS = 240


class PdfUnavailable(PaperError):
    """PDF cannot be made here: LibreOffice is not installed (the message names the package)."""


class PdfConverter(Protocol):
    def convert(self, docx: bytes) -> bytes:
        """The PDF of the Word document ``docx``."""
        ...


class LibreOfficeConverter:
    """Converts with ``soffice --headless --convert-to pdf`` and the tagged-PDF options."""

    def __init__(self, soffice: str | None = None) -> None:
        self._soffice = soffice

    def _program(self) -> str:
        found = self._soffice or shutil.which("soffice") or shutil.which("libreoffice")
        if found is None:
            raise PdfUnavailable(
                "PDF needs LibreOffice, which is not installed on this server: install the "
                f"{PACKAGE} package (apt-get install {PACKAGE}). The Word paper is unaffected."
            )
        return found

    def convert(self, docx: bytes) -> bytes:
        program = self._program()
        with tempfile.TemporaryDirectory(prefix="tracker-pdf-") as folder:
            work = Path(folder)
            source = work / "paper.docx"
            source.write_bytes(docx)
            target = f"pdf:writer_pdf_Export:{json.dumps(EXPORT_OPTIONS, separators=(',', ':'))}"
            command = [
                program,
                f"-env:UserInstallation={(work / 'profile').as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                target,
                "--outdir",
                str(work),
                str(source),
            ]
            try:
                result = subprocess.run(
                    command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
                )
            except subprocess.TimeoutExpired:
                raise PaperError(
                    f"LibreOffice did not finish the PDF within {TIMEOUT_SECONDS} seconds"
                ) from None
            pdf = work / "paper.pdf"
            if result.returncode != 0 or not pdf.is_file():
                said = (result.stderr or result.stdout).strip().splitlines()[-1:]
                raise PaperError(f"LibreOffice could not convert the paper to PDF: {said}")
            return pdf.read_bytes()

"""Open Word files in a real word processor: LibreOffice, headless, converting them to PDF.

Tests that need it call :func:`convert_to_pdf`, which skips when ``soffice`` is missing except in
CI (``CI=true``), where its absence fails the test. Each call uses a private LibreOffice profile
so parallel test workers do not clash.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice")
PDFTOTEXT = shutil.which("pdftotext")


def require_soffice() -> str:
    if SOFFICE is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice (soffice) must be installed in CI to check papers open")
        pytest.skip("LibreOffice (soffice) is not installed, so papers cannot be converted")
    return SOFFICE


def convert_to_pdf(sources: list[Path], outdir: Path) -> list[Path]:
    """Convert each .docx in ``sources`` to a PDF in ``outdir``; fail unless every one is made."""
    soffice = require_soffice()
    profile = outdir / "lo-profile"
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            *map(str, sources),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    pdfs = [outdir / f"{source.stem}.pdf" for source in sources]
    for pdf in pdfs:
        assert pdf.is_file(), f"no {pdf.name}; soffice said: {result.stdout} {result.stderr}"
        assert pdf.read_bytes().startswith(b"%PDF")
    return pdfs


def pdf_text(pdf: Path) -> str | None:
    """The PDF's text as a reader sees it, or None where pdftotext is not installed."""
    if PDFTOTEXT is None:
        return None
    result = subprocess.run(
        [PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout

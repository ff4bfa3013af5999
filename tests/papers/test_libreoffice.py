"""Each level's paper opens and lays out in LibreOffice, converted headless to PDF.

Skipped where LibreOffice is not installed, except in CI (``CI=true``), where its absence fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.papers.factories import board_paper, register
from tracker.papers import render_board_paper_bytes

SOFFICE = shutil.which("soffice")


@pytest.mark.slow
@pytest.mark.parametrize("level", ["action", "workstream", "strategic"])
def test_libreoffice_converts_the_paper_to_pdf(level, tmp_path):
    if SOFFICE is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice (soffice) must be installed in CI to check papers open")
        pytest.skip("LibreOffice (soffice) is not installed, so papers cannot be converted")
    source = tmp_path / f"{level}-paper.docx"
    source.write_bytes(render_board_paper_bytes(board_paper(level, actions=register(60))))
    profile = tmp_path / "lo-profile"  # a private profile so parallel runs do not clash

    result = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )

    pdf = tmp_path / f"{level}-paper.pdf"
    assert result.returncode == 0, result.stderr
    assert pdf.is_file(), f"no PDF written; soffice said: {result.stdout} {result.stderr}"
    assert pdf.read_bytes().startswith(b"%PDF")
    assert pdf.stat().st_size > 10_000

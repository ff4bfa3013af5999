"""Dangerous or broken uploads are refused whole, quickly, and before a parser is exposed."""

from __future__ import annotations

import io
import time
import tracemalloc
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from tests.spreadsheets.workbooks import build_xlsx, build_zip, replace_in_part
from tracker.spreadsheets import SpreadsheetError, read_plan

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "send-action-plan-sample.xlsx"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200)
OLE_BYTES = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)
MB = 1024 * 1024


def _zeros_member_zip(path: Path, megabytes: int) -> Path:
    """A workbook-looking zip with one member of ``megabytes`` of zeros, a few hundred KB."""
    chunk = bytes(MB)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(megabytes):
                member.write(chunk)
    return path


@pytest.fixture(scope="module")
def zip_bomb_500mb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _zeros_member_zip(tmp_path_factory.mktemp("bomb") / "plan.xlsx", 500)


@pytest.fixture(scope="module")
def zip_bomb_150mb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Under the total-size limit: only the compression-ratio check can catch this one.
    return _zeros_member_zip(tmp_path_factory.mktemp("bomb") / "plan.xlsx", 150)


def _refused_quickly(read: Callable[[], object], message: str) -> None:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(SpreadsheetError, match=message):
            read()
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < 5
    assert peak < 100 * MB


def test_zip_bomb_of_500mb_is_refused_quickly_in_little_memory(zip_bomb_500mb: Path) -> None:
    assert zip_bomb_500mb.stat().st_size < 2 * MB
    _refused_quickly(lambda: read_plan(zip_bomb_500mb, filename="plan.xlsx"), "zip bomb")


def test_highly_compressed_member_is_refused(zip_bomb_150mb: Path) -> None:
    _refused_quickly(
        lambda: read_plan(zip_bomb_150mb.read_bytes(), filename="plan.xlsx"),
        "compressed suspiciously",
    )


def test_renamed_png_is_not_a_workbook() -> None:
    _refused_quickly(lambda: read_plan(PNG_BYTES, filename="plan.xlsx"), "is not an Excel workbook")


def test_too_many_zip_members_is_refused() -> None:
    members = {f"xl/media/image{number}.bin": b"x" for number in range(2_001)}
    with pytest.raises(SpreadsheetError, match="more than 2000 parts"):
        read_plan(build_zip(members), filename="plan.xlsx")


@pytest.mark.parametrize("name", ["../../evil.xml", "/etc/evil.xml", "xl\\..\\..\\evil.xml"])
def test_members_outside_the_workbook_are_refused(name: str) -> None:
    with pytest.raises(SpreadsheetError, match="outside the workbook"):
        read_plan(build_zip({"[Content_Types].xml": b"<Types/>", name: b"x"}), filename="p.xlsx")


def test_duplicate_member_names_are_refused() -> None:
    buffer = io.BytesIO()
    with (
        warnings.catch_warnings(),
        zipfile.ZipFile(buffer, "w") as archive,
    ):
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate we want
        archive.writestr("xl/workbook.xml", b"<a/>")
        archive.writestr("xl/workbook.xml", b"<b/>")
    with pytest.raises(SpreadsheetError, match="same name"):
        read_plan(buffer.getvalue(), filename="plan.xlsx")


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"Ref,Action\r\nP1.1,Do it\r\n", "plan.xlsx", "is not an Excel workbook"),
        (OLE_BYTES, "plan.xlsx", "password-protected or in the old .xls format"),
        (build_zip({"word/document.xml": b"<w/>"}), "plan.xlsx", "could not be read"),
        (build_xlsx([["Ref", "Action"]]), "plan.csv", "is an Excel workbook, not a CSV"),
        (PNG_BYTES, "plan.csv", "not a CSV text file"),
        (b"Ref,Action\r\nP1.1,\x81\x8d\r\n", "plan.csv", "not readable text"),
        (b"", "plan.xlsx", "is empty"),
    ],
)
def test_files_that_are_not_what_they_claim_are_refused(
    data: bytes, filename: str, message: str
) -> None:
    with pytest.raises(SpreadsheetError, match=message):
        read_plan(data, filename=filename)


def test_file_over_the_size_limit_is_refused_for_bytes_paths_and_streams() -> None:
    for source in (SAMPLE, SAMPLE.read_bytes(), io.BytesIO(SAMPLE.read_bytes())):
        with pytest.raises(SpreadsheetError, match="larger than the 0 MB limit"):
            read_plan(source, filename="plan.xlsx", max_bytes=1_000)
    assert len(read_plan(io.BytesIO(SAMPLE.read_bytes()), filename="plan.xlsx").rows) == 42


def test_xml_entity_expansion_is_refused() -> None:
    lol = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY lol0 "lol">{lol}]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    data = replace_in_part(
        build_xlsx([["Ref", "Action"]]), "xl/worksheets/sheet1.xml", r"(?s)^.*$", bomb
    )
    _refused_quickly(lambda: read_plan(data, filename="plan.xlsx"), "holds unsafe XML")


def test_workbooks_are_refused_when_xml_cannot_be_parsed_safely(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    with pytest.raises(SpreadsheetError, match="install defusedxml"):
        read_plan(SAMPLE, filename="plan.xlsx")


def test_defusedxml_is_in_force() -> None:
    assert openpyxl.DEFUSEDXML is True


def test_too_many_rows_is_refused() -> None:
    lines = ["Ref,Action"] + [f"P1.{n},Do" for n in range(20_001)]
    with pytest.raises(SpreadsheetError, match="more than 20000 rows"):
        read_plan("\r\n".join(lines).encode(), filename="plan.csv")


def test_stale_dimension_tag_does_not_hide_columns() -> None:
    data = build_xlsx([["Ref", "Action", "RAG"], ["P1.1", "Do", "Red"]])
    data = replace_in_part(data, "xl/worksheets/sheet1.xml", r'<dimension ref="[^"]*"/>', "")
    data = replace_in_part(
        data,
        "xl/worksheets/sheet1.xml",
        r"<sheetViews>",
        '<dimension ref="A1"/><sheetViews>',
    )
    plan = read_plan(data, filename="plan.xlsx")
    assert [(row.reference, row.title, row.rag) for row in plan.rows] == [("P1.1", "Do", "red")]

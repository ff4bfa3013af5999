"""Builders for the spreadsheets the tests feed in: workbooks, CSV text and doctored zips."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence

import openpyxl


def build_xlsx(rows: Sequence[Sequence[object]], *, title: str = "Action Plan") -> bytes:
    """A one-sheet workbook holding ``rows`` from A1, as Excel users would type them."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def build_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def replace_in_part(data: bytes, part: str, pattern: str, replacement: str) -> bytes:
    """The workbook with one regex substitution made in one of its XML parts."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    text = members[part].decode("utf-8")
    edited, count = re.subn(pattern, replacement, text)
    assert count == 1, f"{pattern!r} matched {count} times in {part}"
    members[part] = edited.encode("utf-8")
    return build_zip(members)


def cache_formula_value(data: bytes, coordinate: str, value: str) -> bytes:
    """Give a formula cell the value Excel would have cached (openpyxl writes none)."""
    return replace_in_part(
        data,
        "xl/worksheets/sheet1.xml",
        rf'(<c r="{coordinate}"[^>]*>)(<f>[^<]*</f>)<v\s*/?>(?:</v>)?',
        rf"\1\2<v>{value}</v>",
    )

"""Evidence files of every kind, made in code: real documents, images, e-mails and the
programs, scripts, web pages and archives that must be refused."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from tracker.demo.evidence import make_csv, make_docx, make_pdf


def pdf() -> bytes:
    return make_pdf("EP recruitment", ["Two trainee EPs started in September."])


def docx() -> bytes:
    return make_docx("Workshop notes", ["Families asked for one named contact."])


def xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["month", "issued"])  # type: ignore[union-attr]
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _zip(parts: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


_PML = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"


def pptx() -> bytes:
    return _zip(
        {
            "[Content_Types].xml": f'<Types><Override PartName="/ppt/presentation.xml" '
            f'ContentType="{_PML}"/></Types>',
            "ppt/presentation.xml": "<p:presentation/>",
        }
    )


def docm() -> bytes:
    kind = "application/vnd.ms-word.document.macroEnabled.main+xml"
    return _zip(
        {
            "[Content_Types].xml": f'<Types><Override PartName="/word/document.xml" '
            f'ContentType="{kind}"/></Types>',
            "word/document.xml": "<w:document/>",
            "word/vbaProject.bin": "macros",
        }
    )


def plain_zip() -> bytes:
    return _zip({"minutes.pdf": "x", "readme.txt": "y"})


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64


def gif() -> bytes:
    return (
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00"
        b"!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00"
        b"\x02\x02D\x01\x00;"
    )


def csv_utf8() -> bytes:
    return make_csv(["area", "percent"], [["Lancashire", "66.0"], ["Préston", "58.1"]])


def csv_cp1252() -> bytes:
    return "area,amount\r\nLancashire,£1,200\r\n".encode("cp1252")


def eml() -> bytes:
    return (
        b"From: Head of SEND <head.of.send@example.org>\r\n"
        b"To: improvement.board@example.org\r\n"
        b"Subject: EP recruitment update\r\n"
        b"Date: Tue, 1 Dec 2026 09:00:00 +0000\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"\r\n"
        b"Two trainee EPs start in September.\r\n"
    )


def ole2(*streams: str) -> bytes:
    """A compound file (the container of .doc, .xls, .ppt, .msg and .msi) holding ``streams``
    by name: a header, one allocation-table sector and one directory sector."""
    names = ["Root Entry", *streams][:4]
    header = bytearray(512)
    header[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIII", header, 44, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    struct.pack_into("<109I", header, 76, 0, *([0xFFFFFFFF] * 108))
    fat = struct.pack("<128I", 0xFFFFFFFD, 0xFFFFFFFE, *([0xFFFFFFFF] * 126))
    directory = bytearray(512)
    for index, name in enumerate(names):
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        directory[index * 128 : index * 128 + len(encoded)] = encoded
        struct.pack_into("<HB", directory, index * 128 + 64, len(encoded), 5 if index == 0 else 2)
    return bytes(header) + fat + bytes(directory)


def word97() -> bytes:
    return ole2("WordDocument", "1Table")


def excel97() -> bytes:
    return ole2("Workbook")


def powerpoint97() -> bytes:
    return ole2("PowerPoint Document", "Current User")


def outlook_message() -> bytes:
    return ole2("__substg1.0_0037001F", "__properties_version1.0")


def windows_installer() -> bytes:
    return ole2("\u4840\u3f3f\u4577", "SummaryInformation")


def windows_program() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48 + b"PE\x00\x00"


def linux_program() -> bytes:
    return b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56


def macos_program() -> bytes:
    return b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 56


def script() -> bytes:
    return b"#!/bin/sh\nrm -rf ~\n"


def html() -> bytes:
    return b"<!DOCTYPE html><html><script>alert(1)</script></html>"


def svg() -> bytes:
    return b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>'


def seven_zip() -> bytes:
    return b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\x00" * 24


def gzip_file() -> bytes:
    import gzip

    return gzip.compress(b"data")


class Interrupted(io.RawIOBase):
    """A stream that gives ``before`` bytes of a PDF, then fails as a dropped upload does."""

    def __init__(self, before: int) -> None:
        self._data = pdf() + b"%" * before
        self._given = 0
        self._before = before

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._given >= self._before:
            raise ConnectionResetError("the upload was interrupted")
        size = self._before - self._given if size < 0 else min(size, self._before - self._given)
        piece = self._data[self._given : self._given + size]
        self._given += len(piece)
        return piece

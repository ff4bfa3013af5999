"""What an evidence file is, judged by its content: the kinds accepted, and the ones refused.

``kind_for_extension`` says what a name promises (``.pdf`` -> PDF); ``sniff`` says what the
first bytes are; ``check_content`` compares the two once the whole file is on disk (a zip's
parts are read from its central directory, at the end) and raises ``EvidenceRefused`` naming
the file and what its content really is: "program.pdf is not a PDF: its content is a Windows
program". Programs, scripts, web pages, SVG, JavaScript and archives other than Office files
are never accepted, whatever their name. Pure functions over bytes and a path: no database.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tracker.errors import InvalidInput
from tracker.services.evidence._ole import ole_kind


class EvidenceRefused(InvalidInput):
    """The file cannot be kept as evidence (its type, size, name or content); nothing stored."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.fields = {"file": message}


@dataclass(frozen=True)
class Kind:
    """One accepted kind of evidence file."""

    key: str  # stored in ``evidence.kind``
    label: str  # "a PDF", as in "x.pdf is not a PDF"
    content_type: str  # the MIME type a download is served with
    extensions: tuple[str, ...]


_OOXML = "application/vnd.openxmlformats-officedocument"
KINDS: tuple[Kind, ...] = (
    Kind("pdf", "a PDF", "application/pdf", (".pdf",)),
    Kind("docx", "a Word document", f"{_OOXML}.wordprocessingml.document", (".docx",)),
    Kind("xlsx", "an Excel workbook", f"{_OOXML}.spreadsheetml.sheet", (".xlsx",)),
    Kind("pptx", "a PowerPoint presentation", f"{_OOXML}.presentationml.presentation", (".pptx",)),
    Kind("doc", "a Word 97-2003 document", "application/msword", (".doc",)),
    Kind("xls", "an Excel 97-2003 workbook", "application/vnd.ms-excel", (".xls",)),
    Kind("ppt", "a PowerPoint 97-2003 presentation", "application/vnd.ms-powerpoint", (".ppt",)),
    Kind("msg", "an Outlook message", "application/vnd.ms-outlook", (".msg",)),
    Kind("png", "a PNG image", "image/png", (".png",)),
    Kind("jpeg", "a JPEG image", "image/jpeg", (".jpg", ".jpeg")),
    Kind("gif", "a GIF image", "image/gif", (".gif",)),
    Kind("webp", "a WebP image", "image/webp", (".webp",)),
    Kind("tiff", "a TIFF image", "image/tiff", (".tif", ".tiff")),
    Kind("csv", "a CSV file", "text/csv", (".csv",)),
    Kind("eml", "an e-mail (.eml)", "message/rfc822", (".eml",)),
)
BY_KEY = {kind.key: kind for kind in KINDS}
_BY_EXTENSION = {ext: kind for kind in KINDS for ext in kind.extensions}
ACCEPTED_EXTENSIONS: tuple[str, ...] = tuple(ext for kind in KINDS for ext in kind.extensions)
ACCEPTED_WORDS = "PDF, Word, Excel, PowerPoint, images (PNG, JPEG, GIF, WebP, TIFF), CSV or e-mail"

# The main part of each Office Open XML kind, and the content type [Content_Types].xml gives it.
_OOXML_MAIN = {
    "docx": ("word/document.xml", f"{_OOXML}.wordprocessingml.document.main+xml"),
    "xlsx": ("xl/workbook.xml", f"{_OOXML}.spreadsheetml.sheet.main+xml"),
    "pptx": ("ppt/presentation.xml", f"{_OOXML}.presentationml.presentation.main+xml"),
}
_OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
_TEXT_KINDS = frozenset({"csv", "eml"})
# Enough of the start of a file to recognise it (and an e-mail's headers).
SNIFF_BYTES = 8192
_CONTENT_TYPES_LIMIT = 1 << 20  # [Content_Types].xml is a few KB; never inflate more

# Headers of which an e-mail (RFC 5322, once RFC 822) has at least one near its top.
_MAIL_HEADERS = frozenset(
    {"from", "to", "subject", "date", "message-id", "received", "mime-version", "return-path"}
)


def kind_for_extension(filename: str) -> Kind:
    """The kind the file's extension promises, or ``EvidenceRefused`` for any other."""
    suffix = Path(filename).suffix.lower()
    kind = _BY_EXTENSION.get(suffix)
    if kind is None:
        what = f"files ending {suffix}" if suffix else "files without an extension"
        raise EvidenceRefused(
            f"{filename}: {what} are not accepted as evidence (accepted: {ACCEPTED_WORDS})"
        )
    return kind


def _refused_content(head: bytes) -> str | None:
    """What the content is when it is a kind never accepted (a program, a web page ...)."""
    if head.startswith(b"MZ"):
        return "a Windows program"
    if head.startswith(b"\x7fELF"):
        return "a Linux program"
    if head[:4] in (
        b"\xfe\xed\xfa\xce",
        b"\xfe\xed\xfa\xcf",
        b"\xce\xfa\xed\xfe",
        b"\xcf\xfa\xed\xfe",
        b"\xca\xfe\xba\xbe",
    ):
        return "a macOS program"
    if head.startswith(b"#!"):
        return "a script"
    if head.startswith((b"7z\xbc\xaf\x27\x1c", b"Rar!\x1a\x07")):
        return "an archive"
    if head.startswith((b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"\x28\xb5\x2f\xfd")):
        return "a compressed archive"
    if len(head) > 262 and head[257:262] == b"ustar":
        return "a tar archive"
    text = _leading_text(head)
    if text.startswith("<"):
        if "<svg" in text[:2048]:
            return "an SVG image (which can carry scripts)"
        if text.startswith(("<!doctype html", "<html", "<head", "<body", "<script", "<iframe")):
            return "a web page (HTML)"
        return "markup (HTML or XML)"
    return None


def _leading_text(head: bytes) -> str:
    """The start of the file as lower-case text without a BOM or leading space, if text."""
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if head.startswith(bom):
            head = head[len(bom) :]
            if bom != codecs.BOM_UTF8:
                return head.decode("utf-16", errors="ignore").lstrip().lower()
            break
    return head.decode("latin-1").lstrip().lower()


def sniff(head: bytes) -> str | None:
    """The accepted kind the first bytes show (``None`` for text, which needs the whole file),
    or ``EvidenceRefused``-worthy content as ``"!description"``."""
    refused = _refused_content(head)
    if refused is not None:
        return "!" + refused
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(_OLE2_MAGIC):
        return "ole2"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    return None


_SNIFFED_WORDS = {
    "pdf": "a PDF",
    "zip": "a zip archive",
    "ole2": "an Office 97-2003 file or Outlook message",
    "png": "a PNG image",
    "jpeg": "a JPEG image",
    "gif": "a GIF image",
    "webp": "a WebP image",
    "tiff": "a TIFF image",
}


class TextScan:
    """Watches every byte of a file as it streams past: NUL bytes, and whether it is UTF-8."""

    def __init__(self) -> None:
        self.nul = False
        self.utf8 = True
        self.cp1252 = True  # Windows-1252 leaves five bytes undefined
        self._decoder = codecs.getincrementaldecoder("utf-8")()

    def feed(self, piece: bytes) -> None:
        if not self.nul and b"\x00" in piece:
            self.nul = True
        if self.cp1252 and _CP1252_UNDEFINED.search(piece):
            self.cp1252 = False
        if self.utf8:
            try:
                self._decoder.decode(piece)
            except UnicodeDecodeError:
                self.utf8 = False

    def finish(self) -> None:
        if self.utf8:
            try:
                self._decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                self.utf8 = False


def _refuse(filename: str, kind: Kind, content: str) -> EvidenceRefused:
    return EvidenceRefused(f"{filename} is not {kind.label}: its content is {content}")


def _zip_kind(path: Path) -> str:
    """``docx``/``xlsx``/``pptx`` for an Office file, else a description of the zip."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names:
                return "!a zip archive"
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > _CONTENT_TYPES_LIMIT:
                return "!a damaged Office file"
            with archive.open(info) as handle:
                types = handle.read(_CONTENT_TYPES_LIMIT).decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, NotImplementedError):
        return "!a damaged zip archive"
    if "macroEnabled" in types:
        return "!an Office file with macros"
    for key, (part, main_type) in _OOXML_MAIN.items():
        if part in names and main_type in types:
            return key
    return "!a zip archive"


def _text_kind(filename: str, kind: Kind, head: bytes, scan: TextScan) -> None:
    if scan.nul:
        raise _refuse(filename, kind, "binary data, not text")
    if not scan.utf8 and not scan.cp1252:
        raise _refuse(filename, kind, "text in an unknown encoding (save it as UTF-8)")
    if kind.key == "eml" and not _looks_like_mail(head):
        raise _refuse(filename, kind, "text without e-mail headers (From:, Subject:, Date: ...)")


def _looks_like_mail(head: bytes) -> bool:
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    seen = 0
    for line in text.splitlines()[:200]:
        if not line.strip():
            break
        if line[:1] in (" ", "\t"):
            continue  # a folded header's continuation
        name, colon, _ = line.partition(":")
        if not colon or not name or any(c in name for c in " \t") or not name.isascii():
            return False
        seen += name.lower() in _MAIL_HEADERS
    return seen > 0


def check_content(filename: str, kind: Kind, head: bytes, path: Path, scan: TextScan) -> Kind:
    """The kind the file really is, when it agrees with its extension; else ``EvidenceRefused``.

    ``head`` is the file's first bytes, ``path`` the whole file on disk (opened only for a zip),
    ``scan`` what ``TextScan`` saw of every byte.
    """
    found = sniff(head)
    if found is not None and found.startswith("!"):
        raise _refuse(filename, kind, found[1:])
    if found == "zip":
        found = _zip_kind(path)
        if found.startswith("!"):
            raise _refuse(filename, kind, found[1:])
    if kind.key in _TEXT_KINDS:
        if found is not None:
            raise _refuse(filename, kind, BY_KEY[found].label if found in BY_KEY else found)
        _text_kind(filename, kind, head, scan)
        return kind
    if found == "ole2":
        found = ole_kind(path)
        if found.startswith("!"):
            raise _refuse(filename, kind, found[1:])
    if found == kind.key:
        return kind
    if found is None:
        return _fail_unknown(filename, kind, scan)
    words = BY_KEY[found].label if found in BY_KEY else _SNIFFED_WORDS.get(found, found)
    raise _refuse(filename, kind, words)


def _fail_unknown(filename: str, kind: Kind, scan: TextScan) -> Kind:
    content = "text" if not scan.nul else "not a kind of file the tracker recognises"
    raise _refuse(filename, kind, content)

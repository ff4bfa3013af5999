"""Evidence filenames: a name with a folder in it is refused, any other is made safe to keep.

A browser sends only the file's own name, so ``../x.pdf``, ``a/b.pdf`` or ``C:\\x.pdf`` is a
crafted request (or a mistake on the command line) and is refused, never quietly shortened.
Other names are cleaned so they can be shown, stored, zipped into a stocktake pack and saved on
Windows: control and formatting characters removed, characters Windows forbids replaced,
reserved device names (``CON``, ``LPT1`` ...) prefixed, trailing dots and spaces dropped, and
the name cut to 255 bytes of UTF-8 keeping its extension.
"""

from __future__ import annotations

import re
import unicodedata

from tracker.services.evidence._types import EvidenceRefused

NAME_BYTES = 255
_WINDOWS_FORBIDDEN = re.compile(r'[<>:"|?*]')
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(10)}
    | {f"lpt{i}" for i in range(10)}
    | {"com¹", "com²", "com³", "lpt¹", "lpt²", "lpt³"}
)
_DRIVE = re.compile(r"^[A-Za-z]:")


def _shown(name: str) -> str:
    """The name as a message may quote it: no control characters, not endless."""
    visible = "".join(c if unicodedata.category(c)[0] != "C" else "?" for c in name)
    return visible if len(visible) <= 80 else visible[:77] + "..."


def clean_filename(name: str) -> str:
    """The name to store for an uploaded file, or ``EvidenceRefused`` (a path, or nothing left)."""
    raw = unicodedata.normalize("NFC", name or "")
    if "/" in raw or "\\" in raw or _DRIVE.match(raw) or raw.strip() in (".", ".."):
        raise EvidenceRefused(
            f"{_shown(raw)!r}: a file name must not contain a folder or drive "
            "(give the file's own name, e.g. report.pdf)"
        )
    cleaned = "".join(c for c in raw if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co"))
    cleaned = _WINDOWS_FORBIDDEN.sub("_", cleaned)
    cleaned = " ".join(cleaned.split()).strip(" .")
    stem, dot, extension = cleaned.rpartition(".")
    if not dot:
        stem, extension = cleaned, ""
    if not stem:
        raise EvidenceRefused(f"{_shown(raw)!r}: the file has no name")
    if stem.split(".")[0].strip().lower() in _RESERVED:
        stem = "_" + stem
    suffix = f".{extension}" if dot else ""
    budget = NAME_BYTES - len(suffix.encode("utf-8"))
    stem = stem.encode("utf-8")[: max(budget, 0)].decode("utf-8", errors="ignore").rstrip(" .")
    if not stem:
        raise EvidenceRefused(f"{_shown(raw)!r}: the file name is too long to keep its extension")
    return stem + suffix

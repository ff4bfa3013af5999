"""Which Office 97-2003 file (or Outlook message) an OLE2 compound file is, from its streams.

``.doc``, ``.xls``, ``.ppt`` and ``.msg`` share one container format (Microsoft's Compound
File Binary, magic ``D0CF11E0``), and so do Windows installers (``.msi``). The container's
directory names its streams: ``WordDocument`` for Word, ``Workbook`` (or ``Book``) for Excel,
``PowerPoint Document`` for PowerPoint, ``__substg1.0_...`` for an Outlook message. This reads
the header, the sector allocation table and the directory chain, bounded at every step, so a
damaged or hostile file is judged "damaged" rather than looped over.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

from tracker.errors import InvalidInput

_END = 0xFFFFFFFE
_MAX_SECTORS = 1 << 16  # directory and allocation-table sectors followed at most
_MAX_NAMES = 4096


class _Damaged(InvalidInput):
    pass


def _sector(handle: BinaryIO, number: int, shift: int) -> bytes:
    handle.seek((number + 1) << shift)
    data = handle.read(1 << shift)
    if len(data) != 1 << shift:
        raise _Damaged
    return data


def _allocation_table(handle: BinaryIO, header: bytes, shift: int) -> list[int]:
    count, difat_start, difat_count = struct.unpack_from("<I20xII", header, 44)
    sectors = [s for s in struct.unpack_from("<109I", header, 76) if s < _END][:count]
    per_sector = (1 << shift) // 4
    next_difat, seen = difat_start, 0
    while next_difat < _END and len(sectors) < count:
        seen += 1
        if seen > max(difat_count, 1) or seen > _MAX_SECTORS:
            raise _Damaged
        entries = struct.unpack(f"<{per_sector}I", _sector(handle, next_difat, shift))
        sectors += [s for s in entries[:-1] if s < _END]
        next_difat = entries[-1]
    if len(sectors) > _MAX_SECTORS:
        raise _Damaged
    table: list[int] = []
    for number in sectors[:count]:
        table += struct.unpack(f"<{per_sector}I", _sector(handle, number, shift))
    return table


def stream_names(path: Path) -> set[str]:
    """The names in the compound file's directory; raises ``ValueError`` if it is damaged."""
    try:
        with path.open("rb") as handle:
            header = handle.read(512)
            if len(header) < 512:
                raise _Damaged
            shift = struct.unpack_from("<H", header, 30)[0]
            if shift not in (9, 12):
                raise _Damaged
            table = _allocation_table(handle, header, shift)
            names: set[str] = set()
            number, steps = struct.unpack_from("<I", header, 48)[0], 0
            while number < _END and len(names) < _MAX_NAMES:
                steps += 1
                if steps > _MAX_SECTORS or number >= len(table):
                    raise _Damaged
                data = _sector(handle, number, shift)
                for offset in range(0, len(data), 128):
                    length = struct.unpack_from("<H", data, offset + 64)[0]
                    if 2 <= length <= 64:
                        names.add(data[offset : offset + length - 2].decode("utf-16-le", "replace"))
                number = table[number]
            return names
    except (_Damaged, struct.error, OSError):
        raise ValueError("damaged compound file") from None


def ole_kind(path: Path) -> str:
    """``doc``, ``xls``, ``ppt`` or ``msg``, else ``!`` and what the content is."""
    try:
        names = stream_names(path)
    except ValueError:
        return "!a damaged Office 97-2003 file"
    if "WordDocument" in names:
        return "doc"
    if "Workbook" in names or "Book" in names:
        return "xls"
    if "PowerPoint Document" in names:
        return "ppt"
    if any(n.startswith(("__substg1.0_", "__properties_version1.0")) for n in names):
        return "msg"
    return "!a compound file that is not Word, Excel, PowerPoint or Outlook (an installer?)"

"""Cell fill colours as RGB, and which RAG rating a colour stands for.

Teams often colour the status cell and type nothing. This module turns an openpyxl fill into
the colour a person sees (``RRGGBB``): an RGB value as stored, a legacy palette index, or a
theme colour resolved through the workbook's own theme (``xl/theme/theme1.xml``) with its tint
applied as Excel applies it. :func:`match_rag` then finds the nearest colour of the RAG colour
table (governance.yaml's ``rag_fill_colours``, or :data:`DEFAULT_RAG_FILLS`) within a
tolerance. Nothing here knows files or actions.
"""

from __future__ import annotations

import colorsys
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from defusedxml import ElementTree

# Excel's standard colours, the Office themes' accents and the tints people pick from the
# palette ("lighter 80% ... darker 50%"), plus the Good/Neutral/Bad cell styles. The same
# table, commented, is in governance.yaml (rag_fill_colours), which may replace it.
DEFAULT_RAG_FILLS: Mapping[str, tuple[str, ...]] = {
    "red": (
        "FF0000",  # standard Red
        "C00000",  # standard Dark Red
        "C0504D",  # Office 2007 accent 2
        "F2DCDB",  # accent 2, lighter 80%
        "E6B8B7",  # accent 2, lighter 60%
        "DA9694",  # accent 2, lighter 40%
        "963634",  # accent 2, darker 25%
        "FFC7CE",  # the Bad cell style
        "FF7C80",  # a light red people mix
        "800000",  # the Excel 97-2003 palette's dark red
        "FF5050",  # a light red people mix
    ),
    "amber": (
        "FFC000",  # standard Orange (Office accent 4, Gold)
        "FFFF00",  # standard Yellow, used for Amber in many plans
        "ED7D31",  # Office accent 2 (Orange)
        "F79646",  # Office 2007 accent 6 (Orange)
        "FBE5D6",  # Orange, lighter 80%
        "F8CBAD",  # Orange, lighter 60%
        "F4B084",  # Orange, lighter 40%
        "FFF2CC",  # Gold, lighter 80%
        "FFE699",  # Gold, lighter 60%
        "FFD966",  # Gold, lighter 40%
        "BF8F00",  # Gold, darker 25%
        "C55A11",  # Orange, darker 25%
        "FFEB9C",  # the Neutral cell style
        "FFFF99",  # light yellow
        "E26B0A",  # Office 2007 accent 6, darker 25%
        "FF9900",  # the Excel 97-2003 palette's orange, light orange and gold
        "FF6600",
        "FFCC00",
    ),
    "green": (
        "00B050",  # standard Green
        "92D050",  # standard Light Green
        "70AD47",  # Office accent 6 (Green)
        "9BBB59",  # Office 2007 accent 3
        "E2EFDA",  # Green, lighter 80%
        "C6E0B4",  # Green, lighter 60%
        "A9D08E",  # Green, lighter 40%
        "548235",  # Green, darker 25%
        "375623",  # Green, darker 50%
        "C6EFCE",  # the Good cell style
        "00FF00",  # pure green
        "008000",  # the Excel 97-2003 palette's greens
        "99CC00",
        "339966",
        "CCFFCC",
    ),
    "blue": (
        "0070C0",  # standard Blue
        "00B0F0",  # standard Light Blue
        "002060",  # standard Dark Blue
        "4472C4",  # Office accent 1
        "5B9BD5",  # Office accent 5
        "4F81BD",  # Office 2007 accent 1
        "2E75B6",  # the tracker's Blue
        "D9E1F2",  # accent 1, lighter 80%
        "B4C6E7",  # accent 1, lighter 60%
        "8EA9DB",  # accent 1, lighter 40%
        "DDEBF7",  # accent 5, lighter 80%
        "BDD7EE",  # accent 5, lighter 60%
        "9BC2E6",  # accent 5, lighter 40%
        "305496",  # accent 1, darker 25%
        "0000FF",  # pure blue
        "3366FF",  # the Excel 97-2003 palette's blues
        "00CCFF",
        "99CCFF",
    ),
}
# The largest "redmean" RGB distance (0 to about 765) at which a fill still matches a colour.
DEFAULT_TOLERANCE = 70
NEUTRAL_SATURATION = 0.12
NEUTRAL_LIGHTNESS = 0.97
# Fills that mean "no colour": white and the near-whites of banded tables.
_NO_COLOUR = ("FFFFFF",)

# The order of a theme's colour scheme as cells index it (Excel swaps dark and light 1 and 2).
_THEME_ORDER: tuple[str, ...] = (
    "lt1",
    "dk1",
    "lt2",
    "dk2",
    "accent1",
    "accent2",
    "accent3",
    "accent4",
)
_THEME_ORDER += ("accent5", "accent6", "hlink", "folHlink")
_DRAWING_NS = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
# Office's default theme, for a workbook that carries none.
_OFFICE_THEME: tuple[str, ...] = (
    "FFFFFF",
    "000000",
    "E7E6E6",
    "44546A",
    "4472C4",
    "ED7D31",
    "A5A5A5",
)
_OFFICE_THEME += ("FFC000", "5B9BD5", "70AD47", "0563C1", "954F72")


@dataclass(frozen=True)
class RagColours:
    """The colour table: RAG code -> colours (``RRGGBB``), and the largest distance matched."""

    colours: Mapping[str, tuple[str, ...]]
    tolerance: float = DEFAULT_TOLERANCE
    # Colour -> code already matched: a plan uses a handful of fills over thousands of rows.
    _matched: dict[str, str | None] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )


DEFAULT_RAG_COLOURS = RagColours(DEFAULT_RAG_FILLS)


def theme_colours(theme_xml: bytes | None) -> tuple[str, ...]:
    """The workbook theme's twelve colours in cell index order (Office's when it has none)."""
    if not theme_xml:
        return _OFFICE_THEME
    try:
        root = ElementTree.fromstring(theme_xml)
    except Exception:  # a damaged theme only costs us theme colours
        return _OFFICE_THEME
    scheme = root.find(f".//{_DRAWING_NS}clrScheme")
    if scheme is None:
        return _OFFICE_THEME
    found: dict[str, str] = {}
    for child in scheme:
        name = child.tag.removeprefix(_DRAWING_NS)
        for colour in child:
            value = colour.get("val") if colour.tag.endswith("srgbClr") else colour.get("lastClr")
            if value and len(value) == 6:
                found[name] = value.upper()
    return tuple(
        found.get(name, default) for name, default in zip(_THEME_ORDER, _OFFICE_THEME, strict=True)
    )


def apply_tint(rgb: str, tint: float) -> str:
    """Excel's tint: lighten towards white (tint > 0) or darken towards black (tint < 0)."""
    if not tint:
        return rgb
    red, green, blue = (int(rgb[i : i + 2], 16) / 255 for i in (0, 2, 4))
    hue, light, saturation = colorsys.rgb_to_hls(red, green, blue)
    light = light * (1 + tint) if tint < 0 else light * (1 - tint) + tint
    parts = colorsys.hls_to_rgb(hue, min(max(light, 0.0), 1.0), saturation)
    return "".join(f"{round(part * 255):02X}" for part in parts)


def _indexed(index: int) -> str | None:
    from openpyxl.styles.colors import COLOR_INDEX

    if 0 <= index < len(COLOR_INDEX) and index < 64:
        return str(COLOR_INDEX[index])[-6:].upper()
    return None  # 64 and 65 are the system foreground and background


def fill_colour(fill: Any, theme: Sequence[str]) -> str | None:
    """The colour a person sees in a cell with this fill, as ``RRGGBB``; None for no fill."""
    if fill is None or getattr(fill, "patternType", None) in (None, "none"):
        return None
    colour = getattr(fill, "fgColor", None)
    if colour is None:
        return None
    kind = getattr(colour, "type", None)
    rgb: str | None = None
    if kind == "rgb" and isinstance(colour.rgb, str) and len(colour.rgb) >= 6:
        rgb = colour.rgb[-6:].upper()
    elif kind == "theme" and isinstance(colour.theme, int) and 0 <= colour.theme < len(theme):
        rgb = theme[colour.theme]
    elif kind == "indexed" and isinstance(colour.indexed, int):
        rgb = _indexed(colour.indexed)
    if rgb is None:
        return None
    rgb = apply_tint(rgb, float(getattr(colour, "tint", 0.0) or 0.0))
    return None if rgb in _NO_COLOUR else rgb


def _distance(first: str, second: str) -> float:
    a = [int(first[i : i + 2], 16) for i in (0, 2, 4)]
    b = [int(second[i : i + 2], 16) for i in (0, 2, 4)]
    # A weighted RGB distance ("redmean"), closer to what eyes see than plain RGB.
    mean = (a[0] + b[0]) / 2
    dr, dg, db = a[0] - b[0], a[1] - b[1], a[2] - b[2]
    return math.sqrt((2 + mean / 256) * dr * dr + 4 * dg * dg + (2 + (255 - mean) / 256) * db * db)


def match_rag(rgb: str, table: RagColours) -> str | None:
    """The RAG code whose table colour is nearest ``rgb``, or None beyond the tolerance."""
    if rgb in table._matched:
        return table._matched[rgb]
    code = _nearest(rgb, table)
    if len(table._matched) < 4096:
        table._matched[rgb] = code
    return code


def _nearest(rgb: str, table: RagColours) -> str | None:
    red, green, blue = (int(rgb[i : i + 2], 16) / 255 for i in (0, 2, 4))
    _, light, saturation = colorsys.rgb_to_hls(red, green, blue)
    if saturation < NEUTRAL_SATURATION or light > NEUTRAL_LIGHTNESS:
        return None  # white, greys and black stand for no rating
    best: tuple[float, str] | None = None
    for code, colours in table.colours.items():
        for colour in colours:
            distance = _distance(rgb, colour.removeprefix("#").upper())
            if best is None or distance < best[0]:
                best = (distance, code)
    if best is None or best[0] > table.tolerance:
        return None
    return best[1]

"""Column widths for paper tables, computed from what the columns hold.

A column is one of three kinds. ``fixed`` columns (references, RAG words, dates, counts) are as
wide as their longest value, so "P4.11" never wraps to "P4.1" over "1"; ``words`` columns
(a person's name, an organisation, a workstream) are at least as wide as their longest single
word, so "Workforce" never breaks mid-word, and grow toward their longest whole value while
room allows; ``text`` columns (titles, commentary) share whatever is left by weight. Text is
measured with the advance widths of Arial/Helvetica (Liberation Sans, which LibreOffice uses in
its place, has the same metrics), so a measure here is what Word and LibreOffice lay out, plus
the cell's own margins and a small allowance for the font substitutions other templates bring.
Everything here is pure arithmetic on strings: no python-docx.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

ColumnKind = Literal["fixed", "words", "text"]

# Advance widths of Helvetica/Arial in thousandths of an em for printable ASCII (32..126).
_ASCII_WIDTHS = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
)  # fmt: skip
_OTHER_WIDTH = 650  # accented Latin and most other scripts
_WIDE_WIDTH = 1000  # CJK and other full-width characters
_BOLD_FACTOR = 1.08
_SAFETY = 1.06  # fonts other than Arial (a template's own) run a little wider
TWIPS_PER_POINT = 20
CELL_MARGINS_TWIPS = 2 * 108  # Word's default left and right cell margins, 0.19 cm each
TEXT_MINIMUM_TWIPS = 1700  # a text column never narrower than 3 cm
WORDS_SHARE = 0.25  # of the room left after minimums, what words columns may take


# Widths by code point for ASCII, so ASCII text is summed at C speed through bytes.
_ASCII_TABLE = [_OTHER_WIDTH] * 32 + list(_ASCII_WIDTHS) + [_OTHER_WIDTH]


def text_width(text: str, *, points: float, bold: bool = False) -> float:
    """The printed width of one line of ``text`` at ``points`` size, in twips."""
    if text.isascii():
        total = sum(map(_ASCII_TABLE.__getitem__, text.encode()))
        width = total / 1000 * points * TWIPS_PER_POINT * _SAFETY
        return width * _BOLD_FACTOR if bold else width
    total = 0
    for char in text:
        code = ord(char)
        if 32 <= code <= 126:
            total += _ASCII_WIDTHS[code - 32]
        elif code >= 0x1100 and (0x1100 <= code <= 0x115F or 0x2E80 <= code <= 0xFFDC):
            total += _WIDE_WIDTH
        else:
            total += _OTHER_WIDTH
    width = total / 1000 * points * TWIPS_PER_POINT * _SAFETY
    return width * _BOLD_FACTOR if bold else width


def longest_line(text: str, *, points: float, bold: bool = False) -> float:
    return max(
        (text_width(line, points=points, bold=bold) for line in text.splitlines()), default=0
    )


def longest_word(text: str, *, points: float, bold: bool = False) -> float:
    return max((text_width(word, points=points, bold=bold) for word in text.split()), default=0)


@dataclass(frozen=True, slots=True)
class ColumnNeeds:
    """What one column's content asks for, in twips (cell margins included)."""

    kind: ColumnKind
    minimum: float  # below this something wraps that must not
    preferred: float  # the widest value on one line
    weight: float = 1.0  # share of the rest, among text columns


def measure_column(
    kind: ColumnKind,
    heading: str,
    values: Sequence[str],
    *,
    points: float,
    weight: float = 1.0,
    bold: bool = False,
) -> ColumnNeeds:
    """The needs of a column with ``heading`` (bold, may wrap between words) over ``values``
    (``bold`` when they are set in bold, as RAG words in white are)."""
    distinct = set(values)  # registers repeat owners, dates and ratings thousands of times
    heading_min = longest_word(heading, points=points, bold=True)
    heading_full = longest_line(heading, points=points, bold=True)
    if kind == "fixed":
        widest = max((longest_line(v, points=points, bold=bold) for v in distinct), default=0.0)
        minimum = max(widest, heading_min)
        preferred = max(widest, heading_full)
    elif kind == "words":
        words = (longest_word(v, points=points, bold=bold) for v in distinct)
        minimum = max(heading_min, *words, 0.0)
        widest = max((longest_line(v, points=points, bold=bold) for v in distinct), default=0.0)
        preferred = max(minimum, widest, heading_full)
    else:
        minimum = max(heading_min, TEXT_MINIMUM_TWIPS - CELL_MARGINS_TWIPS)
        preferred = minimum
    # Whole twips, rounded up, so a column is never a fraction narrower than its content.
    return ColumnNeeds(
        kind,
        math.ceil(minimum + CELL_MARGINS_TWIPS),
        math.ceil(preferred + CELL_MARGINS_TWIPS),
        weight=weight,
    )


def fit_widths(needs: Sequence[ColumnNeeds], usable: int) -> list[int]:
    """Widths in twips summing to ``usable``: every column at least its minimum where the page
    allows; words columns grow toward one line each from part of what is left, and text
    columns share the rest by weight. A page too narrow even for the minimums scales them."""
    widths = [need.minimum for need in needs]
    spare = usable - sum(widths)
    if spare < 0:
        scale = usable / sum(widths)
        return _whole(w * scale for w in widths)
    has_text = any(need.kind == "text" for need in needs)
    words = [i for i, need in enumerate(needs) if need.kind == "words"]
    gaps = {i: needs[i].preferred - widths[i] for i in words}
    budget = spare * (WORDS_SHARE if has_text else 1.0)
    wanted = sum(gaps.values())
    if wanted > 0:
        grant = min(1.0, budget / wanted)
        for i in words:
            widths[i] += gaps[i] * grant
    spare = usable - sum(widths)
    growers = [i for i, need in enumerate(needs) if need.kind == "text"] or list(range(len(needs)))
    total_weight = sum(needs[i].weight for i in growers) or 1.0
    for i in growers:
        widths[i] += spare * needs[i].weight / total_weight
    return _whole(widths)


def _whole(widths: Iterable[float]) -> list[int]:
    return [int(w) for w in widths]

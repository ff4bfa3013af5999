"""Charts for board papers, drawn with matplotlib's Agg backend into PNG at print resolution.

Four kinds: the 5 x 5 risk heat map (cells shaded by score band, each holding its count of
risks); RAG by priority or workstream as stacked horizontal bars with each count printed on
its segment; RAG over the board's recent meetings as stacked columns; and one small trend line per
success measure against its target. Colours are the RAG key's own, and numbers on a coloured
segment are black or white by WCAG contrast. Every chart comes with alt text that says in words
what it shows ("Priority 2: 3 Red, 4 Amber, 1 Green of 8 actions"), built by the pure
``describe_*`` functions, which the renderer writes into the picture's description; the table a
chart summarises stays in the paper. matplotlib is imported on first use (never ``pyplot``,
whose global state is not safe across a web app's threads), so the command line and pages that
draw no chart do not pay for it.
"""

from __future__ import annotations

import io
import textwrap
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import tracker.formatting as formatting
import tracker.papers.model as model
from tracker.papers.model import (
    MeasureLine,
    MeasurePoint,
    RagHistoryPoint,
    RagKeyEntry,
    SummaryRow,
)
from tracker.papers.text import clean_text, format_date, format_measure_value
from tracker.papers.word.docxml import contrast_colour

NOT_RATED_COLOUR = "D9D9D9"
NOT_RATED_WORDS = "not rated"
DPI = 200
TREND_DPI = 150  # the small trend charts print at half the width
_FONT = {"family": "sans-serif", "size": 8}


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart as the paper places it: PNG bytes, alt text and the printed width."""

    png: bytes
    alt: str
    width_cm: float


def _series(key: Sequence[RagKeyEntry]) -> list[tuple[str, str, str]]:
    """(code, label, "RRGGBB") for each rating, worst first as boards read them, then not rated."""
    entries = [(e.code, e.label, e.colour[1:].upper()) for e in reversed(key)]
    return [*entries, (model.NOT_RATED, "Not rated", NOT_RATED_COLOUR)]


def describe_counts(
    name: str, counts: Sequence[tuple[str, int]], key: Sequence[RagKeyEntry]
) -> str:
    """``Priority 2: 3 Red, 4 Amber, 1 Green of 8 actions`` (ratings with none left out)."""
    by_code = dict(counts)
    parts = []
    for code, label, _colour in _series(key):
        number = by_code.get(code, 0)
        if number:
            parts.append(f"{number} {label if code != model.NOT_RATED else NOT_RATED_WORDS}")
    total = sum(by_code.values())
    if not parts:
        return f"{clean_text(name)}: no actions"
    return f"{clean_text(name)}: {', '.join(parts)} of {total} action{'s' if total != 1 else ''}"


def describe_summary(rows: Sequence[SummaryRow], key: Sequence[RagKeyEntry], by: str) -> str:
    lines = [describe_counts(row.group, row.counts, key) for row in rows]
    return f"Bar chart of actions by RAG rating and {by}. " + "; ".join(lines) + "."


def describe_history(points: Sequence[RagHistoryPoint], key: Sequence[RagKeyEntry]) -> str:
    lines = [describe_counts(format_date(p.meeting_date), p.counts, key) for p in points]
    return "Column chart of actions by RAG rating at each meeting. " + "; ".join(lines) + "."


def describe_measure(line: MeasureLine) -> str:
    """The chart in words: each value (provisional ones said so), the expectation on the
    trajectory at the latest one, and England's and the region's published figures."""
    values = ", ".join(
        f"{_period(point)} {format_measure_value(point.value, line.unit)}"
        + (" (provisional)" if point.provisional else "")
        for point in line.series
    )
    target = (
        f" against a target of {format_measure_value(line.target, line.unit)}"
        if line.target is not None
        else " (no target set)"
    )
    text = f"Trend of {clean_text(line.reference)}{target}: {values}."
    expected = line.series[-1].expected if line.series else None
    if expected is not None:
        text += (
            f" The trajectory through its milestones expected "
            f"{format_measure_value(expected, line.unit)} at the latest period."
        )
    compared = [
        f"{clean_text(name)} {format_measure_value(value, line.unit)}"
        for name, value in (("England", line.england), (line.region_name or "Region", line.region))
        if value is not None
    ]
    if compared:
        text += f" Published comparators ({clean_text(line.comparator_period)}): "
        text += ", ".join(compared) + "."
    return text


def _label_text(text: str) -> str:
    """``text`` for a chart label: XML-safe, and with ``$`` escaped, which matplotlib would
    otherwise read as the start of mathematics (and fail on an unbalanced one)."""
    return clean_text(text).replace("$", r"\$")


def _figure(width_cm: float, height_cm: float, *, dpi: int = DPI) -> tuple[Any, Any]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width_cm / 2.54, height_cm / 2.54), dpi=dpi)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(labelsize=_FONT["size"])
    return figure, axes


def _quietly(step: Callable[[], object]) -> None:
    with warnings.catch_warnings():
        # A glyph the font lacks (an emoji in a name) draws as a box, with a warning each time.
        warnings.simplefilter("ignore", UserWarning)
        step()


def _png(figure: Any, *, dpi: int = DPI) -> bytes:
    buffer = io.BytesIO()
    _quietly(lambda: _save(figure, buffer, dpi))
    return buffer.getvalue()


def _save(figure: Any, buffer: io.BytesIO, dpi: int) -> None:
    # A light zlib level: PNG encoding is a tenth of a chart's time at the default of 6.
    figure.savefig(
        buffer, format="png", dpi=dpi, metadata={"Software": None}, pil_kwargs={"compress_level": 2}
    )


def _label(axes: Any, bars: Any, counts: Sequence[int], colour: str) -> None:
    text = "#" + contrast_colour(colour)
    labels = [str(n) if n else "" for n in counts]
    axes.bar_label(bars, labels=labels, label_type="center", color=text, fontsize=_FONT["size"])


def _legend(axes: Any, **where: Any) -> None:
    axes.legend(frameon=False, fontsize=_FONT["size"], ncols=5, **where)


def _bar_name(group: str) -> str:
    """``Priority 2`` for ``Priority 2: Meeting needs`` (the table beside it has the rest);
    a workstream's name wrapped to fit beside its bar."""
    name = _label_text(group)
    if name.startswith("Priority ") and ":" in name:
        return name.split(":", 1)[0]
    return textwrap.fill(name, 24, break_long_words=False)


def rag_by_group_chart(
    rows: Sequence[SummaryRow], key: Sequence[RagKeyEntry], *, by: str, width_cm: float
) -> Chart | None:
    """Stacked horizontal bars, one per priority or workstream; None when nothing is counted."""
    if not rows or not any(row.total for row in rows):
        return None
    height = 1.8 + 0.9 * len(rows)
    figure, axes = _figure(width_cm, height)
    names = [_bar_name(row.group) for row in rows][::-1]
    left = [0] * len(rows)
    for code, label, colour in _series(key):
        counts = [row.count(code) for row in rows][::-1]
        if not any(counts):
            continue
        bars = axes.barh(names, counts, left=left, color="#" + colour, label=label, height=0.6)
        _label(axes, bars, counts, colour)
        left = [a + b for a, b in zip(left, counts, strict=True)]
    axes.set_xlabel("Number of actions", fontsize=_FONT["size"])
    _legend(axes, loc="lower center", bbox_to_anchor=(0.5, 1.0))
    _quietly(figure.tight_layout)
    return Chart(_png(figure), describe_summary(rows, key, by), width_cm)


def rag_over_time_chart(
    points: Sequence[RagHistoryPoint], key: Sequence[RagKeyEntry], *, width_cm: float
) -> Chart | None:
    """Stacked columns, one per meeting; None with fewer than two meetings to compare."""
    if len(points) < 2:
        return None
    figure, axes = _figure(width_cm, 6.5)
    names = [format_date(p.meeting_date) for p in points]
    bottom = [0] * len(points)
    for code, label, colour in _series(key):
        counts = [dict(p.counts).get(code, 0) for p in points]
        if not any(counts):
            continue
        bars = axes.bar(names, counts, bottom=bottom, color="#" + colour, label=label, width=0.6)
        _label(axes, bars, counts, colour)
        bottom = [a + b for a, b in zip(bottom, counts, strict=True)]
    axes.set_ylabel("Number of actions", fontsize=_FONT["size"])
    _legend(axes, loc="lower center", bbox_to_anchor=(0.5, 1.0))
    _quietly(figure.tight_layout)
    return Chart(_png(figure), describe_history(points, key), width_cm)


def measure_trend_chart(line: MeasureLine, *, width_cm: float) -> Chart | None:
    """The measure's values over time with its target as a dashed line; None without values.

    Kept cheap, as a paper may hold thirty: a fixed layout (no tight_layout pass), the periods
    as positions with only the first and last labelled, and three value ticks."""
    if not line.series:
        return None
    from matplotlib.ticker import MaxNLocator

    figure, axes = _figure(width_cm, width_cm * 0.5, dpi=TREND_DPI)
    positions = list(range(len(line.series)))
    values = [point.value for point in line.series]
    axes.plot(positions, values, color="#1F3864", linewidth=1.5, label="Actual")
    final = [(i, p.value) for i, p in enumerate(line.series) if not p.provisional]
    provisional = [(i, p.value) for i, p in enumerate(line.series) if p.provisional]
    if final:
        axes.plot(*zip(*final, strict=True), "o", markersize=3.5, color="#1F3864", label="Final")
    if provisional:
        axes.plot(
            *zip(*provisional, strict=True),
            "o",
            markersize=3.5,
            markerfacecolor="white",
            markeredgecolor="#1F3864",
            label="Provisional",
        )
    shown = list(values)
    expected = [p.expected for p in line.series]
    if all(e is not None for e in expected):
        trajectory = [float(e) for e in expected if e is not None]
        axes.plot(positions, trajectory, "--", color="#7F7F7F", linewidth=1, label="Trajectory")
        shown += trajectory
    elif line.target is not None:
        axes.axhline(line.target, color="#7F7F7F", linestyle="--", linewidth=1, label="Target")
        shown.append(line.target)
    for name, value, colour in (
        ("England", line.england, "#6A1B9A"),
        (line.region_name or "Region", line.region, "#AD7FC9"),
    ):
        if value is not None:
            axes.axhline(value, color=colour, linestyle=":", linewidth=1, label=_label_text(name))
            shown.append(value)
    if len(shown) > len(values) or line.target is not None:
        low, high = min(shown), max(shown)
        margin = (high - low) * 0.1 or 1.0
        axes.set_ylim(low - margin, high + margin)  # the target and comparators in view
    axes.legend(fontsize=4.5, loc="best", frameon=False, ncol=2)
    axes.ticklabel_format(axis="y", useOffset=False, style="plain")
    ends = sorted({0, positions[-1]})
    labels = [_label_text(_period(line.series[i])) for i in ends]
    axes.set_xticks(ends, labels)
    axes.set_xlim(-0.3, max(positions[-1], 1) + 0.3)
    axes.yaxis.set_major_locator(MaxNLocator(3))
    axes.tick_params(labelsize=6)
    axes.set_title(_label_text(line.reference), fontsize=7, loc="left")
    figure.subplots_adjust(left=0.16, right=0.96, bottom=0.17, top=0.86)
    return Chart(_png(figure, dpi=TREND_DPI), describe_measure(line), width_cm)


def _period(point: MeasurePoint) -> str:
    return clean_text(point.label) or format_date(point.period_end)


def describe_heat_map(picture: model.RiskPicture) -> str:
    """The heat map in words, for its alt text: how many risks in each band, and the worst."""
    if not picture.lines:
        return "Risk heat map: no open risks."
    by_band: dict[str, int] = {}
    for line in picture.lines:
        by_band[line.band] = by_band.get(line.band, 0) + 1
    bands = ", ".join(
        f"{by_band[b.name]} {b.name.lower()}" for b in reversed(picture.bands) if b.name in by_band
    )
    worst = picture.lines[0]
    return (
        f"Risk heat map of {formatting.plural(len(picture.lines), 'open risk')} by likelihood and "
        f"impact: {bands}. Highest: {worst.reference} {worst.title}, score {worst.score} "
        f"(likelihood {worst.likelihood}, impact {worst.impact})."
    )


def heat_map_chart(picture: model.RiskPicture, *, width_cm: float) -> Chart:
    """Five rows of likelihood (5 at the top) by five columns of impact, shaded by band."""
    figure, axes = _figure(width_cm, width_cm * 0.8)
    for likelihood in range(1, 6):
        for impact in range(1, 6):
            band = picture.band_of(likelihood * impact)
            colour = band.colour if band else "#FFFFFF"
            axes.add_patch(
                _rectangle(impact - 0.5, likelihood - 0.5, colour),
            )
            count = picture.heat_map[likelihood - 1][impact - 1]
            if count:
                axes.text(
                    impact,
                    likelihood,
                    str(count),
                    ha="center",
                    va="center",
                    fontsize=11,
                    fontweight="bold",
                    color="#" + contrast_colour(colour[1:]),
                )
    axes.set_xlim(0.5, 5.5)
    axes.set_ylim(0.5, 5.5)
    axes.set_xticks(range(1, 6))
    axes.set_yticks(range(1, 6))
    axes.set_xticklabels(
        [f"{i}\n{_label_text(w)}" for i, w in enumerate(picture.impact_words, 1)], fontsize=6
    )
    axes.set_yticklabels(
        [f"{_label_text(w)} {i}" for i, w in enumerate(picture.likelihood_words, 1)], fontsize=6
    )
    axes.set_xlabel("Impact", fontsize=8)
    axes.set_ylabel("Likelihood", fontsize=8)
    axes.set_aspect("equal")
    _quietly(figure.tight_layout)
    return Chart(_png(figure), describe_heat_map(picture), width_cm)


def _rectangle(x: float, y: float, colour: str) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), 1, 1, facecolor=colour, edgecolor="white", linewidth=1.5)

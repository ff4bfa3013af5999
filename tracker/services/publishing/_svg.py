"""Trend charts for the public site as inline SVG: a line of the published values, drawn from
numbers alone (no script, no external file), with a title and a description in words for
screen readers. The figures themselves are always printed as a table beside the chart.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from tracker.services.publishing._model import PublicMeasure

WIDTH, HEIGHT = 480, 240
LEFT, RIGHT, TOP, BOTTOM = 60, 16, 24, 44
INK = "#0b0c0c"  # text and axes: 19:1 on white
LINE = "#1d70b8"  # the line: 5.2:1 on white
GRID = "#b1b4b6"


def describe_trend(measure: PublicMeasure) -> str:
    """The chart in words: first and latest values, and whether that is better or worse."""
    values = measure.values
    if not values:
        return "No figures have been published yet."
    first, last = values[0], values[-1]
    if len(values) == 1:
        return f"One figure has been published: {last.shown} for {last.period}."
    if last.value == first.value:
        change = "no change"
    else:
        up = last.value > first.value
        better = up == measure.direction_words.startswith("Higher")
        change = f"{'up' if up else 'down'}, which is {'better' if better else 'worse'}"
    return (
        f"{len(values)} figures from {first.period} to {last.period}: {first.shown} at first, "
        f"{last.shown} most recently ({change})."
    )


def _nice_range(low: float, high: float) -> tuple[float, float]:
    if low == high:
        pad = abs(low) * 0.1 or 1.0
        return low - pad, high + pad
    pad = (high - low) * 0.1
    bottom = 0.0 if low >= 0 and low - pad < 0 else low - pad
    return bottom, high + pad


def render_trend_svg(measure: PublicMeasure, chart_id: str) -> Markup:
    """An SVG line chart of ``measure``'s public values, or empty markup for fewer than two."""
    values = measure.values
    if len(values) < 2:
        return Markup("")
    low, high = _nice_range(min(v.value for v in values), max(v.value for v in values))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + plot_w * i / (len(values) - 1)

    def y(value: float) -> float:
        return TOP + plot_h * (1 - (value - low) / (high - low))

    points = " ".join(f"{x(i):.1f},{y(v.value):.1f}" for i, v in enumerate(values))
    title = f"Trend: {measure.wording}"
    parts = [
        f'<svg class="trend" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(describe_trend(measure))}</desc>',
    ]
    for value in (low, (low + high) / 2, high):
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
    parts.append(
        f'<polyline points="{points}" fill="none" stroke="{LINE}" stroke-width="3" '
        'stroke-linejoin="round"/>'
    )
    for i, v in enumerate(values):
        parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v.value):.1f}" r="4" fill="{LINE}"/>')
    first, last = values[0], values[-1]
    parts += [
        _text(LEFT, HEIGHT - 16, first.period, "start"),
        _text(WIDTH - RIGHT, HEIGHT - 16, last.period, "end"),
        _text(x(len(values) - 1) - 8, y(last.value) - 10, last.shown, "end"),
        _text(LEFT - 6, y(high) + 5, _axis(measure, high), "end"),
        _text(LEFT - 6, y(low) + 5, _axis(measure, low), "end"),
        "</svg>",
    ]
    # Every word in ``parts`` went through escape(); the rest are numbers this function made.
    return Markup("".join(parts))  # noqa: S704


def _axis(measure: PublicMeasure, value: float) -> str:
    suffix = "%" if measure.unit_words == "Percentage" else ""
    return f"{value:,.0f}{suffix}" if abs(value) >= 10 else f"{value:,.1f}{suffix}"


def _text(x: float, y: float, words: str, anchor: str) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{INK}" '
        f'font-size="16" aria-hidden="true">{escape(words)}</text>'
    )

"""The chart of one success measure: its values, the trajectory and the published comparators.

Drawn from the measure's one view model (``MeasureDetail``): the trajectory runs through the
baseline, each milestone and the target; final (signed-off) values are filled dots and
provisional ones hollow, each named in the legend in words; England's and the region's
published figures are their own lines. ``chart_caption`` says the same in a sentence, for the
caption under the chart and for anyone who cannot see it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import altair as alt
import pandas as pd

from tracker.rules import rag_label
from tracker.rules.measures import format_value, unit_label
from tracker.services.measures import MeasureDetail

FINAL_SERIES, PROVISIONAL_SERIES = "Value (final)", "Value (provisional)"
LINE_SERIES = ("Trajectory", "Target", "Baseline")
COLOURS = {
    FINAL_SERIES: "#1F4E79",
    PROVISIONAL_SERIES: "#1F4E79",
    "Trajectory": "#7F7F7F",
    "Target": "#2E7D32",
    "Baseline": "#B36B00",
}
DASHES = {"Trajectory": [6, 4], "Target": [2, 2], "Baseline": [4, 2]}
# England, then the region: dark and light purple, dotted, apart from the measure's own blue.
COMPARATOR_COLOURS = ("#6A1B9A", "#AD7FC9")
COMPARATOR_KINDS = ("national", "regional")


def _comparator_lines(
    detail: MeasureDetail,
) -> list[tuple[str, tuple[tuple[date, float], ...]]]:
    chosen = [(kind, name, points) for kind, name, points in detail.comparator_series]
    chosen = [c for c in chosen if c[0] in COMPARATOR_KINDS]
    chosen.sort(key=lambda c: COMPARATOR_KINDS.index(c[0]))
    return [(name, points) for _, name, points in chosen]


def measure_chart(detail: MeasureDetail) -> alt.LayerChart | None:
    """The measure's chart, or None when it has no numeric value to draw."""
    s = detail.summary
    values = [v for v in detail.values if v.value is not None]
    if not values:
        return None
    rows: list[dict[str, Any]] = [
        {
            "date": v.period_end,
            "value": v.value,
            "series": FINAL_SERIES if v.final else PROVISIONAL_SERIES,
            "shown": format_value(v.value, s.unit),
            "period": v.period_label or f"{v.period_end:%d %b %Y}",
            "rating": rag_label(v.rag),
            "status": "final" if v.final else "provisional",
        }
        for v in values
    ]
    days = [v.period_end for v in values] + [d for d in (s.baseline_date, s.target_date) if d]
    first, last = min(days), max(days)
    rows += [{"date": d, "value": y, "series": "Trajectory"} for d, y in detail.trajectory]
    for series, level in (("Target", s.target_value), ("Baseline", s.baseline_value)):
        if level is not None and not detail.trajectory:
            rows += [{"date": d, "value": level, "series": series} for d in (first, last)]
    comparators = _comparator_lines(detail)
    for name, points in comparators:
        rows += [
            {"date": d, "value": y, "series": name, "shown": format_value(y, s.unit)}
            for d, y in points
        ]
    frame = pd.DataFrame(rows)
    frame["date"] = pd.to_datetime(frame["date"])
    present = list(dict.fromkeys(frame["series"]))
    order = [FINAL_SERIES, PROVISIONAL_SERIES, *LINE_SERIES, *(n for n, _ in comparators)]
    domain = [n for n in order if n in present]
    palette = {**COLOURS} | {
        name: COMPARATOR_COLOURS[i % 2] for i, (name, _) in enumerate(comparators)
    }
    dashes = {**DASHES} | {name: [1, 3] for name, _ in comparators}
    colour = alt.Color(
        "series:N",
        scale=alt.Scale(domain=domain, range=[palette[n] for n in domain]),
        legend=alt.Legend(title=None, orient="bottom", columns=2, labelLimit=220),
    )
    base = alt.Chart(frame).encode(
        x=alt.X("date:T", title="Period end"),
        y=alt.Y("value:Q", title=unit_label(s.unit), scale=alt.Scale(zero=False, padding=16)),
        color=colour,
    )
    lines = base.transform_filter(
        alt.FieldOneOfPredicate(field="series", oneOf=[n for n in domain if n not in order[:2]])
    ).mark_line(point=False)
    lines = lines.encode(
        strokeDash=alt.StrokeDash(
            "series:N",
            scale=alt.Scale(
                domain=[n for n in domain if n in dashes],
                range=[dashes[n] for n in domain if n in dashes],
            ),
            legend=None,
        )
    )
    actual = (
        alt.Chart(frame)
        .transform_filter(alt.FieldOneOfPredicate(field="series", oneOf=list(order[:2])))
        .mark_line(color=COLOURS[FINAL_SERIES])
        .encode(x="date:T", y="value:Q")
    )
    tooltip = [
        alt.Tooltip("period:N", title="Period"),
        alt.Tooltip("shown:N", title="Value"),
        alt.Tooltip("status:N", title="Status"),
        alt.Tooltip("rating:N", title="Rating"),
    ]
    final = base.transform_filter(alt.datum.series == FINAL_SERIES).mark_point(filled=True, size=80)
    provisional = base.transform_filter(alt.datum.series == PROVISIONAL_SERIES).mark_point(
        filled=False, size=80, strokeWidth=2
    )
    compared = base.transform_filter(
        alt.FieldOneOfPredicate(field="series", oneOf=[n for n, _ in comparators] or ["-"])
    ).mark_point(filled=True, size=40, shape="diamond")
    return alt.LayerChart(
        layer=[
            lines,
            actual,
            compared.encode(tooltip=[alt.Tooltip("series:N", title="Area"), "shown:N"]),
            final.encode(tooltip=tooltip),
            provisional.encode(tooltip=tooltip),
        ],
        height=340,
    )


def chart_caption(detail: MeasureDetail) -> str:
    """What the chart shows, in words: the figures it draws and how to read the dots."""
    s = detail.summary
    values = [v for v in detail.values if v.value is not None]
    parts = []
    if values:
        latest = values[-1]
        parts.append(
            f"{s.reference}: latest {format_value(latest.value, s.unit)} for "
            f"{latest.period_label or f'{latest.period_end:%d %b %Y}'} "
            f"({'final' if latest.final else 'provisional'})"
        )
    if detail.trajectory:
        route = ", ".join(
            f"{format_value(y, s.unit)} by {d:%b %Y}" for d, y in detail.trajectory[1:]
        )
        parts.append(f"trajectory {route}")
    elif s.target_value is not None:
        parts.append(f"target {format_value(s.target_value, s.unit)}")
    for name, points in _comparator_lines(detail):
        d, y = points[-1]
        parts.append(f"{name} {format_value(y, s.unit)} ({d:%Y})")
    reading = (
        "Filled dots are final (signed-off) values; hollow dots are provisional. "
        "The grey dashed line is the trajectory through the milestones to the target; "
        "purple dotted lines are the published comparators."
    )
    return "; ".join(parts) + ". " + reading

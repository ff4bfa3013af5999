"""Altair charts of RAG counts: stacked bars by group, and the month-by-month trend.

Colours come from the governance file's RAG key and the legend names each rating in words, so
a chart never relies on colour alone; the tooltip repeats the word and the count. Each builder
also returns the tidy table it drew, which the page offers as a plain table for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import altair as alt
import pandas as pd

from tracker.governance import GovernanceConfig
from tracker.services.register import TREND_KEYS, RagSummary, TrendPoint
from tracker.ui.components import NOT_RATED_COLOUR, rag_label_from_config

# Stacking order, bottom to top / left to right: done, on track, at risk, off track, unknown.
ORDER = ("blue", "green", "amber", "red", "not_rated")


def _scale(config: GovernanceConfig) -> tuple[list[str], list[str]]:
    by_code = config.rag_by_code()
    labels = [rag_label_from_config(config, None if c == "not_rated" else c) for c in ORDER]
    colours = [by_code[c].colour if c in by_code else NOT_RATED_COLOUR for c in ORDER]
    return labels, colours


def rag_frame(summaries: Sequence[RagSummary], config: GovernanceConfig) -> pd.DataFrame:
    rows = []
    for position, summary in enumerate(summaries):
        for order, code in enumerate(ORDER):
            rows.append(
                {
                    "Group": summary.group,
                    "Position": position,
                    "RAG": rag_label_from_config(config, None if code == "not_rated" else code),
                    "Order": order,
                    "Actions": summary.counts.get(code, 0),
                }
            )
    return pd.DataFrame(rows, columns=["Group", "Position", "RAG", "Order", "Actions"])


# The longest name drawn above a bar: about 290 px at 12 px, inside a phone's 358 px chart.
LABEL_CHARACTERS = 44


def short_label(name: str, limit: int = LABEL_CHARACTERS) -> str:
    """``name`` cut at a word to fit ``limit`` characters, with an ellipsis when cut."""
    if len(name) <= limit:
        return name
    cut = name[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-")
    return f"{cut}…"


def rag_bars(summaries: Sequence[RagSummary], config: GovernanceConfig) -> alt.Chart:
    """Horizontal stacked bars, one per group, in the order the groups were given; each group's
    name (shortened to fit a phone; whole in the tooltip and the table) sits above its bar."""
    labels, colours = _scale(config)
    frame = rag_frame(summaries, config)
    frame["Label"] = frame["Group"].map(short_label)
    groups = [short_label(s.group) for s in summaries]
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            # Each group's name sits above its bar, from the left edge, rather than beside it:
            # long names ("Priority 4: Working together, ...") then fit a phone's width
            # without squeezing the bars to nothing.
            y=alt.Y(
                "Label:N",
                sort=groups,
                title=None,
                scale=alt.Scale(paddingInner=0.55, paddingOuter=0.3),
                axis=alt.Axis(
                    labelAlign="left",
                    labelBaseline="bottom",
                    labelPadding=0,
                    labelOffset=-13,
                    labelLimit=1000,
                    labelFontSize=12,
                    ticks=False,
                    domain=False,
                    minExtent=0,
                    maxExtent=0,
                    offset=0,
                ),
            ),
            x=alt.X("sum(Actions):Q", title="Actions", stack="zero"),
            color=alt.Color(
                "RAG:N",
                scale=alt.Scale(domain=labels, range=colours),
                legend=alt.Legend(title="RAG", orient="bottom"),
            ),
            order=alt.Order("Order:Q"),
            tooltip=[
                alt.Tooltip("Group:N"),
                alt.Tooltip("RAG:N"),
                alt.Tooltip("Actions:Q"),
            ],
        )
        .properties(height=alt.Step(46))
    )
    return cast(alt.Chart, chart)


def trend_frame(points: Sequence[TrendPoint], config: GovernanceConfig) -> pd.DataFrame:
    rows = [
        {
            "Month end": point.month_end,
            "RAG": rag_label_from_config(config, None if code == "not_rated" else code),
            "Order": ORDER.index(code),
            "Actions": point.counts.get(code, 0),
        }
        for point in points
        for code in TREND_KEYS
    ]
    return pd.DataFrame(rows, columns=["Month end", "RAG", "Order", "Actions"])


def rag_trend(points: Sequence[TrendPoint], config: GovernanceConfig) -> alt.Chart:
    """Stacked monthly columns: how many actions held each rating at each month end."""
    labels, colours = _scale(config)
    frame = trend_frame(points, config)
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("yearmonth(Month end):O", title="Month end", axis=alt.Axis(labelAngle=-45)),
            y=alt.Y("sum(Actions):Q", title="Actions", stack="zero"),
            color=alt.Color(
                "RAG:N",
                scale=alt.Scale(domain=labels, range=colours),
                legend=alt.Legend(title="RAG", orient="bottom"),
            ),
            order=alt.Order("Order:Q"),
            tooltip=[
                alt.Tooltip("Month end:T", format="%b %Y"),
                alt.Tooltip("RAG:N"),
                alt.Tooltip("Actions:Q"),
            ],
        )
        .properties(height=300)
    )
    return cast(alt.Chart, chart)

"""The 5 x 5 risk heat map for screens: likelihood up, impact across, cells shaded by band.

Each cell holds the number of risks scored there; the words of the scale label the axes. The
same counts are described in a sentence (``describe``) that the page prints beside the chart,
so the map is never the only way to read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import altair as alt
import pandas as pd

from tracker.governance import RiskScaleConfig
from tracker.rules.risks import band_for, heat_map
from tracker.services.risks import RiskRow


def heat_frame(rows: Sequence[RiskRow], scale: RiskScaleConfig) -> pd.DataFrame:
    grid = heat_map((r.likelihood, r.impact) for r in rows)
    cells = []
    for likelihood in range(1, 6):
        for impact in range(1, 6):
            value = likelihood * impact
            count = grid[likelihood - 1][impact - 1]
            cells.append(
                {
                    "Likelihood": f"{likelihood} {scale.likelihood[likelihood - 1]}",
                    "Impact": f"{impact} {scale.impact[impact - 1]}",
                    "Score": value,
                    "Band": band_for(value, scale.bands).name,
                    "Risks": count,
                    "Label": str(count) if count else "",
                }
            )
    return pd.DataFrame(cells)


def heat_chart(rows: Sequence[RiskRow], scale: RiskScaleConfig) -> alt.LayerChart:
    frame = heat_frame(rows, scale)
    likelihoods = [f"{i} {w}" for i, w in enumerate(scale.likelihood, 1)][::-1]
    impacts = [f"{i} {w}" for i, w in enumerate(scale.impact, 1)]
    base = alt.Chart(frame).encode(
        x=alt.X(
            "Impact:N",
            sort=impacts,
            axis=alt.Axis(labelAngle=-40, labelLimit=90, labelOverlap=False),
        ),
        y=alt.Y("Likelihood:N", sort=likelihoods, axis=alt.Axis(labelLimit=110)),
    )
    cells = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color(
            "Band:N",
            scale=alt.Scale(
                domain=[b.name for b in scale.bands], range=[b.colour for b in scale.bands]
            ),
            legend=alt.Legend(title="Band", orient="bottom", columns=2),
        ),
        tooltip=["Likelihood:N", "Impact:N", "Score:Q", "Band:N", "Risks:Q"],
    )
    numbers = base.mark_text(fontSize=16, fontWeight="bold", color="black").encode(text="Label:N")
    return cast(alt.LayerChart, (cells + numbers).properties(height=alt.Step(40)))


def describe(rows: Sequence[RiskRow], scale: RiskScaleConfig) -> str:
    """The heat map in a sentence: how many risks in each band, most severe first."""
    if not rows:
        return "No risks match."
    counts = {band.name: 0 for band in scale.bands}
    for row in rows:
        counts[row.band] = counts.get(row.band, 0) + 1
    parts = [f"{counts[b.name]} {b.name.lower()}" for b in reversed(scale.bands) if counts[b.name]]
    return f"{len(rows)} risk{'s' if len(rows) != 1 else ''}: " + ", ".join(parts) + "."

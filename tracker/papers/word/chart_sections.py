"""The chart parts of paper sections: ratings at recent meetings and success measure trends.

Called from the summary and success-measures sections (``sections.py``), which draw the chart
of ratings by priority or workstream themselves. Each chart sits beside the figures it shows:
the ratings over time with their table, the trends under the measures table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import tracker.papers.model as model
from tracker.papers.text import format_date
from tracker.papers.word import charts
from tracker.papers.word.docxml import CellValue, Column
from tracker.papers.word.pictures import add_charts, usable_width_cm


class PaperContext(Protocol):
    """What these writers use of ``sections.PaperContext`` (named structurally, so this module
    does not import the sections that call it)."""

    @property
    def document(self) -> Any: ...
    @property
    def paper(self) -> model.BoardPaper: ...
    @property
    def styles(self) -> Any: ...
    @property
    def palette(self) -> Any: ...
    def subheading(self, text: str) -> None: ...
    def say(self, text: Any) -> None: ...
    def table(self, columns: Sequence[Column], rows: Iterable[Sequence[CellValue]]) -> None: ...


def write_rag_history(ctx: PaperContext) -> None:
    """The ratings at the board's recent meetings, as a chart and the table it summarises."""
    points = ctx.paper.rag_history
    chart = charts.rag_over_time_chart(
        points, ctx.paper.rag_key, width_cm=min(16.0, usable_width_cm(ctx.document))
    )
    if chart is None:
        return
    ctx.subheading("RAG ratings at recent meetings")
    add_charts(ctx.document, [chart], title="RAG ratings over time", style_id=ctx.styles.normal)
    codes = [entry.code for entry in ctx.paper.rag_key] + [model.NOT_RATED]
    columns = [Column("Meeting", "fixed")]
    columns += [Column(ctx.palette.cell(code), "fixed") for code in codes]
    columns += [Column("Total", "fixed")]
    body: list[list[CellValue]] = []
    for point in points:
        by_code = dict(point.counts)
        counts: list[CellValue] = [str(by_code.get(code, 0)) for code in codes]
        body.append([format_date(point.meeting_date), *counts, str(sum(by_code.values()))])
    ctx.table(columns, body)


def write_measure_trends(ctx: PaperContext, lines: Sequence[model.MeasureLine]) -> None:
    """A small chart per measure with values, two to a line, under one subheading."""
    if not lines:
        return
    ctx.subheading("Success measures against target")
    ctx.say(
        "Each chart shows a measure's latest reported values (filled dots final, hollow dots "
        "provisional), with the trajectory through its milestones to the target as a dashed "
        "line (or the target, where no trajectory is set) and England's and the region's "
        "published figures as dotted lines; the table above gives the figures."
    )
    # Half the width, less the space LibreOffice and Word leave beside an inline picture.
    width = usable_width_cm(ctx.document) / 2 - 1.0
    drawn = [charts.measure_trend_chart(line, width_cm=width) for line in lines]
    pictures = [chart for chart in drawn if chart is not None]
    for start in range(0, len(pictures), 2):
        add_charts(
            ctx.document,
            pictures[start : start + 2],
            title="Success measure trend",
            style_id=ctx.styles.normal,
        )

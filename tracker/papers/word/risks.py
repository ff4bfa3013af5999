"""The risks section of a board paper: a 5 x 5 heat map and the top risks with mitigations.

The heat map is a picture (likelihood up, impact across, each cell shaded by its score band and
holding the number of risks in it) whose alt text says in words where the risks sit; the table
beside it lists the open risks the board oversees, highest score first, each with its owner,
score and band, movement since the board's last paper and the mitigations not yet done.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import tracker.papers.model as model
from tracker.papers.text import count_phrase
from tracker.papers.word.charts import heat_map_chart
from tracker.papers.word.docxml import CellValue, Column, RagCell, contrast_colour
from tracker.papers.word.pictures import add_charts, usable_width_cm

# The most risks printed in the table; the rest are counted in a sentence below it.
TOP_RISKS = 10


class PaperContext(Protocol):
    """What this writer uses of ``sections.PaperContext`` (named structurally)."""

    @property
    def document(self) -> Any: ...
    @property
    def paper(self) -> model.BoardPaper: ...
    @property
    def styles(self) -> Any: ...
    def heading(self, section: str) -> None: ...
    def say(self, text: Any) -> None: ...
    def table(self, columns: Sequence[Column], rows: Iterable[Sequence[CellValue]]) -> None: ...


def _score_cell(line: model.RiskLine) -> RagCell:
    fill = line.band_colour[1:].upper()
    return RagCell(f"{line.score} {line.band}", fill, contrast_colour(fill))


def write_risks(ctx: PaperContext) -> None:
    ctx.heading(model.RISKS)
    picture = ctx.paper.risks
    lines = picture.lines
    if not lines:
        ctx.say("No open risks are recorded for this Board or the bodies reporting to it.")
        return
    by_band: dict[str, int] = {}
    for line in lines:
        by_band[line.band] = by_band.get(line.band, 0) + 1
    bands = ", ".join(
        f"{by_band[b.name]} {b.name.lower()}" for b in reversed(picture.bands) if b.name in by_band
    )
    overdue = sum(1 for line in lines if line.review_overdue)
    sentence = (
        f"{count_phrase(len(lines), 'open risk')} "
        f"{'is' if len(lines) == 1 else 'are'} overseen by this Board and the bodies reporting "
        f"to it ({bands})."
    )
    if overdue:
        sentence += (
            f" {count_phrase(overdue, 'risk')} {'is' if overdue == 1 else 'are'} past review."
        )
    ctx.say(sentence)
    width = min(9.0, usable_width_cm(ctx.document))
    add_charts(
        ctx.document,
        [heat_map_chart(picture, width_cm=width)],
        title="Risk heat map",
        style_id=ctx.styles.normal,
    )
    columns = [
        Column("Ref", "fixed"),
        Column("Risk", "text", 3.5),
        Column("Owner", "words"),
        Column("Score", "fixed"),
        Column("Since last paper", "words"),
        Column("Mitigations", "text", 5.0),
    ]
    rows: list[list[CellValue]] = []
    for line in lines[:TOP_RISKS]:
        title = line.title + (" (review overdue)" if line.review_overdue else "")
        if line.actions:
            title += f" [threatens {', '.join(line.actions)}]"
        mitigations = "\n".join(f"- {m}" for m in line.mitigations) or "None recorded"
        if line.target_score is not None:
            mitigations += f"\nTarget score {line.target_score}"
        rows.append(
            [line.reference, title, line.owner, _score_cell(line), line.movement, mitigations]
        )
    ctx.table(columns, rows)
    if len(lines) > TOP_RISKS:
        rest = len(lines) - TOP_RISKS
        ctx.say(
            f"{count_phrase(rest, 'further open risk')} with lower scores "
            f"{'is' if rest == 1 else 'are'} in the risk register."
        )

"""One function per board paper section, each writing its heading and body into the document.

Every section prints something: when its list is empty it says so in a sentence ("No actions are
overdue.") so a reader can tell "nothing to report" from "left out". Section functions take a
:class:`PaperContext` and are looked up by section id in :data:`SECTION_WRITERS`; the order comes
from ``BoardPaper.sections``. The long sections (movement, action detail, register) live in
``registers.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from docx.document import Document
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

import tracker.papers.model as model
from tracker.papers.model import ActionLine, BoardPaper
from tracker.papers.text import (
    count_phrase,
    format_date,
    format_direction,
    format_due_date,
    format_long_date,
    format_measure_value,
    format_status,
)
from tracker.papers.word import chart_sections, charts, risks
from tracker.papers.word.docxml import (
    CellValue,
    Column,
    RagCell,
    RowStore,
    Segment,
    TableStyles,
    add_paragraph,
    add_table,
    contrast_colour,
)
from tracker.papers.word.pictures import add_charts, usable_width_cm
from tracker.rules.measures import format_gap

NOT_RATED_LABEL = "Not rated"
NOT_RATED_FILL = "D9D9D9"
NOT_RATED_DEFINITION = "No rating has been recorded for the action yet."

_TITLES = {
    model.RECOMMENDATIONS: "Recommendations",
    model.EXECUTIVE_SUMMARY: "Executive summary",
    model.RAG_KEY: "RAG rating key",
    model.MOVEMENT: "Movement since the last meeting",
    model.OVERDUE: "Overdue actions",
    model.COMPLETED: "Actions completed since the last meeting",
    model.DUE_NEXT: "Actions due before the next meeting",
    model.ESCALATIONS: "Escalations",
    model.MEASURES: "Success measures",
    model.RISKS: "Risks",
    model.IMPACT: "Impact: what has changed for children, young people and families",
    model.FEEDBACK: "You said, we did",
    model.ACTION_DETAIL: "Action detail",
    model.APPENDIX_REGISTER: "Appendix A: Full action register",
}


def section_title(section: str, level: model.Level) -> str:
    """The Heading 1 text a section prints under, which for some sections depends on level."""
    if section == model.SUMMARY:
        return "Summary by priority" if level == "strategic" else "Summary by workstream"
    if section == model.EXCEPTIONS:
        if level == "strategic":
            return "Exceptions: actions rated Red or overdue"
        return "Exceptions: actions rated Red or Amber"
    return _TITLES[section]


@dataclass(frozen=True, slots=True)
class PaperStyles:
    """Ids of the styles a paper applies, resolved from their names once per document."""

    normal: str
    title: str
    heading1: str
    heading2: str
    list_number: str
    cover: str
    tables: TableStyles


@dataclass(slots=True)
class RagPalette:
    """Turns a rating code into the shaded, labelled cell the key describes."""

    key: tuple[model.RagKeyEntry, ...]
    _cells: dict[str | None, RagCell] = field(default_factory=dict)

    def line_cell(self, line: ActionLine) -> RagCell:
        """An action's rating, marked beside the word when it contradicts the facts."""
        cell = self.cell(line.rag)
        if not line.inconsistency:
            return cell
        return RagCell(f"{cell.label} (inconsistent)", cell.fill, cell.font_colour)

    def cell(self, code: str | None) -> RagCell:
        found = self._cells.get(code)
        if found is None:
            found = self._make(code)
            self._cells[code] = found
        return found

    def _make(self, code: str | None) -> RagCell:
        if code is None or code == model.NOT_RATED:
            return RagCell(NOT_RATED_LABEL, NOT_RATED_FILL, contrast_colour(NOT_RATED_FILL))
        for entry in self.key:
            if entry.code == code:
                fill = entry.colour[1:].upper()
                return RagCell(entry.label, fill, contrast_colour(fill))
        # A code the key no longer lists still prints as a word, just unshaded.
        return RagCell(code.replace("_", " ").capitalize(), None)


@dataclass(frozen=True, slots=True)
class PaperContext:
    """What every section writer needs: the document, the paper and resolved styles."""

    document: Document
    paper: BoardPaper
    styles: PaperStyles
    palette: RagPalette
    rows: RowStore

    def heading(self, section: str) -> None:
        add_paragraph(
            self.document, section_title(section, self.paper.level), style_id=self.styles.heading1
        )

    def subheading(self, text: str) -> None:
        add_paragraph(self.document, text, style_id=self.styles.heading2)

    def say(self, text: str | tuple[Segment, ...]) -> None:
        add_paragraph(self.document, text, style_id=self.styles.normal)

    def table(
        self,
        columns: Sequence[Column],
        rows: Iterable[Sequence[CellValue]],
    ) -> None:
        body = self.document.element.body
        before = body[-2] if len(body) > 1 else None
        if before is not None and before.tag == qn("w:p"):
            # Keep the sentence introducing a table on the same page as its first rows.
            Paragraph(before, self.document).paragraph_format.keep_with_next = True
        add_table(self.document, columns, rows, styles=self.styles.tables, store=self.rows)

    def since_last(self) -> str:
        previous = self.paper.previous_meeting_date
        if previous is None:
            return "since the last meeting"
        return f"since the last meeting on {format_long_date(previous)}"

    def before_next(self) -> str:
        upcoming = self.paper.next_meeting_date
        if upcoming is None:
            return "before the next meeting"
        return f"before the next meeting on {format_long_date(upcoming)}"


def write_recommendations(ctx: PaperContext) -> None:
    ctx.heading(model.RECOMMENDATIONS)
    if not ctx.paper.recommendations:
        ctx.say("There are no recommendations in this paper.")
        return
    ctx.say("The Board is asked to:")
    for recommendation in ctx.paper.recommendations:
        add_paragraph(ctx.document, recommendation, style_id=ctx.styles.list_number)


def write_executive_summary(ctx: PaperContext) -> None:
    ctx.heading(model.EXECUTIVE_SUMMARY)
    if not ctx.paper.executive_summary:
        ctx.say("No executive summary has been provided for this paper.")
    for paragraph in ctx.paper.executive_summary:
        ctx.say(paragraph)


def write_rag_key(ctx: PaperContext) -> None:
    ctx.heading(model.RAG_KEY)
    columns = [Column("Rating", "fixed"), Column("Meaning", "text", 6.0)]
    rows: list[list[CellValue]] = [
        [ctx.palette.cell(entry.code), entry.definition] for entry in ctx.paper.rag_key
    ]
    rows.append([ctx.palette.cell(None), NOT_RATED_DEFINITION])
    ctx.table(columns, rows)


def write_summary(ctx: PaperContext) -> None:
    ctx.heading(model.SUMMARY)
    rows = ctx.paper.summary_rows
    if not rows:
        ctx.say("No actions are in scope of this paper.")
        return
    codes = [entry.code for entry in ctx.paper.rag_key] + [model.NOT_RATED]
    group = "Priority" if ctx.paper.level == "strategic" else "Workstream"
    columns = [Column(group, "words")]
    columns += [Column(ctx.palette.cell(code), "fixed") for code in codes]
    columns += [
        Column("Total", "fixed"),
        Column("Overdue", "fixed"),
        Column("Direction of travel", "words"),
    ]
    body: list[list[CellValue]] = []
    for row in rows:
        counts: list[CellValue] = [str(row.count(code)) for code in codes]
        direction = format_direction(row.direction_of_travel)
        body.append([row.group, *counts, str(row.total), str(row.overdue), direction])
    totals = [sum(row.count(code) for row in rows) for code in codes]
    totals += [sum(row.total for row in rows), sum(row.overdue for row in rows)]
    body.append(
        [(Segment("All", bold=True),), *[(Segment(str(n), bold=True),) for n in totals], ""]
    )
    by = group.lower()
    chart = charts.rag_by_group_chart(
        rows, ctx.paper.rag_key, by=by, width_cm=usable_width_cm(ctx.document)
    )
    if chart is not None:
        add_charts(ctx.document, [chart], title=f"RAG rating by {by}", style_id=ctx.styles.normal)
    ctx.table(columns, body)
    chart_sections.write_rag_history(ctx)


def write_exceptions(ctx: PaperContext) -> None:
    ctx.heading(model.EXCEPTIONS)
    lines = ctx.paper.exceptions
    if not lines:
        strategic = ctx.paper.level == "strategic"
        ctx.say(f"No actions are rated Red or {'overdue' if strategic else 'Amber'}.")
        return
    ctx.say(f"{count_phrase(len(lines), 'action')} need the Board's attention.")
    columns = [
        Column("Ref", "fixed"),
        Column("Action", "text", 3.3),
        Column("Owner", "words"),
        Column("Due", "fixed"),
        Column("RAG", "fixed"),
        Column("Impact", "words"),
        Column("Commentary and path to green", "text", 6.4),
    ]
    rows: list[list[CellValue]] = [
        [
            line.reference,
            line.title,
            owner_label(line),
            format_due_date(line.due_date, confirmed=line.due_confirmed),
            ctx.palette.line_cell(line),
            line.impact or "Not reported",
            update_segments(line),
        ]
        for line in lines
    ]
    ctx.table(columns, rows)


def write_overdue(ctx: PaperContext) -> None:
    ctx.heading(model.OVERDUE)
    lines = ctx.paper.overdue
    if not lines:
        ctx.say("No actions are overdue.")
        return
    ctx.say(f"{count_phrase(len(lines), 'action')} passed the due date without being completed.")
    columns = [
        Column("Ref", "fixed"),
        Column("Action", "text", 5.3),
        Column("Owner", "words"),
        Column("Due", "fixed"),
        Column("Days overdue", "fixed"),
        Column("Status", "fixed"),
        Column("RAG", "fixed"),
    ]
    rows: list[list[CellValue]] = [
        [
            line.reference,
            line.title,
            owner_label(line),
            format_due_date(line.due_date, confirmed=line.due_confirmed),
            "" if line.days_overdue is None else str(line.days_overdue),
            format_status(line.status),
            ctx.palette.line_cell(line),
        ]
        for line in lines
    ]
    ctx.table(columns, rows)


def write_completed(ctx: PaperContext) -> None:
    ctx.heading(model.COMPLETED)
    lines = ctx.paper.completed_since_last
    if not lines:
        ctx.say(f"No actions have been completed {ctx.since_last()}.")
        return
    ctx.say(f"{count_phrase(len(lines), 'action')} completed {ctx.since_last()}.")
    columns = [
        Column("Ref", "fixed"),
        Column("Action", "text", 5.2),
        Column("Owner", "words"),
        Column("Workstream", "words"),
        Column("Due", "fixed"),
        Column("Last updated", "fixed"),
    ]
    rows: list[list[CellValue]] = [
        [
            line.reference,
            line.title,
            owner_label(line),
            line.workstream,
            format_due_date(line.due_date, confirmed=line.due_confirmed),
            format_date(line.last_updated, missing="Never"),
        ]
        for line in lines
    ]
    ctx.table(columns, rows)


def write_due_next(ctx: PaperContext) -> None:
    ctx.heading(model.DUE_NEXT)
    lines = ctx.paper.due_before_next
    if not lines:
        ctx.say(f"No actions are due {ctx.before_next()}.")
        return
    ctx.say(f"{count_phrase(len(lines), 'action')} due {ctx.before_next()}.")
    columns = [
        Column("Ref", "fixed"),
        Column("Action", "text", 6.6),
        Column("Owner", "words"),
        Column("Due", "fixed"),
        Column("Status", "fixed"),
        Column("RAG", "fixed"),
    ]
    rows: list[list[CellValue]] = [
        [
            line.reference,
            line.title,
            owner_label(line),
            format_due_date(line.due_date, confirmed=line.due_confirmed),
            format_status(line.status),
            ctx.palette.line_cell(line),
        ]
        for line in lines
    ]
    ctx.table(columns, rows)


def write_escalations(ctx: PaperContext) -> None:
    ctx.heading(model.ESCALATIONS)
    lines = ctx.paper.escalations
    if not lines:
        ctx.say("No matters have been escalated to this Board.")
        return
    columns = [
        Column("Ref", "fixed"),
        Column("Matter", "text", 3.5),
        Column("Escalated by", "words"),
        Column("Date", "fixed"),
        Column("Reason", "text", 6.5),
    ]
    rows: list[list[CellValue]] = [
        [
            line.reference,
            line.title,
            f"{line.raised_by}, {line.from_body}" if line.raised_by else line.from_body,
            format_date(line.raised_on),
            line.reason,
        ]
        for line in lines
    ]
    ctx.table(columns, rows)


def write_measures(ctx: PaperContext) -> None:
    ctx.heading(model.MEASURES)
    lines = ctx.paper.measures
    if not lines:
        ctx.say("No success measures are reported in this paper.")
        return
    reported = [line for line in lines if line.latest is not None or line.has_comparators]
    waiting = [line for line in lines if line.latest is None and not line.has_comparators]
    if reported:
        _measures_table(ctx, reported)
        _quality_notes(ctx, reported)
        _milestones_table(ctx, reported)
    if waiting:
        # One line, not a row of "Not available" per measure.
        refs = ", ".join(line.reference for line in waiting)
        noun = "measure has" if len(waiting) == 1 else "measures have"
        ctx.say(f"{len(waiting)} {noun} no value reported yet: {refs}.")
    chart_sections.write_measure_trends(ctx, [line for line in reported if line.series])


def _measures_table(ctx: PaperContext, lines: Sequence[model.MeasureLine]) -> None:
    columns = [
        Column("Ref", "fixed"),
        Column("Measure", "text", 4.4),
        Column("Baseline", "words"),
        Column("Target", "words"),
        Column("Latest", "words"),
        Column("Previous", "words"),
        Column("Direction of travel", "words"),
        Column("Rating", "fixed"),
    ]
    compared = any(line.has_comparators for line in lines)
    if compared:
        # England's and the region's published figures, where any measure has them.
        region = next((line.region_name for line in lines if line.region_name), "")
        # The previous value gives way to them: the direction of travel still says how it moved.
        columns[5:6] = [Column("England", "words"), Column(region or "Region", "words")]
    rows: list[list[CellValue]] = []
    for line in lines:
        latest = format_measure_value(line.latest, line.unit)
        notes = [
            n for n in (line.latest_period, "provisional" if line.latest_provisional else "") if n
        ]
        if notes and line.latest is not None:
            latest = f"{latest} ({', '.join(notes)})"
        wording = "\n".join(
            text
            for text in (
                line.wording,
                line.commentary,
                f"Stale: no value for the period ending {format_date(line.stale_since)}"
                if line.stale_since
                else "",
                f"Caveat: {line.latest_caveat}" if line.latest_caveat else "",
            )
            if text
        )
        row: list[CellValue] = [
            line.reference,
            wording,
            format_measure_value(line.baseline, line.unit),
            format_measure_value(line.target, line.unit),
            latest,
            format_measure_value(line.previous, line.unit),
            format_direction(line.direction_of_travel),
            ctx.palette.cell(line.rag),
        ]
        if compared:
            period = f" ({line.comparator_period})" if line.comparator_period else ""
            row[5:6] = [
                _published(line.england, line.unit, period),
                _published(line.region, line.unit, period),
            ]
        rows.append(row)
    ctx.table(columns, rows)


def _quality_notes(ctx: PaperContext, lines: Sequence[model.MeasureLine]) -> None:
    """Which figures are provisional and which measures are stale, in a sentence each."""
    provisional = [line.reference for line in lines if line.latest_provisional]
    final = [
        line.reference for line in lines if line.latest is not None and not line.latest_provisional
    ]
    if provisional:
        ctx.say(
            "Provisional (not yet signed off by the measure's owner or performance lead): "
            + ", ".join(provisional)
            + (". Every other latest figure is final." if final else ".")
        )
    elif final:
        ctx.say("Every latest figure above is final (signed off).")
    stale = [line.reference for line in lines if line.stale_since]
    if stale:
        ctx.say(
            "Stale (the next expected period has passed with no value): " + ", ".join(stale) + "."
        )


def _milestones_table(ctx: PaperContext, lines: Sequence[model.MeasureLine]) -> None:
    """Each milestone due by the paper's date (and the next one) beside the actual and gap."""
    rows: list[list[CellValue]] = []
    for line in lines:
        upcoming = [m for m in line.milestones if not m.due][:1]
        for m in [m for m in line.milestones if m.due] + upcoming:
            label = f"{format_date(m.due_date)}" + (f" ({m.label})" if m.label else "")
            if not m.due:
                actual, gap = "Not due yet", ""
            elif m.actual is None:
                actual, gap = "No value", ""
            else:
                period = f" ({format_date(m.actual_period)})" if m.actual_period else ""
                actual = format_measure_value(m.actual, line.unit) + period
                gap = format_gap(m.gap, line.unit_code)
            rows.append(
                [line.reference, label, format_measure_value(m.expected, line.unit), actual, gap]
            )
    if not rows:
        return
    ctx.subheading("Milestones")
    columns = [
        Column("Ref", "fixed"),
        Column("Milestone", "words"),
        Column("Expected", "words"),
        Column("Actual", "words"),
        Column("Gap", "words"),
    ]
    ctx.table(columns, rows)


def _published(value: float | None, unit: str, period: str) -> str:
    return format_measure_value(value, unit) + (period if value is not None else "")


def owner_label(line: ActionLine) -> str:
    """The owner, with their organisation in brackets when known."""
    if line.lead_organisation:
        return f"{line.owner} ({line.lead_organisation})"
    return line.owner


def update_segments(line: ActionLine) -> tuple[Segment, ...]:
    """The latest update as labelled lines within one cell."""
    parts = [("Commentary: ", line.commentary or "No commentary provided.")]
    if line.inconsistency:
        parts.insert(0, ("Rating inconsistent: ", f"{line.inconsistency}."))
    if line.path_to_green:
        parts.append(("Path to green: ", line.path_to_green))
    if line.next_steps:
        parts.append(("Next steps: ", line.next_steps))
    parts.append(("Last updated: ", format_date(line.last_updated, missing="Never")))
    segments: list[Segment] = []
    last = len(parts) - 1
    for index, (label, text) in enumerate(parts):
        # The line break rides on the text's own run rather than a run of its own.
        segments += [Segment(label, bold=True), Segment(text if index == last else text + "\n")]
    return tuple(segments)


SectionWriter = Callable[[PaperContext], None]

SECTION_WRITERS: dict[str, SectionWriter] = {
    model.RECOMMENDATIONS: write_recommendations,
    model.EXECUTIVE_SUMMARY: write_executive_summary,
    model.RAG_KEY: write_rag_key,
    model.SUMMARY: write_summary,
    model.EXCEPTIONS: write_exceptions,
    model.OVERDUE: write_overdue,
    model.COMPLETED: write_completed,
    model.DUE_NEXT: write_due_next,
    model.ESCALATIONS: write_escalations,
    model.MEASURES: write_measures,
    model.RISKS: risks.write_risks,
}
